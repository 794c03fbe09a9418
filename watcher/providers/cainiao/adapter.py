"""Cainiao public global tracking adapter (key-less, best-effort; the AliExpress default)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from watcher.domain.errors import ProviderUnavailable
from watcher.domain.models import ProviderEvent, TrackingResult
from watcher.providers.base import HttpProvider, ProviderConfig, as_dict, as_list, text
from watcher.providers.cainiao.statuses import ACTION_MAP
from watcher.providers.statuses import lookup

if TYPE_CHECKING:
    import httpx  # imported where a client is made: `watcher status` and `list` need only the config models

NAME = "cainiao"
CHINA_ZONE = "Asia/Shanghai"
#: actionCode prefixes of events that happen in China (origin side): their zone is known.
ORIGIN_PREFIXES = ("CONSIGN", "OM_", "GWMS_", "PU_", "CW_", "SC_", "CC_EX_", "LH_HO_", "GTMS_ASN")
#: Keys that name the destination post's own number once it takes over (observed: realMailNo).
FOLLOW_ON_KEYS = ("realMailNo", "lastMileMailNo", "destMailNo")

_GMT_OFFSET = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")


def build_params(numbers: Sequence[str], lang: str = "en-US") -> dict[str, str]:
    """Query of `GET /global/detail.json`."""
    return {"mailNos": ",".join(numbers), "lang": lang}


def _zone(value: Any) -> timezone | None:
    """A fixed offset from 'GMT+8' / '+8' / '+08:00' style strings."""
    match = _GMT_OFFSET.match(text(value) or "")
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(sign * delta)


def parse_event_time(detail: dict[str, Any]) -> tuple[datetime, str | None] | None:
    """(time, tz_hint): epoch ms as aware UTC; else timeStr with its zone, or a naive guess."""
    millis = detail.get("time")
    if isinstance(millis, (int, float)) and not isinstance(millis, bool) and millis > 0:
        return datetime.fromtimestamp(millis / 1000, UTC), None
    raw = text(detail.get("timeStr"))
    if raw is None:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        return None
    zone = _zone(detail.get("timeZone"))
    if zone is not None:
        return local.replace(tzinfo=zone), None
    code = text(detail.get("actionCode")) or ""
    # Without a zone only origin-side (Chinese) scans have a safe guess; others stay unknown.
    return local, CHINA_ZONE if code.startswith(ORIGIN_PREFIXES) else None


def describe(detail: dict[str, Any]) -> str:
    """English standard text first (the classifier reads English), the original kept too."""
    desc, standard = text(detail.get("desc")), text(detail.get("standerdDesc"))
    if desc and standard and desc != standard:
        return f"{standard} / {desc}"
    return standard or desc or ""


def parse_detail(detail: dict[str, Any]) -> ProviderEvent | None:
    """One `detailList` entry, or None without a usable time."""
    parsed = parse_event_time(detail)
    if parsed is None:
        return None
    when, tz_hint = parsed
    code = text(detail.get("actionCode"))
    status, substatus = lookup(NAME, "actionCode", ACTION_MAP, code)
    return ProviderEvent(
        time=when,
        description=describe(detail),
        location=text(detail.get("location")) or text(detail.get("city")),
        status=status,
        substatus=substatus,
        raw_status=code,
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
    follow_on = tuple(
        dict.fromkeys(
            str(module[key]).strip().upper()
            for key in FOLLOW_ON_KEYS
            if text(module.get(key)) and str(module[key]).strip().upper() != number
        )
    )
    return TrackingResult(
        tracking_number=number,
        events=tuple(events),
        found=bool(details),
        carrier=text(as_dict(module.get("destCpInfo")).get("cpName")),
        follow_on_numbers=follow_on,
        raw_status=text(module.get("status")),
    )


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
