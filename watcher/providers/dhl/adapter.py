"""DHL Shipment Tracking - Unified API adapter (one number per request, small daily quota)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from watcher.domain.errors import ProviderResponseError
from watcher.domain.models import ProviderEvent, TrackingResult, Verdict
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
from watcher.providers.dhl.statuses import STATUS_MAP
from watcher.providers.statuses import lookup
from watcher.timeline.zones import country_from_location

if TYPE_CHECKING:
    import httpx  # imported where a client is made: `watcher status` and `list` need only the config models

NAME = "dhl"


class DhlConfig(ProviderConfig):
    """`[providers.dhl]` keys; the optional hints improve matching and unlock detail."""

    service: str | None = None  # express, parcel-de, ecommerce, ...
    language: str | None = Field(default=None, min_length=2, max_length=5)
    requester_country_code: str | None = Field(default=None, min_length=2, max_length=2)
    origin_country_code: str | None = Field(default=None, min_length=2, max_length=2)
    recipient_postal_code: str | None = None


def build_params(number: str, config: ProviderConfig) -> dict[str, str]:
    """Query of `GET /track/shipments` for one number."""
    optional = {
        "service": getattr(config, "service", None),
        "language": getattr(config, "language", None),
        "requesterCountryCode": getattr(config, "requester_country_code", None),
        "originCountryCode": getattr(config, "origin_country_code", None),
        "recipientPostalCode": getattr(config, "recipient_postal_code", None),
    }
    return {"trackingNumber": number, **{k: v for k, v in optional.items() if v}}


#: DHL services that work inside one country: an event without a place happened there.
SERVICE_HOMES = {
    "parcel-de": "DE", "post-de": "DE", "parcel-nl": "NL", "parcel-pl": "PL",
    "parcel-uk": "GB", "parcel-at": "AT", "parcel-be": "BE", "parcel-lu": "LU",
}  # fmt: skip


def parse_place(value: Any) -> tuple[str | None, str | None]:
    """(locality text, ISO alpha-2) of a DHL `location`/`origin`/`destination` object."""
    address = as_dict(as_dict(value).get("address"))
    locality = text(address.get("addressLocality"))
    return locality, parse_country(address.get("countryCode"))


def parse_event(event: dict[str, Any], home_country: str | None = None) -> ProviderEvent | None:
    """One event; DHL sends local wall times without offset (kept naive, placed by `zones`).

    Observed: most events have no `countryCode`, some no `location`, many ecommerce events
    only `status` and no `description`; `statusCode` may be "unknown".
    """
    when = parse_datetime(event.get("timestamp"))
    if when is None:
        return None
    code = text(event.get("statusCode"))
    status, substatus = lookup(NAME, "statusCode", STATUS_MAP, code)
    locality, country = parse_place(event.get("location"))
    return ProviderEvent(
        time=when,
        description=text(event.get("description")) or text(event.get("status")) or "",
        location=locality,
        country=country or country_from_location(locality),
        status=status,
        substatus=substatus,
        raw_status=code,
        home_country=home_country,
    )


def parse_estimate(shipment: dict[str, Any]) -> date | None:
    """The latest delivery day DHL gives: the time frame's end, else `estimatedTimeOfDelivery`."""
    frame = as_dict(shipment.get("estimatedDeliveryTimeFrame"))
    return (
        parse_date(frame.get("estimatedThrough"))
        or parse_date(shipment.get("estimatedTimeOfDelivery"))
        or parse_date(frame.get("estimatedFrom"))
    )


def parse_shipments(
    data: Any, number: str, *, skip: Any = None, service: str | None = None
) -> TrackingResult:
    """The response for one number: its first shipment, or not-found when there is none."""
    if not isinstance(data, dict):
        raise ProviderResponseError(NAME, "expected a JSON object")
    shipments = [s for s in as_list(data.get("shipments")) if isinstance(s, dict)]
    if not shipments:
        return TrackingResult(tracking_number=number, found=False)
    shipment = shipments[0]
    service = text(shipment.get("service")) or service
    home = SERVICE_HOMES.get(service or "")
    events: list[ProviderEvent] = []
    for raw in as_list(shipment.get("events")):
        event = parse_event(raw, home) if isinstance(raw, dict) else None
        if event is None:
            if skip:
                skip(number, raw)
            continue
        events.append(event)
    status = as_dict(shipment.get("status"))
    overall = text(status.get("statusCode"))
    mapped, mapped_sub = STATUS_MAP.get(overall or "", (None, None))
    origin_text, origin = parse_place(shipment.get("origin"))
    destination_text, destination = parse_place(shipment.get("destination"))
    return TrackingResult(
        tracking_number=number,
        events=tuple(events),
        found=True,
        estimated_delivery=parse_estimate(shipment),
        carrier=f"dhl-{service}" if service else "dhl",
        raw_status=overall,
        verdict=Verdict(mapped, mapped_sub, overall) if mapped is not None else None,
        origin_country=origin or country_from_location(origin_text) or home,
        destination_country=destination or country_from_location(destination_text) or home,
    )


class DhlProvider(HttpProvider):
    """DHL unified tracking: key required, one number per call, budgeted per day."""

    name = NAME
    batch_size = 1
    default_base_url: ClassVar[str] = "https://api-eu.dhl.com"
    config_model: ClassVar[type[ProviderConfig]] = DhlConfig
    # Free tier (recalled: 250 calls/day, one call per 5 s); raise both in the config if granted.
    default_requests_per_second: ClassVar[float | None] = 0.2
    default_requests_per_day: ClassVar[int | None] = 250

    def auth_headers(self) -> dict[str, str]:
        return {"DHL-API-Key": self.api_key(), "Accept": "application/json"}

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        results: dict[str, TrackingResult] = {}
        for number in numbers:
            results[number] = await self.fetch_one(number)
        return results

    async def fetch_one(self, number: str) -> TrackingResult:
        """One request for one number; a problem+json 404 means not found."""
        response = await self.request(
            "GET", "/track/shipments", params=build_params(number, self.config), accept=(200, 404)
        )
        if response.status_code == 404:
            self.check_problem(response)
            return TrackingResult(tracking_number=number, found=False)
        data = self.json(response)
        parsed = self.safe_parse(
            lambda: parse_shipments(
                data, number, skip=self._skipped, service=getattr(self.config, "service", None)
            ),
            "shipment",
        )
        if parsed is None:
            raise ProviderResponseError(self.name, f"unreadable shipment for {number}")
        return parsed

    def check_problem(self, response: httpx.Response) -> None:
        """A 404 must be DHL's problem document, not a proxy's or a moved endpoint's page."""
        problem = self.json(response)
        if not isinstance(problem, dict) or problem.get("status") not in (404, "404", None):
            raise ProviderResponseError(self.name, "HTTP 404 without a problem document")

    def _skipped(self, number: str, raw: Any) -> None:
        self.log.warning("skipped an event of %s without a usable time", number)
