"""`normalize_event`: what the poller hands the store (time in UTC, status known)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from watcher.domain.models import NormalizedEvent, ProviderEvent, Status
from watcher.timeline.normalize import normalize_event, normalize_events

NAIVE = datetime(2026, 10, 20, 9, 15)

CASES = [
    pytest.param(
        ProviderEvent(
            time=NAIVE.replace(tzinfo=timezone(timedelta(hours=8))),
            description="Accepted",
            location="Shenzhen, CN",
            country="CN",
            status=Status.IN_TRANSIT,
            substatus="in_transit.accepted",
            raw_status="InTransit_PickedUp",
        ),
        NormalizedEvent(
            datetime(2026, 10, 20, 1, 15, tzinfo=UTC),
            Status.IN_TRANSIT,
            "in_transit.accepted",
            "Accepted",
            "Shenzhen, CN",
            "CN",
            "InTransit_PickedUp",
            None,
            False,
        ),
        id="offset given, provider status kept",
    ),
    pytest.param(
        ProviderEvent(
            time=NAIVE, description="Arrived", tz_hint="Europe/Berlin", status=Status.IN_TRANSIT
        ),
        NormalizedEvent(
            datetime(2026, 10, 20, 7, 15, tzinfo=UTC),
            Status.IN_TRANSIT,
            None,
            "Arrived",
            None,
            None,
            None,
            "Europe/Berlin (provider convention)",
            False,
        ),
        id="naive time in the provider's zone",
    ),
    pytest.param(
        ProviderEvent(time=NAIVE, description="Delivered to the recipient"),
        NormalizedEvent(
            NAIVE.replace(tzinfo=UTC),
            Status.DELIVERED,
            "delivered.recipient",
            "Delivered to the recipient",
            None,
            None,
            None,
            "UTC (unknown zone)",
            False,
        ),
        id="status classified from the text",
    ),
    pytest.param(
        ProviderEvent(
            time=NAIVE.replace(tzinfo=UTC), description="Unintelligible scan 42", substatus="x.y"
        ),
        NormalizedEvent(
            NAIVE.replace(tzinfo=UTC),
            Status.IN_TRANSIT,
            "x.y",
            "Unintelligible scan 42",
            None,
            None,
            None,
            None,
            True,
        ),
        id="unrecognised text falls back, provider sub-status kept",
    ),
]


@pytest.mark.parametrize(("event", "expected"), CASES)
def test_normalize_event(event: ProviderEvent, expected: NormalizedEvent) -> None:
    assert normalize_event(event) == expected


def test_normalize_events_keeps_order_and_repeats() -> None:
    events = [case.values[0] for case in CASES]
    assert normalize_events([*events, events[0]]) == [
        *(case.values[1] for case in CASES),
        CASES[0].values[1],
    ]
