"""One true timeline per parcel: merge, de-duplicate and order provider events. Pure, no I/O.

Rules (documented for users in README.md, "Status vocabulary and the timeline"):

* **Time zones.** `resolve_time` turns a provider time into aware UTC. A time without offset is
  placed in the provider's documented zone (`tz_hint`), else the zone of the event's country,
  else of a country named in its location, else UTC; the assumption is returned and stored.
* **Same moment.** Two events are one moment when they have the same status, compatible
  sub-statuses (equal, one missing, or one refining the other), no conflicting country or
  place, and either (a) times within 2 minutes (providers round or drop seconds), or (b) times
  a whole number of hours apart (1–14 h, ±2 min) reported by different sources (provider or
  leg): a local time read without its offset; plus similar wording (identical text, token
  Jaccard similarity ≥ 0.5, or both carry a sub-status; for (b) only when one side's zone was
  assumed). One source never reports one moment twice at different times. Merges of kind (b)
  are flagged "tz_shift". Different statuses or different places always stay separate.
* **Order.** By time, then by stage (`STATUS_STAGE`), then text; ties are fully broken, so the
  result does not depend on input order.
* **Current status** is decided by rule, not by the last event: origin-side scans that arrive
  after the parcel reached the destination, and earlier-stage scans timestamped after a
  delivery, are kept but flagged "late_report" and ignored; real scans after a delivery
  (last-mile, exception, return, a new destination-country scan) are flagged "after_delivery"
  and set `Timeline.moved_after_delivery`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.timeline.classify import normalize_text
from watcher.domain.models import (
    DeliveryEstimate,
    EventSource,
    Milestones,
    ProviderEvent,
    Status,
    StoredEvent,
    Timeline,
    TimelineEvent,
)

__all__ = [
    "COUNTRY_ZONES",
    "STATUS_STAGE",
    "SUBSTATUS_ALIASES",
    "SUBSTATUS_STAGE",
    "build_timeline",
    "canonical",
    "follow_on_numbers_from_text",
    "latest_estimate",
    "render_milestones",
    "render_raw",
    "resolve_time",
    "stage_of",
    "track_estimate",
]

# --------------------------------------------------------------------------- time zones

#: One representative zone per country these parcels meet (the most populous zone where a
#: country has several: a guess is only used when the provider gave no offset at all).
COUNTRY_ZONES: dict[str, str] = {
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
    "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "IN": "Asia/Kolkata", "ID": "Asia/Jakarta",
    "PH": "Asia/Manila", "PK": "Asia/Karachi", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
    "IL": "Asia/Jerusalem", "KZ": "Asia/Almaty", "TR": "Europe/Istanbul",
    "RU": "Europe/Moscow", "UA": "Europe/Kiev", "BY": "Europe/Minsk",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "SK": "Europe/Bratislava",
    "HU": "Europe/Budapest", "RO": "Europe/Bucharest", "BG": "Europe/Sofia",
    "GR": "Europe/Athens", "DE": "Europe/Berlin", "AT": "Europe/Vienna", "CH": "Europe/Zurich",
    "FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam",
    "LU": "Europe/Luxembourg", "GB": "Europe/London", "IE": "Europe/Dublin",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "IT": "Europe/Rome",
    "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki", "EE": "Europe/Tallinn", "LV": "Europe/Riga",
    "LT": "Europe/Vilnius", "HR": "Europe/Zagreb", "SI": "Europe/Ljubljana",
    "RS": "Europe/Belgrade", "US": "America/New_York", "CA": "America/Toronto",
    "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "CO": "America/Bogota",
    "PE": "America/Lima", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg", "EG": "Africa/Cairo", "NG": "Africa/Lagos",
}

#: Country names (English and local, normalized) that appear in location strings.
_COUNTRY_NAMES: dict[str, str] = {
    "china": "CN", "中国": "CN", "hong kong": "HK", "taiwan": "TW", "singapore": "SG",
    "malaysia": "MY", "thailand": "TH", "vietnam": "VN", "viet nam": "VN",
    "south korea": "KR", "korea": "KR", "japan": "JP", "india": "IN", "indonesia": "ID",
    "philippines": "PH", "pakistan": "PK", "united arab emirates": "AE", "uae": "AE",
    "saudi arabia": "SA", "israel": "IL", "kazakhstan": "KZ", "turkey": "TR", "turkiye": "TR",
    "russia": "RU", "russian federation": "RU", "россия": "RU", "ukraine": "UA",
    "belarus": "BY", "poland": "PL", "polska": "PL", "czech republic": "CZ", "czechia": "CZ",
    "slovakia": "SK", "hungary": "HU", "romania": "RO", "bulgaria": "BG", "greece": "GR",
    "germany": "DE", "deutschland": "DE", "austria": "AT", "osterreich": "AT",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "france": "FR", "belgium": "BE",
    "belgique": "BE", "belgie": "BE", "netherlands": "NL", "nederland": "NL",
    "the netherlands": "NL", "luxembourg": "LU", "united kingdom": "GB", "great britain": "GB",
    "england": "GB", "ireland": "IE", "spain": "ES", "espana": "ES", "portugal": "PT",
    "italy": "IT", "italia": "IT", "denmark": "DK", "danmark": "DK", "sweden": "SE",
    "sverige": "SE", "norway": "NO", "norge": "NO", "finland": "FI", "suomi": "FI",
    "estonia": "EE", "latvia": "LV", "lithuania": "LT", "croatia": "HR", "slovenia": "SI",
    "serbia": "RS", "united states": "US", "usa": "US", "canada": "CA", "mexico": "MX",
    "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO",
    "peru": "PE", "australia": "AU", "new zealand": "NZ", "south africa": "ZA", "egypt": "EG",
    "nigeria": "NG",
}
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
_COUNTRY_NAME_RE = re.compile(
    "|".join(
        rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(_COUNTRY_NAMES, key=len, reverse=True)
    )
)
_TRAILING_CODE_RE = re.compile(r"[,\s]\s*([A-Za-z]{2})\s*$")


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    """The zone for an IANA name, or None when the name is unknown here."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _country_code(code: str | None) -> str | None:
    """An upper-case ISO-2 code we have a zone for, or None."""
    if not code:
        return None
    code = _COUNTRY_ALIASES.get(code.upper(), code.upper())
    return code if code in COUNTRY_ZONES else None


@lru_cache(maxsize=4096)
def country_from_location(location: str | None) -> str | None:
    """The country a location string names ("Frankfurt, DE", "Shenzhen, China"), if any."""
    if not location:
        return None
    trailing = _TRAILING_CODE_RE.search(location)
    if trailing and (code := _country_code(trailing.group(1))):
        return code
    named = _COUNTRY_NAME_RE.search(normalize_text(location))
    return _COUNTRY_NAMES[named.group(0)] if named else None


def _zone_candidates(event: ProviderEvent) -> Iterable[tuple[str, str]]:
    """Zones to try for a naive time, most trustworthy first, with the reason for each."""
    if event.tz_hint:
        yield event.tz_hint, "provider convention"
    if code := _country_code(event.country):
        yield COUNTRY_ZONES[code], f"from country {code}"
    if code := country_from_location(event.location):
        yield COUNTRY_ZONES[code], f"from location country {code}"


def resolve_time(event: ProviderEvent) -> tuple[datetime, str | None]:
    """The event's time in UTC, and the assumption made when no offset was given."""
    moment = event.time
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(UTC), None
    naive = moment.replace(tzinfo=None)
    for name, reason in _zone_candidates(event):
        if (zone := _zone(name)) is not None:
            return naive.replace(tzinfo=zone).astimezone(UTC), f"{name} ({reason})"
    return naive.replace(tzinfo=UTC), "UTC (unknown zone)"


# --------------------------------------------------------------------------- stage order

#: How far along the journey each status is. Used for tie-breaking, late-report detection and
#: "does this scan undo a delivery". Gaps leave room for the sub-status refinements below.
STATUS_STAGE: dict[Status, int] = {
    Status.PENDING: 0,
    Status.INFO_RECEIVED: 10,
    Status.IN_TRANSIT: 30,
    Status.CUSTOMS: 60,
    Status.OUT_FOR_DELIVERY: 80,
    Status.AVAILABLE_FOR_PICKUP: 82,
    Status.ATTEMPT_FAILED: 84,
    Status.EXCEPTION: 86,
    Status.DELIVERED: 90,
    Status.RETURNING: 95,
    Status.RETURNED: 100,
}
#: Sub-statuses that sit at a different stage than their status.
SUBSTATUS_STAGE: dict[str, int] = {
    "in_transit.accepted": 20,
    "in_transit.export_customs": 35,
    "in_transit.departed_origin": 40,
    "in_transit.arrived_destination": 50,
    "customs.cleared": 70,
}
_STAGE_ARRIVED = SUBSTATUS_STAGE["in_transit.arrived_destination"]
#: An in-transit scan inside the destination country: after customs, before the last mile.
_STAGE_DESTINATION_TRANSIT = 75
#: Sub-statuses that can only happen on the origin side of the journey.
_ORIGIN_SUBSTATUSES = frozenset(
    {"in_transit.accepted", "in_transit.export_customs", "in_transit.departed_origin"}
)
#: Scans that are part of a return journey and do not change a returning/returned status.
_RETURN_JOURNEY = frozenset({Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.CUSTOMS})
_RETURN_STATUSES = frozenset({Status.RETURNING, Status.RETURNED})
#: After a delivery, these statuses are real news (not a lagging provider's replay).
_REAL_AFTER_DELIVERY = frozenset(
    {
        Status.OUT_FOR_DELIVERY,
        Status.AVAILABLE_FOR_PICKUP,
        Status.ATTEMPT_FAILED,
        Status.EXCEPTION,
        Status.RETURNING,
        Status.RETURNED,
    }
)


def stage_of(status: Status, substatus: str | None = None, *, in_destination: bool = False) -> int:
    """The journey stage of a status (refined by sub-status and destination country)."""
    if substatus is not None and substatus in SUBSTATUS_STAGE:
        return SUBSTATUS_STAGE[substatus]
    if in_destination and status is Status.IN_TRANSIT:
        return _STAGE_DESTINATION_TRANSIT
    return STATUS_STAGE[status]


# --------------------------------------------------------------------------- similarity

_SAME_TIME_TOLERANCE = 120.0  # seconds: rounding, dropped seconds, slow clocks
_MAX_SHIFT_HOURS = 14  # the widest UTC offset a naive local time can be off by
_WINDOW = _MAX_SHIFT_HOURS * 3600 + _SAME_TIME_TOLERANCE
_SIMILAR = 0.5  # token Jaccard similarity for "same wording"
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: Words that say what kind of place it is, not which place: they do not tell places apart.
_PLACE_NOISE = frozenset(
    {
        "sorting", "center", "centre", "facility", "hub", "office", "post", "postal",
        "international", "mail", "processing", "distribution", "airport", "gateway", "delivery",
        "exchange", "depot", "branch", "station", "service", "terminal", "parcel", "logistics",
        "warehouse", "city", "district", "province", "region", "country", "the", "and", "of",
    }
)


@lru_cache(maxsize=16384)
def _text_tokens(text: str) -> frozenset[str]:
    """Comparable tokens of an event text: words, or character pairs for CJK runs."""
    tokens: set[str] = set()
    for word in normalize_text(text).split():
        if _CJK_RE.search(word):
            tokens.update(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            tokens.add(word)
    return frozenset(tokens)


@lru_cache(maxsize=16384)
def _place_tokens(location: str) -> frozenset[str]:
    """The tokens of a location that name the place (no codes, no generic words)."""
    return frozenset(t for t in _text_tokens(location) if len(t) > 2 and t not in _PLACE_NOISE)


def _same_place(a: str | None, b: str | None) -> bool:
    """False only when both locations name places and the names have nothing in common."""
    if not a or not b or a == b:
        return True
    ta, tb = _place_tokens(a), _place_tokens(b)
    if not ta or not tb or ta & tb:
        return True
    # Different scripts ("深圳" vs "Shenzhen") cannot be compared: do not call them different.
    return all(t.isascii() for t in ta) != all(t.isascii() for t in tb)


def _similar_text(a: str, b: str) -> bool:
    """Token Jaccard similarity of two texts reaches the threshold."""
    ta, tb = _text_tokens(a), _text_tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) >= _SIMILAR * len(ta | tb)


# --------------------------------------------------------------------------- merging


#: Provider adapters' sub-status spellings mapped to the documented vocabulary, so equal
#: meanings merge and rules see one name. The per-source original is kept on `EventSource`.
SUBSTATUS_ALIASES: dict[str, str] = {
    "in_transit.picked_up": "in_transit.accepted",
    "in_transit.arrived_destination_country": "in_transit.arrived_destination",
    "in_transit.handed_to_last_mile": "in_transit.handover",
    "customs.export": "in_transit.export_customs",
    "customs.processing": "customs.started",
    "customs.released": "customs.cleared",
    "customs.payment_required": "customs.duties_due",
    "exception.bad_address": "exception.address",
    "delivered.picked_up": "delivered.collected",
}
#: Canonical sub-statuses that fix the status, whatever the adapter chose.
_SUBSTATUS_STATUS: dict[str, Status] = {
    "customs.cleared": Status.CUSTOMS,
    "customs.started": Status.CUSTOMS,
    "in_transit.export_customs": Status.IN_TRANSIT,
}


def canonical(status: Status, substatus: str | None) -> tuple[Status, str | None]:
    """The documented status and sub-status for an adapter's or the classifier's pair."""
    if substatus is None:
        return status, None
    if substatus.startswith("attempt."):
        substatus = "attempt_failed." + substatus.removeprefix("attempt.")
    substatus = SUBSTATUS_ALIASES.get(substatus, substatus)
    fixed = _SUBSTATUS_STATUS.get(substatus)
    if fixed is not None and status in (Status.IN_TRANSIT, Status.CUSTOMS):
        status = fixed
    return status, substatus


#: Generic sub-statuses that a more specific one refines ("departed" vs "departed origin").
_GENERIC_PARENT: dict[str, str] = {
    "in_transit.departed_origin": "in_transit.departed",
    "in_transit.arrived_destination": "in_transit.arrived",
}


def _parent(substatus: str) -> str | None:
    """The generic form a sub-status refines: explicit, or "<status>.other"."""
    if substatus in _GENERIC_PARENT:
        return _GENERIC_PARENT[substatus]
    area = substatus.split(".", 1)[0]
    return None if substatus == f"{area}.other" else f"{area}.other"


def _compatible(a: str | None, b: str | None) -> bool:
    """Equal, one missing, or one a refinement of the other."""
    return a is None or b is None or a == b or _parent(a) == b or _parent(b) == a


def _more_specific(a: str | None, b: str | None) -> str | None:
    """The more specific of two compatible sub-statuses."""
    if a is None or _parent(b or "") == a:
        return b
    return a


class _Item:
    """A stored event plus the values the merge compares, computed once."""

    __slots__ = ("country", "event", "key", "rank", "source", "status", "substatus", "ts")

    def __init__(self, event: StoredEvent, destination: str | None) -> None:
        self.event = event
        self.ts = event.time.timestamp()
        self.source = (event.provider, event.tracking_number)
        self.country = country = event.country.upper() if event.country else None  # ISO-2, any case
        in_dest = destination is not None and country == destination
        self.status, self.substatus, self.rank = _canonical_ranked(event.status, event.substatus, in_dest)
        # A total order over stored events, so any input permutation merges identically.
        self.key = (
            event.time, self.rank, event.description, event.provider, event.tracking_number,
            event.location or "", event.country or "", self.status.value, event.substatus or "",
            event.raw_status or "",
            event.raw_description if event.raw_description != event.description else "",
            event.tz_assumption or "",
        )  # equal keys mean equal sources: `unclassified` only affects flags, never the merge


_CANONICAL_CACHE: dict[tuple[Status, str | None, bool], tuple[Status, str | None, int]] = {}


def _canonical_ranked(status: Status, substatus: str | None, in_dest: bool) -> tuple[Status, str | None, int]:
    """`canonical` plus `stage_of`, cached: a handful of combinations recur in every timeline."""
    key = (status, substatus, in_dest)
    found = _CANONICAL_CACHE.get(key)
    if found is None:
        status, substatus = canonical(status, substatus)
        found = _CANONICAL_CACHE.setdefault(key, (status, substatus, stage_of(status, substatus, in_destination=in_dest)))
    return found


def _same_moment(a: _Item, b: _Item) -> bool:
    """Whether two events of the same status report the same moment (see module docstring)."""
    gap = abs(a.ts - b.ts)
    shifted = gap > _SAME_TIME_TOLERANCE
    if shifted:
        if a.source == b.source:
            return False
        hours = round(gap / 3600)
        if not 1 <= hours <= _MAX_SHIFT_HOURS or abs(gap - hours * 3600) > _SAME_TIME_TOLERANCE:
            return False
    ea, eb = a.event, b.event
    if not _same_place(ea.location, eb.location):
        return False
    if ea.description == eb.description:
        return True
    # Both carry a (compatible, checked by the caller) sub-status: the same specific meaning.
    both_specific = a.substatus is not None and b.substatus is not None
    if both_specific and (not shifted or ea.tz_assumption or eb.tz_assumption):
        return True
    return _similar_text(ea.description, eb.description)


class _Cluster:
    """Events found to be one moment; at most one status, sub-status and country.

    Once clustering is done, `finish` reduces it to one event's fields (time, text, place,
    sources, flags) and its sort key.
    """

    __slots__ = (
        "country", "description", "first_ts", "flags", "items", "key", "location", "rank", "sources",
        "status", "substatus", "time",
    )

    def __init__(self, item: _Item) -> None:
        self.items = [item]
        self.first_ts = item.ts
        self.status = item.status
        self.substatus = item.substatus
        self.country = item.country

    def accepts(self, item: _Item) -> bool:
        """Whether the item is the same moment as one member and conflicts with none."""
        if item.status is not self.status:
            return False
        if not _compatible(item.substatus, self.substatus):
            return False
        if item.country and self.country and item.country != self.country:
            return False
        # One source never reports one moment twice at different times: such a pair is two scans.
        if any(m.source == item.source and abs(m.ts - item.ts) > _SAME_TIME_TOLERANCE
               for m in self.items):
            return False
        return any(_same_moment(member, item) for member in self.items)

    def add(self, item: _Item) -> None:
        """Take the item in, keeping the most specific sub-status and the known country."""
        self.items.append(item)
        self.substatus = _more_specific(self.substatus, item.substatus)
        self.country = self.country or item.country

    def finish(self, destination: str | None) -> None:
        """Choose the representative event and compute the merged fields and the sort key."""
        members = self.items
        if len(members) == 1:  # the common case: no choice to make
            only = members[0]
            rep = only.event
            self.location = rep.location
            self.sources = (_source(rep),)
            self.flags = _single_flags(rep)
            self.rank = only.rank  # same status, sub-status and country as its only member
        else:
            # Members are in input-key order already: sources follow it, repeats dropped.
            unique = {m.key: m.event for m in members}
            self.sources = tuple(_source(e) for e in unique.values())
            members = sorted(members, key=_representative_key)
            rep = members[0].event
            self.location = next((m.event.location for m in members if m.event.location), None)
            self.flags = _merged_flags(members)
            in_dest = destination is not None and self.country == destination
            self.rank = stage_of(self.status, self.substatus, in_destination=in_dest)
        self.time = rep.time
        self.description = rep.description
        # Ties end at the cluster's first stored event: unique, and independent of input order.
        self.key = (self.time, self.rank, self.description, self.location or "",
                    self.country or "", self.substatus or "", self.items[0].key)


def _cluster(items: list[_Item]) -> list[_Cluster]:
    """Group time-ordered items into moments, comparing only within the shift window."""
    clusters: list[_Cluster] = []
    by_status: dict[Status, list[_Cluster]] = {}  # only same-status events can merge
    for item in items:
        candidates = by_status.setdefault(item.status, [])
        earliest = item.ts - _WINDOW
        target = None
        for cluster in reversed(candidates):
            # Clusters are created in time order, so older ones cannot match either.
            if cluster.first_ts < earliest:
                break
            if cluster.accepts(item):
                target = cluster
                break
        if target is None:
            target = _Cluster(item)
            clusters.append(target)
            candidates.append(target)
        else:
            target.add(item)
    return clusters


def _representative_key(item: _Item) -> tuple[object, ...]:
    """Prefer a time with a real offset, then one with seconds, then the earliest."""
    e = item.event
    rounded = e.time.second == 0 and e.time.microsecond == 0
    return (e.tz_assumption is not None, rounded, e.time, e.provider, e.tracking_number,
            e.description, e.location or "", e.raw_status or "")


def _source(e: StoredEvent) -> EventSource:
    """The per-provider record kept on a merged event."""
    raw = e.raw_description if e.raw_description != e.description else None
    return EventSource(
        provider=e.provider, tracking_number=e.tracking_number, description=e.description,
        raw_status=e.raw_status, time=e.time, raw_description=raw, location=e.location,
        country=e.country, tz_assumption=e.tz_assumption, substatus=e.substatus,
    )


_NO_FLAGS: list[str] = []


def _single_flags(e: StoredEvent) -> list[str]:
    """Flags of an event reported once."""
    if not e.unclassified and e.tz_assumption is None:
        return _NO_FLAGS
    flags = ["unclassified"] if e.unclassified else []
    if e.tz_assumption is not None:
        flags.append("tz_assumed")
    return flags


def _merged_flags(members: list[_Item]) -> list[str]:
    """Flags of a moment several sources reported; `members[0]` is the representative."""
    flags = []
    if all(m.event.unclassified for m in members):
        flags.append("unclassified")
    if members[0].event.tz_assumption is not None:
        flags.append("tz_assumed")
    if any(abs(m.ts - members[0].ts) > _SAME_TIME_TOLERANCE for m in members):
        flags.append("tz_shift")
    return flags


# --------------------------------------------------------------------------- derived facts


def _real_after_delivery(m: _Cluster, destination: str | None) -> bool:
    """Whether a non-delivery scan after a delivery is news rather than a lagging replay."""
    if m.status in _REAL_AFTER_DELIVERY:
        return True
    return (
        m.status is Status.IN_TRANSIT
        and destination is not None
        and m.country == destination
        and m.rank >= _STAGE_DESTINATION_TRANSIT
    )


def _is_origin_side(m: _Cluster) -> bool:
    """Scans that can only come before the parcel reaches the destination country."""
    return m.status in (Status.PENDING, Status.INFO_RECEIVED) or m.substatus in _ORIGIN_SUBSTATUSES


class _Facts:
    """Accumulates status, milestones and flags over the ordered merged events."""

    def __init__(self, destination: str | None) -> None:
        self.destination = destination
        self.first_delivered: datetime | None = None
        self.furthest = -1  # furthest forward stage reached (not counting exceptions/returns)
        self.returning = False
        self.current: _Cluster | None = None
        self.moved = False
        self.milestones: dict[str, datetime] = {}

    def late_or_after(self, m: _Cluster) -> str | None:
        """The delivery flag this event earns: "late_report", "after_delivery" or None."""
        if self.first_delivered is not None and m.time > self.first_delivered:
            if m.status is Status.DELIVERED:
                return None
            return "after_delivery" if _real_after_delivery(m, self.destination) else "late_report"
        if not self.returning and self.furthest >= _STAGE_ARRIVED and _is_origin_side(m):
            return "late_report"
        return None

    def observe(self, m: _Cluster, flag: str | None) -> None:
        """Fold one event (in timeline order) into the derived facts."""
        if flag != "late_report":  # a lagging provider's time says nothing about the parcel
            self._milestones(m)
        if flag == "after_delivery":
            self.moved = True
        if m.status is Status.DELIVERED and self.first_delivered is None:
            self.first_delivered = m.time
        if m.status in _RETURN_STATUSES:
            self.returning = True
        elif m.status is not Status.EXCEPTION and flag != "late_report":
            self.furthest = max(self.furthest, m.rank)
        if flag == "late_report":
            return
        # The way back to the sender passes through transit and customs scans again.
        if (self.current is not None and self.current.status in _RETURN_STATUSES
                and m.status in _RETURN_JOURNEY):
            return
        self.current = m

    def _milestones(self, m: _Cluster) -> None:
        """Record the first time each milestone is reached (last for last_delivered)."""
        marks = self.milestones
        status, sub = m.status, m.substatus
        # Any carrier scan proves acceptance, even when the acceptance scan itself is missing.
        if status not in (Status.PENDING, Status.INFO_RECEIVED, Status.EXCEPTION):
            marks.setdefault("accepted", m.time)
        if sub == "in_transit.departed_origin":
            marks.setdefault("departed_origin", m.time)
        elif sub == "in_transit.arrived_destination":
            marks.setdefault("arrived_destination", m.time)
        if status is Status.CUSTOMS:
            marks.setdefault("arrived_destination", m.time)
            if sub == "customs.cleared":
                marks.setdefault("customs_cleared", m.time)
        elif (self.destination is not None and m.country == self.destination
              and status not in (Status.PENDING, Status.INFO_RECEIVED)
              and sub not in _ORIGIN_SUBSTATUSES):
            marks.setdefault("arrived_destination", m.time)
        if status is Status.OUT_FOR_DELIVERY:
            marks.setdefault("out_for_delivery", m.time)
        elif status is Status.DELIVERED:
            marks.setdefault("first_delivered", m.time)
            marks["last_delivered"] = m.time
        elif status is Status.RETURNED:
            marks.setdefault("returned", m.time)

    def build_milestones(self) -> Milestones:
        """The milestones reached so far."""
        marks = self.milestones
        return Milestones(
            accepted=marks.get("accepted"),
            departed_origin=marks.get("departed_origin"),
            arrived_destination=marks.get("arrived_destination"),
            customs_cleared=marks.get("customs_cleared"),
            out_for_delivery=marks.get("out_for_delivery"),
            first_delivered=marks.get("first_delivered"),
            last_delivered=marks.get("last_delivered"),
            returned=marks.get("returned"),
        )


_FLAG_SETS: dict[tuple[str, ...], frozenset[str]] = {}


def _flag_set(flags: list[str], extra: str | None) -> frozenset[str]:
    """A shared frozenset for a flag combination (there are only a few)."""
    key = (*flags, extra) if extra else tuple(flags)
    found = _FLAG_SETS.get(key)
    if found is None:
        found = _FLAG_SETS.setdefault(key, frozenset(key))
    return found


def _current_status(current: _Cluster | None) -> tuple[Status, str | None]:
    """The timeline status for the deciding event; cleared customs means moving on."""
    if current is None:
        return Status.PENDING, None
    if current.substatus == "customs.cleared":
        return Status.IN_TRANSIT, current.substatus
    return current.status, current.substatus


_KEY = attrgetter("key")


def build_timeline(
    events: Iterable[StoredEvent],
    *,
    destination_country: str | None = None,
    estimates: Sequence[DeliveryEstimate] = (),
) -> Timeline:
    """Merge every provider's and leg's events into one ordered, de-duplicated timeline.

    `destination_country` (ISO-2) lets in-transit scans inside that country count as arrival
    and as real news after a delivery. `estimates` are all delivery estimates recorded; the
    most recently reported one becomes `Timeline.estimated_delivery`.
    """
    destination = destination_country.upper() if destination_country else None
    items = sorted([_Item(e, destination) for e in events], key=_KEY)
    merged = _cluster(items)
    for cluster in merged:
        cluster.finish(destination)
    merged.sort(key=_KEY)
    facts = _Facts(destination)
    timeline_events = []
    for m in merged:
        flag = facts.late_or_after(m)
        facts.observe(m, flag)
        timeline_events.append(
            TimelineEvent(
                m.time, m.status, m.description, m.location, m.country, m.substatus, m.sources,
                _flag_set(m.flags, flag),
            )
        )
    status, substatus = _current_status(facts.current)
    return Timeline(
        events=tuple(timeline_events),
        status=status,
        substatus=substatus,
        milestones=facts.build_milestones(),
        moved_after_delivery=facts.moved,
        estimated_delivery=latest_estimate(estimates),
    )


# --------------------------------------------------------------------------- estimates

_EPOCH = datetime.min.replace(tzinfo=UTC)


def latest_estimate(estimates: Iterable[DeliveryEstimate]) -> DeliveryEstimate | None:
    """The most recently reported estimate (unknown report times count as oldest)."""
    return max(
        estimates,
        key=lambda e: (e.reported_at is not None, e.reported_at or _EPOCH, e.date, e.source),
        default=None,
    )


def track_estimate(
    previous: Sequence[DeliveryEstimate], new: DeliveryEstimate
) -> tuple[list[DeliveryEstimate], bool]:
    """Append a new estimate to the history; also say whether it moved later for its source.

    An estimate equal in date to the same source's last one is not recorded again. Sources
    are compared only with themselves: a seller's promise and a carrier's estimate differ
    without anything having moved.
    """
    history = list(previous)
    last = next((e for e in reversed(history) if e.source == new.source), None)
    if last is not None and last.date == new.date:
        return history, False
    history.append(new)
    return history, last is not None and new.date > last.date


# --------------------------------------------------------------------------- hand-over numbers

#: Words that announce another tracking number in event text (normalized, many languages).
_FOLLOW_ON_CUE = re.compile(
    r"tracking|waybill|follow ?up|last ?mile|new number|new no|hand(ed)? ?over|transferred|"
    r"sendungsnummer|ubergeben|seguimiento|suivi|rastreio|rastreamento|tracciamento|"
    r"trackingnummer|volgnummer|numer przesylki|трек|单号|转单|新单号|交接"
)
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}\d[A-Za-z0-9]{8,29})(?![A-Za-z0-9])")
_S10 = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _s10_valid(serial: str, check: str) -> bool:
    """The UPU S10 check digit for an 8-digit serial matches."""
    c = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    c = 0 if c == 10 else 5 if c == 11 else c
    return c == int(check)


_PHONE_CUE = re.compile(r"(tel|phone|call|fax|mobile|whatsapp|\+)[\W_]*$", re.IGNORECASE)


def _plausible_number(token: str, before: str) -> bool:
    """A conservative test for a carrier tracking number; `before` is the text preceding it."""
    if s10 := _S10.match(token):
        return _s10_valid(s10.group(1), s10.group(2))
    if token.isdigit():
        # Bare digit runs are often phone or order numbers: long ones only, never after "call".
        return 12 <= len(token) <= 30 and _PHONE_CUE.search(before[-16:]) is None
    return sum(ch.isdigit() for ch in token) >= 8


def follow_on_numbers_from_text(description: str | None) -> tuple[str, ...]:
    """Tracking numbers a hand-over event announces, e.g. "new tracking number RR123456785DE".

    Only numbers in text with a cue ("tracking number", "handed over", "转单号", ...) are
    returned, upper-cased, in order, without repeats. S10 numbers must pass their check digit.
    The caller drops numbers it already tracks.
    """
    if not description or _FOLLOW_ON_CUE.search(normalize_text(description)) is None:
        return ()
    found = (
        m.group(1).upper()
        for m in _CANDIDATE.finditer(description)
        if _plausible_number(m.group(1).upper(), description[: m.start()])
    )
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- rendering


def _fmt(moment: datetime | None) -> str:
    """UTC ISO time to the minute, or "-"."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _status_label(status: Status, substatus: str | None) -> str:
    """"status" or "status/substatus" for display."""
    return f"{status}/{substatus}" if substatus else str(status)


def render_raw(events: Sequence[StoredEvent], timeline: Timeline) -> str:
    """Every provider's original events, grouped per provider and leg, then the merged result."""
    lines = ["Raw events (per provider and tracking number, times in UTC)"]
    groups: dict[tuple[str, str], list[StoredEvent]] = {}
    for e in sorted(events, key=lambda e: (e.provider, e.tracking_number, e.time, e.description)):
        groups.setdefault((e.provider, e.tracking_number), []).append(e)
    for (provider, number), group in groups.items():
        lines.append(f"== {provider} {number} ({len(group)} events)")
        for e in group:
            extra = [f"raw={e.raw_status}"] if e.raw_status else []
            if e.location:
                extra.append(f"at {e.location}")
            if e.tz_assumption:
                extra.append(f"tz assumed {e.tz_assumption}")
            if e.raw_description and e.raw_description != e.description:
                extra.append(f"original: {e.raw_description}")
            tail = f"  [{'; '.join(extra)}]" if extra else ""
            lines.append(f"  {_fmt(e.time)}  {_status_label(e.status, e.substatus):<40} "
                         f"{e.description}{tail}")
    lines.append(
        f"== merged ({len(timeline.events)} events, status "
        f"{_status_label(timeline.status, timeline.substatus)}"
        f"{', moved after delivery' if timeline.moved_after_delivery else ''})"
    )
    for ev in timeline.events:
        flags = f"  {{{', '.join(sorted(ev.flags))}}}" if ev.flags else ""
        where = f" @ {ev.location}" if ev.location else ""
        lines.append(f"  {_fmt(ev.time)}  {_status_label(ev.status, ev.substatus):<40} "
                     f"{ev.description}{where}  <{', '.join(ev.providers)}>{flags}")
    return "\n".join(lines)


_MILESTONE_LABELS = (
    ("accepted", "Accepted by carrier"),
    ("departed_origin", "Departed origin country"),
    ("arrived_destination", "Arrived in destination country"),
    ("customs_cleared", "Customs cleared"),
    ("out_for_delivery", "Out for delivery"),
    ("first_delivered", "Delivered (first)"),
    ("last_delivered", "Delivered (last)"),
    ("returned", "Returned to sender"),
)


def render_milestones(m: Milestones) -> list[str]:
    """One "label: time" line per milestone, "-" for those not reached."""
    return [f"{label:<31} {_fmt(getattr(m, name))}" for name, label in _MILESTONE_LABELS]
