"""The outbox's writes: which rows an alert change or a reminder date puts in the queue, for whom.

Each target hears about an alert once per state: when it opens, when it escalates (higher
severity; a new action or kind at the same severity; an earlier act_by date), and when it is
resolved if the target was told about it (warning or critical). Reminders go out N days before
`act_by` (per severity). A message that has not gone out yet is rewritten or dropped when the
alert moves on, so the owner never receives a stale one. When a message is due (quiet hours,
digests) is decided in `routing`, what it says in `content`. Everything here runs inside the
caller's transaction, so an outbox row exists exactly when the alert change that caused it was
committed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from watcher.domain.models import Severity, Timeline
from watcher.notify.content import facts_for, payload_for
from watcher.notify.messages import Rendered, render_alert
from watcher.notify.routing import (
    Route,
    Router,
    Slot,
    State,
    is_escalation,
    rank,
    reminder_due,
    schedule,
)
from watcher.store import alert_states, claims, notifications, tracking_events
from watcher.store.tables import AlertRow, NotificationRow, ShipmentRow

_LOGGER = logging.getLogger(__name__)

#: Outbox events that tell the owner about an alert's state.
NOTICE_EVENTS = ("opened", "escalated")


# ---------------------------------------------------------------- state of rows


def state_of(row: NotificationRow) -> State:
    """The state a stored message announced (older rows only have it in their dedupe key)."""
    stored = (row.payload or {}).get("state")
    if isinstance(stored, dict):
        return State(
            stored.get("severity") or row.severity,
            stored.get("action") or "",
            stored.get("act_by"),
            stored.get("kind"),
        )
    # Legacy key "alert:<id>:<severity>|<action>|<act_by>:<target>".
    parts = row.dedupe_key.split(":", 2)[-1].rsplit(":", 1)[0].split("|")
    if len(parts) == 3:
        return State(parts[0], parts[1], None if parts[2] == "-" else parts[2])
    return State(row.severity, "")


def in_flight(row: NotificationRow, now: datetime) -> bool:
    """Sent, or claimed by a dispatcher right now (so it may be out already)."""
    # Leases are measured on the wall clock shared by all instances, not on the cycle's `now`.
    return row.sent_at is not None or (
        row.lease_until is not None and row.lease_until > claims.lease_clock()
    )


def waiting(row: NotificationRow, now: datetime) -> bool:
    """Not sent, not given up, not claimed: can still be rewritten or dropped."""
    return row.sent_at is None and row.failed_at is None and not in_flight(row, now)


def alert_rows(session: Session, alert_id: int, target: str) -> list[NotificationRow]:
    """The outbox rows about one alert for one target, oldest first."""
    query = (
        select(NotificationRow)
        .where(NotificationRow.alert_id == alert_id, NotificationRow.target == target)
        .order_by(NotificationRow.id)
    )
    return list(session.scalars(query))


def shipment_of(session: Session, alert: AlertRow) -> ShipmentRow | None:
    """The parcel an alert is about (None for provider alerts)."""
    return session.get(ShipmentRow, alert.shipment_id) if alert.shipment_id else None


def timeline_of(session: Session, shipment: ShipmentRow | None) -> Timeline | None:
    """The shipment's timeline, rebuilt from stored events (for reminders)."""
    if shipment is None:
        return None
    from watcher.timeline.build import build_timeline

    return build_timeline(
        tracking_events.stored_events(session, shipment.id),
        destination_country=shipment.dest_country,
        verdicts=shipment.verdicts,
    )


# ---------------------------------------------------------------- alert changes


def enqueue_for_change(
    session: Session,
    change: alert_states.AlertChange,
    now: datetime,
    *,
    targets: Sequence[str],
    timeline: Timeline | None,
    shipment: Any | None = None,
) -> int:
    """Write (or rewrite, or drop) the outbox rows one alert change deserves; returns rows written.

    `shipment`: the alert's shipment row when the caller has it (the evaluator does: one query
    less per change); read from the alert otherwise.
    """
    router = Router.coerce(targets)
    alert = change.row
    if shipment is None:
        shipment = shipment_of(session, alert)
    written = 0
    for route in router.routes:
        rows = alert_rows(session, alert.id, route.name)
        handle = _on_resolved if change.change == "resolved" else _on_state
        written += handle(
            session, alert, route, rows, now, router=router, shipment=shipment, timeline=timeline
        )
    return written


def _on_state(
    session: Session,
    alert: AlertRow,
    route: Route,
    rows: list[NotificationRow],
    now: datetime,
    *,
    router: Router,
    shipment: ShipmentRow | None,
    timeline: Timeline | None,
) -> int:
    """An open alert changed: tell the target if it is new or more urgent for it."""
    current = State.of(alert)
    heard = [row for row in rows if row.event in NOTICE_EVENTS and in_flight(row, now)]
    pending = [row for row in rows if row.event in NOTICE_EVENTS and waiting(row, now)]
    # A reminder waiting for an act_by date that moved is stale.
    stale = [r for r in rows if r.event == "reminder" and _reminder_date(r) != current.act_by]
    _drop(session, [r for r in stale if waiting(r, now)])
    event: str | None = None
    if route.takes(alert.kind, alert.severity):
        if not heard:
            event = "opened"
        elif is_escalation(state_of(heard[-1]), current):
            event = "escalated"
    if event is None:
        _drop(session, pending)  # the owner already knows this, or the target no longer takes it
        return 0
    key = f"alert:{alert.id}:{alert.state_key}:{route.name}"
    facts = facts_for(alert, event, shipment=shipment, timeline=timeline, router=router, now=now)
    rendered = render_alert(facts, router.templates)
    slot = schedule(route, now, alert.severity, router.tz)
    payload = payload_for(rendered, current, slot, alert)
    keep = pending[-1] if pending else None
    _drop(session, pending[:-1])
    taken = session.scalar(select(NotificationRow.id).where(NotificationRow.dedupe_key == key))
    if keep is not None and taken not in (None, keep.id):
        _drop(session, [keep])  # this state was announced before: never twice
        return 0
    if keep is not None:
        # Rewrite the waiting message: keep its history (attempts, backoff), bring it forward if urgent.
        keep.event, keep.severity = event, alert.severity
        keep.title, keep.body = rendered.title, rendered.text
        keep.dedupe_key, keep.payload = key, payload
        keep.due_at = min(keep.due_at, slot.due_at) if not keep.attempts else keep.due_at
        return 1
    return _write(session, alert, route, event, key, rendered, slot, payload, now)


def _on_resolved(
    session: Session,
    alert: AlertRow,
    route: Route,
    rows: list[NotificationRow],
    now: datetime,
    *,
    router: Router,
    shipment: ShipmentRow | None,
    timeline: Timeline | None,
) -> int:
    """The problem went away: drop what was not sent; say so if the target heard about it."""
    _drop(session, [row for row in rows if waiting(row, now)])
    heard = [
        row for row in rows if row.event in (*NOTICE_EVENTS, "reminder") and in_flight(row, now)
    ]
    if (
        not heard
        or not route.resolved
        or max(rank(state_of(row).severity) for row in heard) < Severity.WARNING.rank
    ):
        return 0
    facts = facts_for(
        alert, "resolved", shipment=shipment, timeline=timeline, router=router, now=now
    )
    rendered = render_alert(facts, router.templates)
    # Good news is never urgent: it respects quiet hours and joins the digest like info messages.
    slot = schedule(route, now, Severity.INFO.value, router.tz)
    key = f"alert:{alert.id}:resolved:{route.name}"
    payload = payload_for(rendered, State.of(alert), slot, alert)
    return _write(session, alert, route, "resolved", key, rendered, slot, payload, now)


def _write(
    session: Session,
    alert: AlertRow,
    route: Route,
    event: str,
    key: str,
    rendered: Rendered,
    slot: Slot,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    """Add one message about `alert` for `route`; 0 if its dedupe key was written before."""
    return int(
        notifications.enqueue_notification(
            session,
            target=route.name,
            event=event,
            title=rendered.title,
            body=rendered.text,
            dedupe_key=key,
            now=now,
            due_at=slot.due_at,
            alert_id=alert.id,
            severity=alert.severity,
            payload=payload,
        )
    )


def _drop(session: Session, rows: Sequence[NotificationRow]) -> None:
    """Delete messages that were never sent and are no longer true."""
    for row in rows:
        _LOGGER.info("dropping unsent message to %s, superseded: %s", row.target, row.title)
        session.delete(row)
    if rows:
        session.flush()


def _reminder_date(row: NotificationRow) -> str | None:
    return (row.payload or {}).get("state", {}).get("act_by")


# ---------------------------------------------------------------- targets added later


def enqueue_missed(session: Session, now: datetime, *, targets: Sequence[str]) -> int:
    """Tell each target about open, still actionable alerts it never heard of; returns rows written.

    An alert opened before a target existed (or before it took that kind) has no outbox row for
    it. It is sent now if it is still open and its act_by date has not passed: advice the owner
    can still act on. Alerts the target already has rows for are left to the normal rules.
    """
    router = Router.coerce(targets)
    today = router.today(now)
    written = 0
    for route in router.routes:
        told = select(NotificationRow.id).where(
            NotificationRow.alert_id == AlertRow.id, NotificationRow.target == route.name
        )
        query = (
            select(AlertRow)
            .where(
                AlertRow.resolved_at.is_(None),
                AlertRow.severity.in_(sorted(route.severities)),
                or_(AlertRow.act_by.is_(None), AlertRow.act_by >= today),
                ~told.exists(),
            )
            .order_by(AlertRow.id)
        )
        for alert in session.scalars(query):
            if not route.takes(alert.kind, alert.severity):
                continue
            shipment = shipment_of(session, alert)
            timeline = timeline_of(session, shipment)
            written += _on_state(
                session, alert, route, [], now, router=router, shipment=shipment, timeline=timeline
            )
    return written


# ---------------------------------------------------------------- reminders


def enqueue_reminders(session: Session, now: datetime, *, targets: Sequence[str]) -> int:
    """Write the reminders that came due for open alerts with an act_by date; returns how many."""
    router = Router.coerce(targets)
    if not any(router.reminders.values()):
        return 0
    max_days = max(day for days in router.reminders.values() for day in days)
    written = 0
    # One grouped query per tick: when each (alert, target) pair was last told about the alert's
    # state (notices are written only on state changes), open alerts only.
    query = (
        select(AlertRow, NotificationRow.target, func.max(NotificationRow.created_at))
        .join(NotificationRow, NotificationRow.alert_id == AlertRow.id)
        .where(
            AlertRow.resolved_at.is_(None),
            AlertRow.act_by.is_not(None),
            # Only alerts whose earliest reminder can be due by now: at 100,000 parcels this keeps
            # the per-tick query to the few alerts near their date instead of every open one.
            AlertRow.act_by <= now.date() + timedelta(days=max_days + 1),
            NotificationRow.event.in_(NOTICE_EVENTS),
            NotificationRow.failed_at.is_(None),
        )
        .group_by(AlertRow.id, NotificationRow.target)
        .order_by(AlertRow.id)
    )
    for alert, target, told in session.execute(query).all():
        days = router.reminders.get(alert.severity, ())
        route = router.route(target)
        if not days or alert.act_by is None or target not in router or not route.reminders:
            continue
        if not route.takes(alert.kind, alert.severity):
            continue
        due = reminder_due(days, alert.act_by, told, now, router)
        if due is not None:
            written += _remind(session, alert, alert.act_by, route, due, now, router)
    return written


def _remind(
    session: Session,
    alert: AlertRow,
    act_by: date,
    route: Route,
    days: int,
    now: datetime,
    router: Router,
) -> int:
    """Write one target's reminder `days` before act_by, unless it was written before."""
    # Per parcel and action, not per alert: two problems asking for the same dispute by the same
    # date make one reminder.
    key = f"reminder:{alert.subject}:{alert.action}:{act_by.isoformat()}:{days}:{route.name}"
    if session.scalar(select(NotificationRow.id).where(NotificationRow.dedupe_key == key)):
        return 0
    shipment = shipment_of(session, alert)
    timeline = timeline_of(session, shipment)
    facts = facts_for(
        alert, "reminder", shipment=shipment, timeline=timeline, router=router, now=now
    )
    rendered = render_alert(facts, router.templates)
    # A reminder counts days: waiting for tomorrow's digest would make it wrong.
    slot = schedule(route, now, alert.severity, router.tz, digestible=False)
    payload = payload_for(rendered, State.of(alert), slot, alert)
    return _write(session, alert, route, "reminder", key, rendered, slot, payload, now)


# ---------------------------------------------------------------- history


def recent(
    session: Session, *, limit: int = 30, target: str | None = None, state: str | None = None
) -> list[NotificationRow]:
    """Recent outbox rows, newest first, optionally for one target or state (sent/pending/failed)."""
    query = select(NotificationRow).order_by(NotificationRow.id.desc()).limit(limit)
    if target:
        query = query.where(NotificationRow.target == target)
    if state == "sent":
        query = query.where(NotificationRow.sent_at.is_not(None))
    elif state == "failed":
        query = query.where(
            or_(NotificationRow.failed_at.is_not(None), NotificationRow.last_error.is_not(None))
        )
    elif state == "pending":
        query = query.where(NotificationRow.sent_at.is_(None), NotificationRow.failed_at.is_(None))
    return list(session.scalars(query))


def row_state(row: NotificationRow) -> str:
    """sent, failed (given up), retrying or pending."""
    if row.sent_at is not None:
        return "sent"
    if row.failed_at is not None:
        return "failed"
    return "retrying" if row.attempts else "pending"


__all__ = [
    "NOTICE_EVENTS",
    "enqueue_for_change",
    "enqueue_missed",
    "enqueue_reminders",
    "recent",
    "row_state",
    "state_of",
]
