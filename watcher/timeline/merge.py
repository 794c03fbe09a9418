"""Merge: group every provider's and leg's events into moments and order them. Pure.

* **Same moment.** Two events are one moment when they have the same status, compatible
  sub-statuses (equal, one missing, or one refining the other), no conflicting country or
  place, and either (a) times within 2 minutes (providers round or drop seconds), or (b) times
  a whole number of hours apart (1–14 h, ±2 min) reported by different sources (provider or
  leg): a local time read without its offset; plus similar wording (identical text, token
  Jaccard similarity ≥ 0.5, or both carry a sub-status; for (b) only when one side's zone was
  assumed). One source never reports one moment twice at different times. Merges of kind (b)
  are flagged "tz_shift". Different statuses or different places always stay separate.
* **Order.** By time, then by progress rank (`ranks.STATUS_RANK`), then text; ties are fully
  broken, so the result does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from watcher.domain.models import EventSource, Status, StoredEvent
from watcher.timeline.ranks import progress_rank
from watcher.timeline.similarity import same_place, similar_text
from watcher.timeline.vocabulary import canonical, compatible, more_specific

__all__ = ["Cluster", "merge"]

_SAME_TIME_TOLERANCE = 120.0  # seconds: rounding, dropped seconds, slow clocks
_MAX_SHIFT_HOURS = 14  # the widest UTC offset a naive local time can be off by
_WINDOW = _MAX_SHIFT_HOURS * 3600 + _SAME_TIME_TOLERANCE


class _Item:
    """A stored event plus the values the merge compares, computed once."""

    __slots__ = ("country", "event", "key", "rank", "source", "status", "substatus", "ts")

    def __init__(self, event: StoredEvent, destination: str | None) -> None:
        self.event = event
        self.ts = event.time.timestamp()
        self.source = (event.provider, event.tracking_number)
        self.country = country = event.country.upper() if event.country else None  # ISO-2, any case
        in_dest = destination is not None and country == destination
        self.status, self.substatus, self.rank = _canonical_ranked(
            event.status, event.substatus, in_dest
        )
        # A total order over stored events, so any input permutation merges identically.
        self.key = (
            event.time,
            self.rank,
            event.description,
            event.provider,
            event.tracking_number,
            event.location or "",
            event.country or "",
            self.status.value,
            event.substatus or "",
            event.raw_status or "",
            event.raw_description if event.raw_description != event.description else "",
            event.tz_assumption or "",
        )  # equal keys mean equal sources: `unclassified` only affects flags, never the merge


_CANONICAL_CACHE: dict[tuple[Status, str | None, bool], tuple[Status, str | None, int]] = {}


def _canonical_ranked(
    status: Status, substatus: str | None, in_dest: bool
) -> tuple[Status, str | None, int]:
    """`canonical` plus `progress_rank`, cached: a handful of combinations recur in every timeline."""
    key = (status, substatus, in_dest)
    found = _CANONICAL_CACHE.get(key)
    if found is None:
        status, substatus = canonical(status, substatus)
        found = _CANONICAL_CACHE.setdefault(
            key, (status, substatus, progress_rank(status, substatus, in_destination=in_dest))
        )
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
    if not same_place(ea.location, eb.location):
        return False
    if ea.description == eb.description:
        return True
    # Both carry a (compatible, checked by the caller) sub-status: the same specific meaning.
    both_specific = a.substatus is not None and b.substatus is not None
    if both_specific and (not shifted or ea.tz_assumption or eb.tz_assumption):
        return True
    return similar_text(ea.description, eb.description)


class Cluster:
    """Events found to be one moment; at most one status, sub-status and country.

    Once clustering is done, `finish` reduces it to one event's fields (time, text, place,
    sources, flags) and its sort key.
    """

    __slots__ = (
        "country",
        "description",
        "first_ts",
        "flags",
        "items",
        "key",
        "location",
        "rank",
        "sources",
        "status",
        "substatus",
        "time",
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
        if not compatible(item.substatus, self.substatus):
            return False
        if item.country and self.country and item.country != self.country:
            return False
        # One source never reports one moment twice at different times: such a pair is two scans.
        if any(
            m.source == item.source and abs(m.ts - item.ts) > _SAME_TIME_TOLERANCE
            for m in self.items
        ):
            return False
        return any(_same_moment(member, item) for member in self.items)

    def add(self, item: _Item) -> None:
        """Take the item in, keeping the most specific sub-status and the known country."""
        self.items.append(item)
        self.substatus = more_specific(self.substatus, item.substatus)
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
            self.rank = progress_rank(self.status, self.substatus, in_destination=in_dest)
        self.time = rep.time
        self.description = rep.description
        # Ties end at the cluster's first stored event: unique, and independent of input order.
        self.key = (
            self.time,
            self.rank,
            self.description,
            self.location or "",
            self.country or "",
            self.substatus or "",
            self.items[0].key,
        )


def _cluster(items: list[_Item]) -> list[Cluster]:
    """Group time-ordered items into moments, comparing only within the shift window."""
    clusters: list[Cluster] = []
    by_status: dict[Status, list[Cluster]] = {}  # only same-status events can merge
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
            target = Cluster(item)
            clusters.append(target)
            candidates.append(target)
        else:
            target.add(item)
    return clusters


def _representative_key(item: _Item) -> tuple[object, ...]:
    """Prefer a time with a real offset, then one with seconds, then the earliest."""
    e = item.event
    rounded = e.time.second == 0 and e.time.microsecond == 0
    return (
        e.tz_assumption is not None,
        rounded,
        e.time,
        e.provider,
        e.tracking_number,
        e.description,
        e.location or "",
        e.raw_status or "",
    )


def _source(e: StoredEvent) -> EventSource:
    """The per-provider record kept on a merged event."""
    raw = e.raw_description if e.raw_description != e.description else None
    return EventSource(
        provider=e.provider,
        tracking_number=e.tracking_number,
        description=e.description,
        raw_status=e.raw_status,
        time=e.time,
        raw_description=raw,
        location=e.location,
        country=e.country,
        tz_assumption=e.tz_assumption,
        substatus=e.substatus,
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


_KEY = attrgetter("key")


def merge(events: Iterable[StoredEvent], destination: str | None) -> list[Cluster]:
    """The events' moments in timeline order; `destination` is an upper-case ISO-2 code."""
    items = sorted([_Item(e, destination) for e in events], key=_KEY)
    merged = _cluster(items)
    for cluster in merged:
        cluster.finish(destination)
    merged.sort(key=_KEY)
    return merged
