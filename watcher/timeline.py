"""Turn stored provider events into one timeline (minimal first cut). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from watcher.models import (
    EventSource,
    Milestones,
    ProviderEvent,
    Status,
    StoredEvent,
    Timeline,
    TimelineEvent,
)


def resolve_time(event: ProviderEvent) -> tuple[datetime, str | None]:
    """The event's time in UTC, and the assumption made when no offset was given."""
    if event.time.tzinfo is not None:
        return event.time.astimezone(UTC), None
    zone = event.tz_hint or "UTC"
    return event.time.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC), zone


def build_timeline(events: Iterable[StoredEvent], *, destination_country: str | None = None) -> Timeline:
    ordered = sorted(events, key=lambda e: (e.time, e.provider, e.description))
    merged = tuple(
        TimelineEvent(
            time=e.time,
            status=e.status,
            description=e.description,
            location=e.location,
            country=e.country,
            substatus=e.substatus,
            sources=(EventSource(e.provider, e.tracking_number, e.raw_description or e.description, e.raw_status, e.time),),
        )
        for e in ordered
    )
    status = merged[-1].status if merged else Status.PENDING
    delivered = [e.time for e in merged if e.status == Status.DELIVERED]
    return Timeline(
        events=merged,
        status=status,
        substatus=merged[-1].substatus if merged else None,
        milestones=Milestones(
            first_delivered=delivered[0] if delivered else None,
            last_delivered=delivered[-1] if delivered else None,
        ),
    )
