"""What a message about an alert says: the facts for its template and the payload stored with it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from watcher.notify.messages import AlertFacts, EventLine, Rendered

if TYPE_CHECKING:
    from watcher.domain.models import Timeline
    from watcher.notify.routing import Router, Slot, State
    from watcher.store.tables import AlertRow, ShipmentRow


def event_lines(timeline: Timeline | None, tz: ZoneInfo, count: int) -> tuple[EventLine, ...]:
    """The last `count` timeline events, times in the owner's zone."""
    if timeline is None or count <= 0:
        return ()
    return tuple(
        EventLine(f"{e.time.astimezone(tz):%d %b %H:%M}", e.description, e.location)
        for e in timeline.events[-count:]
    )


def facts_for(
    alert: AlertRow,
    event: str,
    *,
    shipment: ShipmentRow | None,
    timeline: Timeline | None,
    router: Router,
    now: datetime,
) -> AlertFacts:
    """What a message about `alert` says."""
    name = (
        shipment.label if shipment is not None and shipment.label else None
    ) or alert.subject.removeprefix("provider:")
    return AlertFacts(
        name=name,
        tracking_number=shipment.tracking_number if shipment is not None else alert.subject,
        kind=alert.kind,
        action=alert.action,
        severity=alert.severity,
        message=alert.message,
        event=event,
        today=router.today(now),
        act_by=alert.act_by,
        evidence=tuple(alert.evidence or ()),
        events=event_lines(timeline, router.tz, router.recent_events),
        order_id=shipment.order_id if shipment is not None else None,
        marketplace=shipment.marketplace if shipment is not None else None,
    )


def payload_for(rendered: Rendered, state: State, slot: Slot, alert: AlertRow) -> dict[str, Any]:
    """The JSON stored with an outbox row: HTML, digest line, announced state, scheduling flags."""
    return {
        "v": 1,
        "html": rendered.html,
        "line": rendered.line,
        "state": state.as_dict(),
        "digest": slot.digest,
        "urgent": slot.urgent,
        "subject": alert.subject,
        "kind": alert.kind,
    }


__all__ = ["event_lines", "facts_for", "payload_for"]
