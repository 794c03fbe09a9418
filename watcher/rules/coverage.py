"""Blind spots per parcel: a provider asked about a parcel that keeps knowing nothing of it. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from watcher.domain.models import PRE_SHIPMENT_STATUSES, Action, Alert, Severity, StoredEvent

#: A provider that still has no event this long after the parcel's first carrier scan
#: (elsewhere) is not going to find it by itself: wrong carrier, wrong number, or no coverage.
NOT_FOUND_ALERT_AFTER = timedelta(days=7)


def shipped_at(events: Sequence[StoredEvent]) -> datetime | None:
    """The first moment any provider saw the parcel with a carrier."""
    times = [e.time for e in events if e.status not in PRE_SHIPMENT_STATUSES]
    return min(times, default=None)


def not_found_alerts(
    tracking_number: str, events: Sequence[StoredEvent], asked: Sequence[str], now: datetime
) -> tuple[list[Alert], datetime | None]:
    """Alerts for providers that know nothing long after shipping, and when to look again."""
    shipped = shipped_at(events)
    if shipped is None:
        return [], None
    due = shipped + NOT_FOUND_ALERT_AFTER
    if now < due:
        return [], due
    knowing = {e.provider for e in events}
    days = (now - shipped).days
    alerts = [
        Alert(
            tracking_number=tracking_number,
            kind="provider_not_found",
            action=Action.CHECK_PROVIDER,
            severity=Severity.INFO,
            message=(
                f"{name} still has no record of {tracking_number}, {days} days after the parcel was first "
                f"scanned: check the number and carrier there, or remove {name} from this parcel's providers."
            ),
            key=f"not_found:{name}",
        )
        for name in asked
        if name not in knowing
    ]
    return alerts, None
