"""Time resolution: the one place where a provider's wall time becomes a UTC instant. Pure.

`resolve_time(event, origin=, destination=, side=)` decides, in this order:

1. an explicit offset on the time (ISO offset, Cainiao's `timeZone`) is the instant;
2. a zone the provider states or documents for the event (`tz_hint`, an IANA name);
3. the place of the scan: the event's country (ISO alpha-2/alpha-3 or a name) and region, or the
   country and region named in its location text ("HENDERSON, NV, US", "Shenzhen, China");
   countries spanning several zones (US, CA, BR, RU, AU, MX) resolve through their state,
   province or city, and fall back to their most populous zone only when none is named;
4. the provider's home country (`home_country`, e.g. DHL Parcel DE is Germany);
5. the shipment: its origin for origin-side events, its destination for the others;
6. else UTC.

Every step after the first records its assumption, which is stored on the event
(`tz_assumption`) and shown by `watcher show --raw`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.domain.models import ProviderEvent
from watcher.domain.text import normalize_text
from watcher.timeline import zone_tables
from watcher.timeline.zone_tables import ALPHA3, COUNTRY_ALIASES, COUNTRY_ZONES

__all__ = [
    "COUNTRY_ZONES",
    "country_code",
    "country_from_location",
    "place_zone",
    "resolve_time",
]

Side = Literal["origin", "destination"]

# Keys normalized as the texts they are compared with (accents folded: "україна" → "украіна").
COUNTRY_NAMES = {normalize_text(k): v for k, v in zone_tables.COUNTRY_NAMES.items()}
REGION_ZONES = {
    country: {normalize_text(k): v for k, v in table.items()}
    for country, table in zone_tables.REGION_ZONES.items()
}

_COUNTRY_NAME_RE = re.compile(
    "|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(COUNTRY_NAMES, key=len, reverse=True))
)
_TRAILING_CODE_RE = re.compile(r"(?:^|[,\s])\s*([A-Za-z]{2,3})\s*$")
#: Region names long enough to find inside a longer place text ("MOSCOW SORTING CENTER").
_REGION_NAME_RES = {
    country: re.compile(
        "|".join(
            rf"(?<!\w){re.escape(k)}(?!\w)"
            for k in sorted((k for k in table if len(k) >= 4), key=len, reverse=True)
        )
    )
    for country, table in REGION_ZONES.items()
}


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    """The zone for an IANA name, or None when the name is unknown here."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1024)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for an alpha-2 or alpha-3 code or a country name we know ("DEU", "Germany")."""
    if not value:
        return None
    raw = value.strip()
    upper = COUNTRY_ALIASES.get(raw.upper(), raw.upper())
    if len(upper) == 2 and upper in COUNTRY_ZONES:
        return upper
    if len(upper) == 3 and upper in ALPHA3:
        return ALPHA3[upper]
    return COUNTRY_NAMES.get(normalize_text(raw))


@lru_cache(maxsize=4096)
def country_from_location(location: str | None) -> str | None:
    """The country a location string names ("Frankfurt, DE", "Shenzhen, China"), if any."""
    if not location:
        return None
    trailing = _TRAILING_CODE_RE.search(location)
    if trailing and (code := country_code(trailing.group(1))):
        return code
    named = _COUNTRY_NAME_RE.search(normalize_text(location))
    return COUNTRY_NAMES[named.group(0)] if named else None


def _region_zone(country: str, texts: tuple[str | None, ...]) -> str | None:
    """The zone of a region (state, province, city) of `country` named in `texts`, if any.

    Comma-separated parts are read right to left ("HENDERSON, NV, US": "NV" first). A short
    code counts only as a whole part or as a word of a short part ("HENDERSON NV 89011"), so
    "IN" or "OR" inside a sentence is not a state.
    """
    table = REGION_ZONES[country]
    for raw in texts:
        if not raw:
            continue
        for part in reversed(re.split(r"[,;/()]", raw)):
            words = normalize_text(part).split()
            if not words:
                continue
            joined = " ".join(words)
            if joined in table:
                return table[joined]
            if len(words) <= 3:
                for word in reversed(words):
                    if word in table:
                        return table[word]
        if found := _REGION_NAME_RES[country].search(normalize_text(raw)):
            return table[found.group(0)]
    return None


@lru_cache(maxsize=8192)
def place_zone(
    country: str | None, region: str | None, location: str | None
) -> tuple[str, str] | None:
    """(zone, reason) for a scan's place, or None when the place names no country we know."""
    code, source = country_code(country), "country"
    if code is None:
        code, source = country_from_location(location), "location country"
    if code is None:
        return None
    if code in REGION_ZONES:
        zone = _region_zone(code, (region, location))
        if zone is not None:
            return zone, f"from {source} {code}, region"
        return COUNTRY_ZONES[code], f"from {source} {code}; region unknown, most populous zone"
    return COUNTRY_ZONES[code], f"from {source} {code}"


def _shipment_zone(
    origin: str | None, destination: str | None, side: Side | None
) -> tuple[str, str] | None:
    """(zone, reason) from the shipment's countries for an event without a place."""
    origin, destination = country_code(origin), country_code(destination)
    if side == "origin" and origin:
        return COUNTRY_ZONES[origin], f"shipment origin {origin}"
    if side == "destination" and destination:
        return COUNTRY_ZONES[destination], f"shipment destination {destination}"
    if side is None and (destination or origin):
        code = destination or origin
        assert code is not None
        which = "destination" if destination else "origin"
        return COUNTRY_ZONES[code], f"shipment {which} {code}"
    return None


def resolve_time(
    event: ProviderEvent,
    *,
    origin: str | None = None,
    destination: str | None = None,
    side: Side | None = None,
) -> tuple[datetime, str | None]:
    """The event's instant in UTC, and the assumption made when no offset was given.

    `origin`/`destination` are the shipment's countries (any code or name), `side` whether the
    event happens on the origin side (announced, picked up, export) or the destination side
    (customs, last mile, delivery); both only matter for events without a place.
    """
    moment = event.time
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(UTC), None
    naive = moment.replace(tzinfo=None)
    for found in _candidates(event, origin, destination, side):
        if found is not None and (zone := _zone(found[0])) is not None:
            return naive.replace(tzinfo=zone).astimezone(UTC), f"{found[0]} ({found[1]})"
    return naive.replace(tzinfo=UTC), "UTC (unknown zone)"


def _candidates(
    event: ProviderEvent, origin: str | None, destination: str | None, side: Side | None
) -> Iterator[tuple[str, str] | None]:
    """(zone, reason) to try, most trustworthy first; computed lazily (most stop at the place)."""
    if event.tz_hint:
        yield event.tz_hint, "provider convention"
    yield place_zone(event.country, event.region, event.location)
    if home := country_code(event.home_country):
        yield COUNTRY_ZONES[home], f"provider's home country {home}"
    yield _shipment_zone(origin, destination, side)
