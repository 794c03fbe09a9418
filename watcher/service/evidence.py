"""The evidence a buyer attaches to a dispute, as JSON (a minimal version for `serve`).

Order facts, every provider's stored events, open and past alerts, the case history and the
notifications sent: what the record says, with the time it was exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from watcher.domain.numbers import normalize_tracking_number
from watcher.domain.timefmt import iso
from watcher.service.cases import case_json
from watcher.store import shipments, tracking_events
from watcher.store.tables import AlertRow, NotificationRow

if TYPE_CHECKING:
    from watcher.service.app import App


def evidence_json(app: App, tracking_number: str) -> dict[str, Any]:
    """Everything watcher knows about one parcel, for a dispute or a claim."""
    number = normalize_tracking_number(tracking_number)
    with app.sessions() as session:
        row = shipments.require_shipment(session, number)
        events = tracking_events.stored_events(session, row.id)
        alerts = list(
            session.scalars(
                select(AlertRow).where(AlertRow.shipment_id == row.id).order_by(AlertRow.id)
            )
        )
        alert_ids = [a.id for a in alerts]
        sent = list(
            session.scalars(
                select(NotificationRow)
                .where(
                    NotificationRow.alert_id.in_(alert_ids), NotificationRow.sent_at.is_not(None)
                )
                .order_by(NotificationRow.sent_at)
            )
        )
        data: dict[str, Any] = {
            "exported_at": iso(app.clock.now()),
            "tracking_number": row.tracking_number,
            "legs": shipments.leg_numbers(session, row.id),
            "order": {
                "marketplace": row.marketplace,
                "order_id": row.order_id,
                "ordered_at": row.ordered_at.isoformat() if row.ordered_at else None,
                "protection_ends": row.protection_ends.isoformat() if row.protection_ends else None,
                "label": row.label,
            },
            "status": row.status,
            "received_at": iso(row.received_at),
            "not_received_at": iso(row.not_received_at),
            "events": [
                {
                    "time": iso(e.time),
                    "provider": e.provider,
                    "tracking_number": e.tracking_number,
                    "status": e.status.value,
                    "description": e.description,
                    "location": e.location,
                    "raw_status": e.raw_status,
                }
                for e in events
            ],
            "alerts": [
                {
                    "kind": a.kind,
                    "action": a.action,
                    "severity": a.severity,
                    "message": a.message,
                    "act_by": a.act_by.isoformat() if a.act_by else None,
                    "evidence": list(a.evidence or []),
                    "opened_at": iso(a.opened_at),
                    "resolved_at": iso(a.resolved_at),
                }
                for a in alerts
            ],
            "notifications": [
                {"target": n.target, "title": n.title, "sent_at": iso(n.sent_at)} for n in sent
            ],
        }
    data["case"] = case_json(app, number)
    return data
