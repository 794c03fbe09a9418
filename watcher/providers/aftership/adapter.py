"""AfterShip Tracking API adapter (date-versioned): list known trackings, create unknown ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from watcher.domain.errors import ProviderResponseError
from watcher.domain.models import ProviderEvent, Status, TrackingResult, Verdict
from watcher.providers.aftership.statuses import SUBTAG_MAP, TAG_MAP
from watcher.providers.base import (
    HttpProvider,
    ProviderConfig,
    as_dict,
    as_list,
    parse_country,
    parse_date,
    parse_datetime,
    text,
)
from watcher.providers.ratelimit import RateLimiter
from watcher.providers.statuses import Mapped, lookup

NAME = "aftership"
API_VERSION = "2026-07"

#: Documented per-endpoint limits (requests/second, per organization) since version 2024-07.
ENDPOINT_RATES = {"GET /trackings": 6.0, "POST /trackings": 20.0, "GET /trackings/{id}": 5.0}

#: meta.code AfterShip sends when a tracking already exists (create is then a no-op for us).
ALREADY_EXISTS = 4003
#: Statuses `POST /trackings` answers that we read ourselves (401/403/429/5xx still raise).
CREATE_ANSWERS = frozenset({200, 201, 400, 404, 409, 422})


def build_list_params(numbers: Sequence[str]) -> dict[str, str]:
    """Query of `GET /trackings` filtered to some numbers."""
    return {"tracking_numbers": ",".join(numbers)}


def build_create_body(number: str, slug: str | None = None) -> dict[str, Any]:
    """Body of `POST /trackings`."""
    return {"tracking_number": number, **({"slug": slug} if slug else {})}


def map_tag(tag: str | None, subtag: str | None) -> Mapped:
    """Subtag first (finer), the tag when the subtag is missing or unknown."""
    mapped = lookup(NAME, "subtag", SUBTAG_MAP, subtag)
    if mapped[0] is None:
        return lookup(NAME, "tag", TAG_MAP, tag)
    return mapped


def parse_checkpoint(checkpoint: dict[str, Any]) -> ProviderEvent | None:
    """One checkpoint (its time carries the local offset), or None without a usable time."""
    when = parse_datetime(checkpoint.get("checkpoint_time"))
    if when is None:
        return None
    tag, subtag = text(checkpoint.get("tag")), text(checkpoint.get("subtag"))
    status, substatus = map_tag(tag, subtag)
    return ProviderEvent(
        time=when,
        description=text(checkpoint.get("message")) or text(checkpoint.get("subtag_message")) or "",
        location=text(checkpoint.get("location")) or text(checkpoint.get("city")),
        # Observed: alpha-3 in `country_iso3` (v4) and in `country_region` (date-versioned).
        country=parse_country(
            checkpoint.get("country_region"),
            checkpoint.get("country_iso3"),
            checkpoint.get("country_name"),
        ),
        status=status,
        substatus=substatus,
        raw_status=subtag or tag,
        region=text(checkpoint.get("state")),
    )


def parse_estimated_delivery(tracking: dict[str, Any]) -> date | None:
    """The best estimate among the fields different API versions use."""
    latest = as_dict(tracking.get("latest_estimated_delivery"))
    courier = as_dict(tracking.get("courier_estimated_delivery_date"))
    aftership = as_dict(tracking.get("aftership_estimated_delivery_date"))
    for value in (
        latest.get("datetime_max"),
        latest.get("datetime"),
        courier.get("estimated_delivery_date_max"),
        courier.get("estimated_delivery_date"),
        aftership.get("estimated_delivery_date_max"),
        aftership.get("estimated_delivery_date"),
        tracking.get("expected_delivery"),
    ):
        found = parse_date(value)
        if found is not None:
            return found
    return None


def parse_tracking(tracking: dict[str, Any], *, skip: Any = None) -> TrackingResult:
    """One tracking object; bad checkpoints are skipped (and reported to `skip`)."""
    number = str(tracking.get("tracking_number", "")).upper()
    events: list[ProviderEvent] = []
    for raw in as_list(tracking.get("checkpoints")):
        event = parse_checkpoint(raw) if isinstance(raw, dict) else None
        if event is None:
            if skip:
                skip(number, raw)
            continue
        events.append(event)
    tag, subtag = text(tracking.get("tag")), text(tracking.get("subtag"))
    return TrackingResult(
        tracking_number=number,
        events=tuple(events),
        found=True,
        estimated_delivery=parse_estimated_delivery(tracking),
        carrier=text(tracking.get("slug")),
        raw_status=subtag or tag,
        verdict=parse_verdict(tag, subtag, bool(events)),
        origin_country=parse_country(
            tracking.get("origin_country_region"), tracking.get("origin_country_iso3")
        ),
        destination_country=parse_country(
            tracking.get("destination_country_region"), tracking.get("destination_country_iso3")
        ),
    )


def parse_verdict(tag: str | None, subtag: str | None, has_events: bool) -> Verdict | None:
    """The tracking's overall tag as a verdict; Expired with no checkpoints means AfterShip gave up.

    Observed: a tracking tagged Expired without checkpoints: not "pending", the provider stopped
    looking without ever finding the parcel.
    """
    if tag == "Expired" and not has_events:
        return Verdict(Status.EXCEPTION, "exception.tracking_expired", "Expired (no checkpoints)")
    status, substatus = map_tag(tag, subtag)
    if status is None:
        return None
    return Verdict(status, substatus, "/".join(filter(None, (tag, subtag))))


def list_trackings(data: Any, provider: str = NAME) -> list[dict[str, Any]]:
    """The tracking objects of a response, in any envelope AfterShip uses.

    Date-versioned lists: `data.trackings` with `pagination`; v4 lists: `data.trackings` with
    `page`/`limit`/`count`; v4 single trackings: `data.tracking`; date-versioned single
    trackings: `data` itself.
    """
    if not isinstance(data, dict) or "data" not in data:
        raise ProviderResponseError(provider, "response has no AfterShip envelope")
    body = as_dict(data.get("data"))
    if "trackings" in body:
        return [t for t in as_list(body.get("trackings")) if isinstance(t, dict)]
    single = as_dict(body.get("tracking")) or (body if "tracking_number" in body else {})
    return [single] if single else []


def endpoint_key(method: str, url: str) -> str:
    """'GET /trackings' style key of a request path (ids collapsed), for per-endpoint limits."""
    path = "/" + url.split("?", 1)[0].strip("/")
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "trackings":
        path = "/trackings/{id}"
    return f"{method.upper()} {path}"


class AfterShipProvider(HttpProvider):
    """AfterShip: key required; numbers are created once, then listed in batches."""

    name = NAME
    batch_size = 50
    default_base_url: ClassVar[str] = f"https://api.aftership.com/tracking/{API_VERSION}"
    config_model: ClassVar[type[ProviderConfig]] = ProviderConfig

    def __init__(
        self,
        config: ProviderConfig,
        *,
        name: str | None = None,
        config_dir: Path | None = None,
    ) -> None:
        super().__init__(config, name=name, config_dir=config_dir)
        # AfterShip limits each endpoint separately; a configured rate replaces all of them.
        self.limiters: dict[str, RateLimiter] = {
            key: self.make_limiter(per_second=rate) for key, rate in ENDPOINT_RATES.items()
        }

    def limiter_for(self, method: str, url: str) -> RateLimiter:
        return self.limiters.get(endpoint_key(method, url), self.limiter)

    def auth_headers(self) -> dict[str, str]:
        return {"as-api-key": self.api_key()}

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        response = await self.request("GET", "/trackings", params=build_list_params(numbers))
        results: dict[str, TrackingResult] = {}
        for tracking in list_trackings(self.json(response), self.name):
            parsed = self.safe_parse(
                lambda t=tracking: parse_tracking(t, skip=self._skipped), "tracking"
            )
            if parsed is not None and parsed.tracking_number in numbers:
                results[parsed.tracking_number] = parsed
        for number in numbers:
            if number not in results:
                created = await self.create(number)
                if created is not None:
                    results[number] = created
        return results

    async def create(self, number: str) -> TrackingResult | None:
        """Create a tracking; None when it already exists (listed next time)."""
        response = await self.request(
            "POST", "/trackings", json=build_create_body(number), accept=CREATE_ANSWERS
        )
        data = self.json(response)
        meta = as_dict(data.get("meta")) if isinstance(data, dict) else {}
        if response.status_code < 300:
            tracking = as_dict(as_dict(data).get("data"))
            tracking = as_dict(tracking.get("tracking")) or tracking  # older versions wrap it
            return self.safe_parse(
                lambda: parse_tracking({"tracking_number": number, **tracking}), "tracking"
            )
        if meta.get("code") == ALREADY_EXISTS or "exist" in str(meta.get("message", "")).lower():
            self.log.debug("%s already exists at AfterShip", number)
            return None
        # Invalid number, courier not detected...: AfterShip cannot track it.
        self.log.info("AfterShip refused %s: %s %s", number, meta.get("code"), meta.get("message"))
        return TrackingResult(tracking_number=number, found=False)

    def _skipped(self, number: str, raw: Any) -> None:
        self.log.warning("skipped a checkpoint of %s without a usable time", number)
