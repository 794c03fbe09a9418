"""Provider verdicts inform the current status (issue 15): kept when the events do not say it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.domain.models import Status, StoredEvent
from watcher.timeline.build import build_timeline

T0 = datetime(2026, 10, 3, 4, tzinfo=UTC)


def stored(days: int, status: Status, text: str, substatus: str | None = None) -> StoredEvent:
    return StoredEvent(
        T0 + timedelta(days=days), status, text, "17track", "LP00123456789012", substatus=substatus
    )


PICKUP = [
    stored(0, Status.IN_TRANSIT, "Accepted", "in_transit.accepted"),
    stored(9, Status.AVAILABLE_FOR_PICKUP, "Ready for collection"),
]
DELIVERED = [*PICKUP, stored(10, Status.DELIVERED, "Delivered")]


def verdict(status: str, substatus: str | None = None, provider: str = "17track") -> dict:
    return {"LP00123456789012": {"provider": provider, "status": status, "substatus": substatus}}


@pytest.mark.parametrize(
    ("events", "verdicts", "expected"),
    [
        (PICKUP, verdict("exception"), (Status.EXCEPTION, None)),  # observed: Exception_Other
        (PICKUP, verdict("returning"), (Status.RETURNING, None)),
        (PICKUP, verdict("delivered"), (Status.DELIVERED, None)),
        (PICKUP, verdict("in_transit"), (Status.AVAILABLE_FOR_PICKUP, None)),  # events further
        (DELIVERED, verdict("exception"), (Status.DELIVERED, None)),  # events ended: they win
        (
            PICKUP[:1],
            verdict("in_transit", "in_transit.expired"),
            (Status.IN_TRANSIT, "in_transit.expired"),
        ),
        (
            [],
            verdict("exception", "exception.tracking_expired"),
            (Status.EXCEPTION, "exception.tracking_expired"),
        ),
        (
            [],
            verdict("pending", "pending.unknown_number"),
            (Status.PENDING, "pending.unknown_number"),
        ),
        (PICKUP, None, (Status.AVAILABLE_FOR_PICKUP, None)),
        (PICKUP, {"X": {"status": "no-such-status"}}, (Status.AVAILABLE_FOR_PICKUP, None)),
    ],
)
def test_verdict_informs_current_status(events, verdicts, expected) -> None:
    timeline = build_timeline(events, verdicts=verdicts)
    assert (timeline.status, timeline.substatus) == expected
