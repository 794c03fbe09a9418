"""What Home Assistant is shown, read from the database: one `ParcelState` per active parcel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watcher.domain.models import Severity
from watcher.store.tables import AlertRow, EstimateRow, EventRow, ShipmentRow

#: Shipments read per query.
CHUNK = 5000
#: Statuses that put a parcel in "arriving today" whatever its estimate says.
ARRIVING = frozenset({"out_for_delivery", "available_for_pickup"})


@dataclass(frozen=True, slots=True)
class ParcelState:
    """One active parcel as Home Assistant shows it."""

    tracking_number: str
    label: str | None
    status: str
    substatus: str | None
    next_action: str | None = None  # the most urgent open alert's action
    severity: str | None = None
    problem: str | None = None  # that alert's kind
    act_by: date | None = None
    estimate: date | None = None
    last_event: str | None = None
    last_event_at: datetime | None = None
    last_event_location: str | None = None
    received_at: datetime | None = None


def read_parcels(session: Session) -> list[ParcelState]:
    """Every active (not archived) parcel with its most urgent alert, estimate and last event."""
    rows = list(
        session.execute(
            select(
                ShipmentRow.id,
                ShipmentRow.tracking_number,
                ShipmentRow.label,
                ShipmentRow.status,
                ShipmentRow.substatus,
                ShipmentRow.received_at,
            )
            .where(ShipmentRow.archived_at.is_(None))
            .order_by(ShipmentRow.id)
        )
    )
    alerts: dict[int, Any] = {}
    estimates: dict[int, date] = {}
    events: dict[int, Any] = {}
    # In chunks: SQLite caps the parameters of one statement (32,766), a household never does.
    for start in range(0, len(rows), CHUNK):
        ids = [row.id for row in rows[start : start + CHUNK]]
        alerts.update(_urgent_alerts(session, ids))
        estimates.update(_latest_estimates(session, ids))
        events.update(_last_events(session, ids))
    parcels = []
    for row in rows:
        alert, event = alerts.get(row.id), events.get(row.id)
        parcels.append(
            ParcelState(
                tracking_number=row.tracking_number,
                label=row.label,
                status=row.status,
                substatus=row.substatus,
                next_action=alert.action if alert else None,
                severity=alert.severity if alert else None,
                problem=alert.kind if alert else None,
                act_by=alert.act_by if alert else None,
                estimate=estimates.get(row.id),
                last_event=event.description if event else None,
                last_event_at=event.time if event else None,
                last_event_location=event.location if event else None,
                received_at=row.received_at,
            )
        )
    return parcels


def _urgent_alerts(session: Session, ids: list[int]) -> dict[int, Any]:
    """Per shipment, the open alert to act on first: most severe, then the earliest act-by."""
    query = select(
        AlertRow.shipment_id, AlertRow.action, AlertRow.severity, AlertRow.kind, AlertRow.act_by
    ).where(AlertRow.resolved_at.is_(None), AlertRow.shipment_id.in_(ids))
    best: dict[int, Any] = {}
    for alert in session.execute(query):
        current = best.get(alert.shipment_id)
        if current is None or _urgency(alert) < _urgency(current):
            best[alert.shipment_id] = alert
    return best


def _urgency(alert: Any) -> tuple[int, date]:
    rank = Severity(alert.severity).rank if alert.severity in Severity else 0
    return (-rank, alert.act_by or date.max)


def _latest_estimates(session: Session, ids: list[int]) -> dict[int, date]:
    """Per shipment, the estimate reported last (providers move them)."""
    query = (
        select(EstimateRow.shipment_id, EstimateRow.estimated_date)
        .where(EstimateRow.shipment_id.in_(ids))
        .order_by(EstimateRow.reported_at, EstimateRow.id)
    )
    return {row.shipment_id: row.estimated_date for row in session.execute(query)}


def _last_events(session: Session, ids: list[int]) -> dict[int, Any]:
    """Per shipment, its newest stored event (found through the (shipment_id, time) index)."""
    newest = (
        select(EventRow.shipment_id, func.max(EventRow.time).label("time"))
        .where(EventRow.shipment_id.in_(ids))
        .group_by(EventRow.shipment_id)
        .subquery()
    )
    query = (
        select(EventRow.shipment_id, EventRow.description, EventRow.time, EventRow.location)
        .join(
            newest,
            (EventRow.shipment_id == newest.c.shipment_id) & (EventRow.time == newest.c.time),
        )
        .order_by(EventRow.id)
    )
    return {row.shipment_id: row for row in session.execute(query)}
