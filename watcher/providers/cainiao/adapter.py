"""Cainiao public global tracking adapter (key-less, best-effort; the AliExpress default)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from watcher.domain.errors import ProviderUnavailable
from watcher.domain.models import ProviderEvent, Status, TrackingResult, Verdict
from watcher.domain.numbers import number_in_field
from watcher.providers.base import (
    HttpProvider,
    ProviderConfig,
    as_dict,
    as_list,
    parse_offset,
    text,
)
from watcher.providers.cainiao.statuses import ACTION_MAP
from watcher.providers.statuses import lookup
from watcher.timeline.zones import COUNTRY_ZONES, country_code

if TYPE_CHECKING:
    import httpx  # imported where a client is made: `watcher status` and `list` need only the config models

NAME = "cainiao"
CHINA_ZONE = "Asia/Shanghai"
#: actionCode prefixes of events that happen in China (origin side): their zone is known.
ORIGIN_PREFIXES = ("CONSIGN", "OM_", "GWMS_", "PU_", "CW_", "SC_", "CC_EX_", "LH_HO_", "GTMS_ASN")
#: Statuses only the last mile reports: such a scan happens in the destination country.
LAST_MILE = frozenset(
    {Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.ATTEMPT_FAILED, Status.DELIVERED}
)
#: Keys that name the destination post's own number once it takes over (observed: realMailNo,
#: sometimes with a label before the number, and copyRealMailNo).
FOLLOW_ON_KEYS = ("copyRealMailNo", "realMailNo", "lastMileMailNo", "destMailNo")
CHINA_OFFSET = timedelta(hours=8)


def build_params(numbers: Sequence[str], lang: str = "en-US") -> dict[str, str]:
    """Query of `GET /global/detail.json`."""
    return {"mailNos": ",".join(numbers), "lang": lang}


def parse_event_time(
    detail: dict[str, Any], last_mile: bool = False
) -> tuple[datetime, str | None, bool] | None:
    """(time, tz_hint, suspect) of one detail; `suspect` marks a wall time to place by the shipment.

    `timeStr` + `timeZone` is the instant when the zone is not China's: for scans abroad the
    epoch `time` was seen to be the wall time read at +08:00, 5-11 h off. A destination scan
    labelled +08:00 (`last_mile`: out for delivery, delivered...) is suspect, its wall time fits
    the destination's day, so it is returned naive for the time resolution to place in the
    destination. Otherwise the epoch. (GTMS_ codes alone do not mean abroad: GTMS_OE_DEPART was
    seen minutes after a pickup in China.)
    """
    raw = text(detail.get("timeStr"))
    local = _wall_time(raw)
    zone = parse_offset(detail.get("timeZone"))
    if local is not None and zone is not None:
        if zone.utcoffset(None) != CHINA_OFFSET:
            return local.replace(tzinfo=zone), None, False
        if last_mile:
            return local, None, True
    millis = detail.get("time")
    if isinstance(millis, (int, float)) and not isinstance(millis, bool) and millis > 0:
        return datetime.fromtimestamp(millis / 1000, UTC), None, False
    if local is None:
        return None
    if zone is not None:
        return local.replace(tzinfo=zone), None, False
    # Without a zone only origin-side (Chinese) scans have a safe guess; others stay unknown.
    code = text(detail.get("actionCode")) or ""
    return local, CHINA_ZONE if code.startswith(ORIGIN_PREFIXES) else None, False


def _wall_time(raw: str | None) -> datetime | None:
    """A 'YYYY-MM-DD HH:MM:SS' wall time, or None."""
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def describe(detail: dict[str, Any]) -> str:
    """English standard text first (the classifier reads English), the original kept too."""
    desc, standard = text(detail.get("desc")), text(detail.get("standerdDesc"))
    if desc and standard and desc != standard:
        return f"{standard} / {desc}"
    return standard or desc or ""


def parse_detail(detail: dict[str, Any]) -> ProviderEvent | None:
    """One `detailList` entry, or None without a usable time."""
    code = text(detail.get("actionCode"))
    status, substatus = lookup(NAME, "actionCode", ACTION_MAP, code)
    parsed = parse_event_time(detail, status in LAST_MILE)
    if parsed is None:
        return None
    when, tz_hint, suspect = parsed
    return ProviderEvent(
        time=when,
        description=describe(detail),
        location=text(detail.get("location")) or text(detail.get("city")),
        status=status,
        substatus=substatus,
        raw_status=code + " (+08:00 label distrusted)" if code and suspect else code,
        tz_hint=tz_hint,
    )


def parse_module(module: dict[str, Any], *, skip: Any = None) -> TrackingResult:
    """One number's entry; no details at all means Cainiao does not know it (yet)."""
    number = str(module.get("mailNo", "")).upper()
    details = as_list(module.get("detailList"))
    events: list[ProviderEvent] = []
    for raw in details:
        event = parse_detail(raw) if isinstance(raw, dict) else None
        if event is None:
            if skip:
                skip(number, raw)
            continue
        events.append(event)
    found_numbers = (number_in_field(module.get(key)) for key in FOLLOW_ON_KEYS)
    follow_on = tuple(dict.fromkeys(n for n in found_numbers if n and n != number))
    status = text(module.get("status"))
    verdict = None
    if status is None and not events:
        # Observed: Cainiao answers an unknown number with a module without any status.
        verdict = Verdict(Status.PENDING, "pending.unknown_number", "no status (unknown number)")
    return TrackingResult(
        tracking_number=number,
        events=tuple(events),
        found=bool(details),
        estimated_delivery=parse_eta(module),
        carrier=text(as_dict(module.get("destCpInfo")).get("cpName")),
        follow_on_numbers=follow_on,
        raw_status=status,
        verdict=verdict,
        origin_country=country_code(text(module.get("originCountry"))),
        destination_country=country_code(text(module.get("destCountry"))),
    )


def parse_eta(module: dict[str, Any]) -> date | None:
    """The latest delivery estimate: `globalEtaInfo.deliveryMaxTime` (or Min), epoch ms.

    The date is the destination's calendar day when its zone is known, else UTC's.
    """
    eta = as_dict(module.get("globalEtaInfo"))
    for key in ("deliveryMaxTime", "deliveryMinTime"):
        millis = eta.get(key)
        if isinstance(millis, (int, float)) and not isinstance(millis, bool) and millis > 0:
            moment = datetime.fromtimestamp(millis / 1000, UTC)
            zone = destination_zone(text(module.get("destCountry")))
            return (moment.astimezone(zone) if zone else moment).date()
    return None


def destination_zone(country: str | None) -> ZoneInfo | None:
    """The representative zone of a destination country (for an estimate's calendar day)."""
    code = country_code(country)
    return ZoneInfo(COUNTRY_ZONES[code]) if code else None


class CainiaoProvider(HttpProvider):
    """Cainiao global tracking: no key, no documented quota, so slow and polite."""

    name = NAME
    batch_size = 10
    default_base_url: ClassVar[str] = "https://global.cainiao.com"
    config_model: ClassVar[type[ProviderConfig]] = ProviderConfig
    default_requests_per_second: ClassVar[float | None] = 1.0
    # A normal browser-like agent: the endpoint serves anti-bot pages to unusual clients.
    user_agent: ClassVar[str] = (
        "Mozilla/5.0 (X11; Linux x86_64) watcher/0.1 (+self-hosted parcel tracker)"
    )

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        response = await self.request("GET", "/global/detail.json", params=build_params(numbers))
        modules = self.read_modules(response)
        results: dict[str, TrackingResult] = {}
        for module in modules:
            parsed = self.safe_parse(lambda m=module: parse_module(m, skip=self._skipped), "module")
            if parsed is not None and parsed.tracking_number:
                results[parsed.tracking_number] = parsed
        return results

    def read_modules(self, response: httpx.Response) -> list[dict[str, Any]]:
        """The `module` list, or ProviderUnavailable for any "no data this time" answer."""
        try:
            data = response.json()
        except ValueError:
            # Anti-bot/captcha HTML with status 200: come back later, the numbers are not unknown.
            raise ProviderUnavailable(
                self.name, "no data this time (not JSON, probably an anti-bot page)"
            ) from None
        if not isinstance(data, dict) or data.get("success") is False:
            raise ProviderUnavailable(self.name, "no data this time (success: false)")
        modules = [m for m in as_list(data.get("module")) if isinstance(m, dict)]
        if not modules:
            raise ProviderUnavailable(self.name, "no data this time (empty module)")
        return modules

    def _skipped(self, number: str, raw: Any) -> None:
        self.log.warning("skipped an event of %s without a usable time", number)
