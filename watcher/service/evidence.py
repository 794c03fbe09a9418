"""Gather what a buyer attaches to a dispute: order, merged timeline with every provider's raw
events, case history, alerts, notifications sent, checklist and dates, as one JSON-ready dict.

The dict is the report's contract (`watcher evidence --out DIR` writes it as JSON and renders the
HTML from it): keys are added, never renamed. Reading is all it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.config import Settings
from watcher.domain.models import Alert, EventSource, StoredEvent, Timeline, TimelineEvent
from watcher.domain.timefmt import iso
from watcher.rules import evaluate
from watcher.rules.base import RuleContext, last_dispute_day
from watcher.rules.case import state_of
from watcher.rules.evidence import evidence_details
from watcher.service.evaluator import rule_context
from watcher.service.timelines import load_timeline
from watcher.store import cases, shipments
from watcher.store.tables import AlertRow, NotificationRow, ShipmentRow

#: The report's format version (bumped when a key changes meaning).
REPORT_VERSION = 1

#: Case steps that need papers of their own (`rules/evidence.py` case kinds).
_STEP_KINDS = {
    "extension-requested": "extension_requested",
    "dispute-opened": "dispute",
    "escalated": "dispute",
    "claim-filed": "courier_claim",
    "chargeback": "chargeback",
    "not-received": "not_received",
}


def gather_evidence(
    session: Session, number: str, now: datetime, *, settings: Settings
) -> dict[str, Any]:
    """The evidence report of one stored parcel at `now` (raises InputError when unknown)."""
    row = shipments.require_shipment(session, number)
    tz = ZoneInfo(settings.timezone)
    timeline, events = load_timeline(session, row)
    legs = shipments.legs_by_shipment(session, [row.id]).get(row.id, [])
    history = cases.step_rows(session, row.case_id) if row.case_id is not None else []
    # The buyer's case moves the dates (an extension, a "delivered" scan): the same view as
    # the evaluator's and `watcher case`.
    ctx = rule_context(
        row, timeline, now, profiles=settings.profiles, tz=tz, legs=legs, case=state_of(history)
    )
    current = evaluate(ctx).alerts
    stored_alerts = _alert_rows(session, row)
    steps = [_step_json(step) for step in history]
    return {
        "report": "watcher evidence",
        "version": REPORT_VERSION,
        "generated_at": iso(now),
        "timezone": settings.timezone,
        "order": _order(row, ctx, legs),
        "dates": _dates(ctx, timeline, current, steps),
        "current_alerts": [_current_alert(alert) for alert in current],
        "timeline": [_timeline_event(event, tz) for event in timeline.events],
        "raw_events": _raw_events(events, tz),
        "case": {"id": row.case_id, "steps": steps},
        "alerts": [_stored_alert(alert) for alert in stored_alerts],
        "notifications": _notifications(session, stored_alerts),
        "checklist": _checklist(ctx, current, stored_alerts, steps),
    }


def _order(row: ShipmentRow, ctx: RuleContext, legs: Sequence[Any]) -> dict[str, Any]:
    """Who ordered what where: the shipment's stored facts."""
    return {
        "tracking_number": row.tracking_number,
        "label": row.label,
        "marketplace": row.marketplace,
        "order_id": row.order_id,
        "ordered_at": _day(row.ordered_at),
        "protection_ends": _day(row.protection_ends),
        "max_delivery_days": row.max_delivery_days,
        "insured": bool(row.insured),
        "destination": {
            "country": row.dest_country,
            "city": row.dest_city,
            "postcode": row.dest_postcode,
        },
        "legs": [
            {"tracking_number": leg.tracking_number, "added_at": iso(leg.added_at)} for leg in legs
        ],
        "status": ctx.timeline.status.value,
        "substatus": ctx.timeline.substatus,
        "created_at": iso(row.created_at),
        "received_at": iso(row.received_at),
        "not_received_at": iso(row.not_received_at),
        "archived_at": iso(row.archived_at),
    }


def _dates(
    ctx: RuleContext, timeline: Timeline, current: Sequence[Alert], steps: Sequence[Any]
) -> list[dict[str, Any]]:
    """The dates a dispute turns on, in order: order, scans, deadlines, next act-by."""
    ms = timeline.milestones
    found: list[tuple[str, date | None, str]] = [
        ("ordered", _parse_day(ctx.shipment.ordered_at), "order page"),
        ("first carrier scan", _local(ms.accepted, ctx), "tracking"),
        ("left the origin country", _local(ms.departed_origin, ctx), "tracking"),
        ("arrived in the destination country", _local(ms.arrived_destination, ctx), "tracking"),
        ("'delivered' scan", _local(ms.first_delivered, ctx), "tracking"),
        ("last tracking event", _local(timeline.last_event_at, ctx), "tracking"),
        ("reported not received", _local(ctx.shipment.not_received_at, ctx), "you"),
    ]
    for step in steps:
        if step["undone_at"] is None and step["until"]:
            found.append((f"{step['step']}: new protection end", _parse_day(step["until"]), "case"))
    if ctx.deadline is not None:
        found.append(("buyer protection ends", ctx.deadline, ctx.deadline_source))
        found.append(
            ("last day for a dispute after that", last_dispute_day(ctx.deadline, ctx.profile), "")
        )
    for alert in current:
        if alert.act_by:
            found.append((f"act by ({alert.kind}: {alert.action})", alert.act_by, "watcher"))
    dated = [(what, day, source) for what, day, source in found if day is not None]
    dated.sort(key=lambda item: item[1])
    return [{"what": w, "date": d.isoformat(), "source": s} for w, d, s in dated]


def _local(moment: datetime | None, ctx: RuleContext) -> date | None:
    return ctx.date_of(moment) if moment else None


def _timeline_event(event: TimelineEvent, tz: ZoneInfo) -> dict[str, Any]:
    """One merged event with every provider's own report of it."""
    return {
        "time": iso(event.time),
        "local_time": _local_time(event.time, tz),
        "status": event.status.value,
        "substatus": event.substatus,
        "description": event.description,
        "location": event.location,
        "country": event.country,
        "flags": sorted(event.flags),
        "sources": [_source(source, tz) for source in event.sources],
    }


def _source(source: EventSource, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "provider": source.provider,
        "tracking_number": source.tracking_number,
        "time": iso(source.time),
        "local_time": _local_time(source.time, tz),
        "description": source.description,
        "raw_description": source.raw_description,
        "raw_status": source.raw_status,
        "location": source.location,
        "tz_assumption": source.tz_assumption,
    }


def _raw_events(events: Iterable[StoredEvent], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every stored event as its provider reported it, by provider and number, oldest first."""
    ordered = sorted(events, key=lambda e: (e.provider, e.tracking_number, e.time))
    return [
        {
            "provider": e.provider,
            "tracking_number": e.tracking_number,
            "time": iso(e.time),
            "local_time": _local_time(e.time, tz),
            "status": e.status.value,
            "substatus": e.substatus,
            "description": e.description,
            "raw_description": e.raw_description,
            "raw_status": e.raw_status,
            "location": e.location,
            "country": e.country,
            "tz_assumption": e.tz_assumption,
        }
        for e in ordered
    ]


def _step_json(step: Any) -> dict[str, Any]:
    """One entry of the case history (undone steps stay, marked)."""
    return {
        "step": step.step,
        "at": iso(step.at),
        "until": _day(step.until),
        "by": step.by,
        "detail": step.detail,
        "note": step.note,
        "recorded_at": iso(step.recorded_at),
        "undone_at": iso(step.undone_at),
    }


def _alert_rows(session: Session, row: ShipmentRow) -> list[AlertRow]:
    """Every alert ever raised on this parcel, oldest first."""
    query = select(AlertRow).where(AlertRow.subject == row.tracking_number)
    return list(session.scalars(query.order_by(AlertRow.opened_at, AlertRow.id)))


def _stored_alert(row: AlertRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "action": row.action,
        "severity": row.severity,
        "act_by": _day(row.act_by),
        "message": row.message,
        "opened_at": iso(row.opened_at),
        "resolved_at": iso(row.resolved_at),
    }


def _current_alert(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "action": alert.action.value,
        "severity": alert.severity.value,
        "act_by": _day(alert.act_by),
        "message": alert.message,
    }


def _notifications(session: Session, alerts: Sequence[AlertRow]) -> list[dict[str, Any]]:
    """The messages watcher sent (or tried to) about this parcel's alerts."""
    ids = [alert.id for alert in alerts]
    if not ids:
        return []
    kinds = {alert.id: alert.kind for alert in alerts}
    query = (
        select(NotificationRow)
        .where(NotificationRow.alert_id.in_(ids))
        .order_by(NotificationRow.created_at, NotificationRow.id)
    )
    return [
        {
            "alert": kinds.get(n.alert_id) if n.alert_id is not None else None,
            "target": n.target,
            "event": n.event,
            "severity": n.severity,
            "title": n.title,
            "created_at": iso(n.created_at),
            "sent_at": iso(n.sent_at),
            "failed_at": iso(n.failed_at),
            "attempts": n.attempts,
        }
        for n in session.scalars(query)
    ]


def _checklist(
    ctx: RuleContext,
    current: Sequence[Alert],
    stored: Sequence[AlertRow],
    steps: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The evidence for the open problems and the case's steps; watcher's own items ticked."""
    kinds = [alert.kind for alert in current]
    kinds += [a.kind for a in stored if a.resolved_at is None]
    kinds += [
        _STEP_KINDS[s["step"]] for s in steps if s["step"] in _STEP_KINDS and not s["undone_at"]
    ]
    held = {
        "order_id": bool(ctx.shipment.order_id),
        "tracking_number": True,
        "timeline": bool(ctx.timeline.events),
    }
    items: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(kinds or [None]):
        for item in evidence_details(kind, ctx.shipment):
            entry = items.setdefault(
                item.text,
                {"item": item.text, "why": item.why, "for": [], "held": held.get(item.key, False)},
            )
            if kind and kind not in entry["for"]:
                entry["for"].append(kind)
    return list(items.values())


def _local_time(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if moment else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
