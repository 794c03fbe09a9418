"""Time zones: put a provider time without offset into a zone and convert it to UTC. Pure.

`resolve_time` places a time without offset in the provider's documented zone (`tz_hint`),
else the zone of the event's country, else of a country named in its location, else UTC; the
assumption is returned and stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.domain.models import ProviderEvent
from watcher.domain.text import normalize_text

__all__ = ["COUNTRY_ZONES", "country_from_location", "resolve_time"]

# Tables: several entries a line keep them short and easy to scan.
# fmt: off
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
# fmt: on
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
_COUNTRY_NAME_RE = re.compile(
    "|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(_COUNTRY_NAMES, key=len, reverse=True))
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
