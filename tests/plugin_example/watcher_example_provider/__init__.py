"""A minimal watcher tracking adapter: one JSON GET per number against a made-up API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from watcher.domain.models import ProviderEvent, Status, TrackingResult
from watcher.providers.base import HttpProvider, ProviderConfig, as_list, parse_datetime

#: The example API's status words mapped to watcher's vocabulary (unknown -> None).
STATUS_MAP = {"moving": Status.IN_TRANSIT, "done": Status.DELIVERED}


class ExampleConfig(ProviderConfig):
    """`[providers.example]` keys: the shared ones plus a greeting nobody needs."""

    greeting: str = "hello"


def parse_response(number: str, data: Any) -> TrackingResult:
    """Pure: the example API's JSON to a TrackingResult."""
    if not isinstance(data, dict) or not data.get("events"):
        return TrackingResult(tracking_number=number, found=False)
    events = []
    for item in as_list(data.get("events")):
        when = parse_datetime(item.get("at")) if isinstance(item, dict) else None
        if when is not None:
            events.append(
                ProviderEvent(
                    time=when,
                    description=str(item.get("text", "")),
                    status=STATUS_MAP.get(item.get("state")),
                    raw_status=item.get("state"),
                )
            )
    return TrackingResult(tracking_number=number, events=tuple(events))


class ExampleProvider(HttpProvider):
    """Adapter for the example API (no key)."""

    name = "example"
    batch_size = 1
    default_base_url: ClassVar[str] = "https://tracking.example.invalid"
    config_model: ClassVar[type[ProviderConfig]] = ExampleConfig
    default_requests_per_second: ClassVar[float | None] = 1.0

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        results = {}
        for number in numbers:
            response = await self.request("GET", f"/parcels/{number}", accept=(200, 404))
            data = self.json(response) if response.status_code == 200 else None
            results[number] = parse_response(number, data)
        return results
