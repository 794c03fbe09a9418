"""One parcel's merged timeline from the store: the one loader behind show, case, evidence, web."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from watcher.domain.models import StoredEvent, Timeline
from watcher.store import delivery_estimates, tracking_events
from watcher.timeline.build import build_timeline


def load_timeline(session: Session, row: Any) -> tuple[Timeline, list[StoredEvent]]:
    """The timeline of shipment `row` (events, estimates, provider verdicts) and its events."""
    events = tracking_events.stored_events(session, row.id)
    estimates = delivery_estimates.estimates(session, row.id)
    timeline = build_timeline(
        events, destination_country=row.dest_country, estimates=estimates, verdicts=row.verdicts
    )
    return timeline, events
