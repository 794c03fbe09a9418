"""The outbox's decisions: which messages an alert change causes, for which target, due when.

Each target hears about an alert once per state: when it opens, when it escalates (higher
severity; a new action or kind at the same severity; an earlier act_by date), and when it is
resolved if the target was told about it (warning or critical). Reminders go out N days before
`act_by` (per severity). A message that has not gone out yet is rewritten or dropped when the
alert moves on, so the owner never receives a stale one. Quiet hours move a message to the end
of the quiet period (critical ones pass if allowed); a digest holds non-urgent ones for the daily
digest. Everything here runs inside the caller's transaction, so an outbox row exists exactly
when the alert change that caused it was committed.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from watcher.domain.models import Severity, Timeline
from watcher.notify.messages import AlertFacts, EventLine, Rendered, Templates, render_alert
from watcher.store import alert_states, claims, notifications, tracking_events
from watcher.store.tables import AlertRow, NotificationRow, ShipmentRow

if TYPE_CHECKING:
    from watcher.config import DigestConfig, NotifyTargetConfig, QuietHoursConfig, Settings

_LOGGER = logging.getLogger(__name__)

ALL_SEVERITIES = frozenset(s.value for s in Severity)
DEFAULT_REMINDERS: Mapping[str, Sequence[int]] = {"critical": (7, 3, 1), "warning": (3, 1), "info": ()}
#: Outbox events that tell the owner about an alert's state.
NOTICE_EVENTS = ("opened", "escalated")


def rank(severity: str) -> int:
    """info < warning < critical (unknown values count as info)."""
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


# ---------------------------------------------------------------- routes


@dataclass(frozen=True, slots=True)
class Route:
    """One target's routing rules."""

    name: str
    severities: frozenset[str] = ALL_SEVERITIES
    kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    quiet_hours: QuietHoursConfig | None = None
    digest: DigestConfig | None = None
    resolved: bool = True
    reminders: bool = True

    def takes(self, kind: str, severity: str) -> bool:
        """Whether an alert of this kind and severity goes to this target."""
        if severity not in self.severities:
            return False
        if self.kinds and not any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.kinds):
            return False
        return not any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.exclude_kinds)

    @classmethod
    def from_config(cls, name: str, config: NotifyTargetConfig) -> Route:
        return cls(
            name=name,
            severities=frozenset(config.severities),
            kinds=tuple(config.kinds),
            exclude_kinds=tuple(config.exclude_kinds),
            quiet_hours=config.quiet_hours,
            digest=config.digest,
            resolved=config.resolved,
            reminders=config.reminders,
        )


class Router(Sequence[str]):
    """The targets and their routing rules; as a sequence it is the list of target names."""

    def __init__(
        self,
        routes: Sequence[Route],
        *,
        tz: ZoneInfo | None = None,
        reminders: Mapping[str, Sequence[int]] = DEFAULT_REMINDERS,
        remind_at: time = time(9, 0),
        recent_events: int = 3,
        templates: Templates | None = None,
    ) -> None:
        self.routes = tuple(routes)
        self.tz = tz or ZoneInfo("UTC")
        self.reminders = {key: tuple(sorted(set(days))) for key, days in reminders.items()}
        self.remind_at = remind_at
        self.recent_events = recent_events
        self.templates = templates or Templates()

    @classmethod
    def from_settings(cls, settings: Settings, names: Sequence[str] | None = None) -> Router:
        """Routes for `names` (default: every configured target), configured or all-accepting."""
        from watcher.notify.transport import target_specs

        configs = settings.notify.targets
        wanted = list(names) if names is not None else list(target_specs(settings))
        directory = settings.resolve_path(settings.notify.templates_dir) if settings.notify.templates_dir else None
        return cls(
            [Route.from_config(name, configs[name]) if name in configs else Route(name) for name in wanted],
            tz=ZoneInfo(settings.timezone),
            reminders=settings.notify.reminders,
            remind_at=settings.notify.remind_at,
            recent_events=settings.notify.recent_events,
            templates=Templates(Path(directory)) if directory else None,
        )

    @classmethod
    def coerce(cls, targets: Sequence[str]) -> Router:
        """A Router as is; plain target names become all-accepting routes."""
        return targets if isinstance(targets, Router) else cls([Route(name) for name in targets])

    def route(self, name: str) -> Route:
        """The route for a target name (an all-accepting one if it is not configured)."""
        return next((route for route in self.routes if route.name == name), Route(name))

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        names = [route.name for route in self.routes]
        return names[index]

    def __len__(self) -> int:
        return len(self.routes)

    def __iter__(self) -> Iterator[str]:
        return (route.name for route in self.routes)


# ---------------------------------------------------------------- when


def quiet_end(quiet: QuietHoursConfig, moment: datetime, tz: ZoneInfo) -> datetime | None:
    """When the quiet period around `moment` ends (UTC), or None if `moment` is not quiet."""
    if quiet.start == quiet.end:
        return None
    local = moment.astimezone(tz)
    today = local.date()
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside, end_day = quiet.start <= clock < quiet.end, today
    elif clock >= quiet.start:
        inside, end_day = True, today + timedelta(days=1)
    else:
        inside, end_day = clock < quiet.end, today
    return datetime.combine(end_day, quiet.end, tzinfo=tz).astimezone(UTC) if inside else None


def after_quiet(route: Route, moment: datetime, tz: ZoneInfo, *, urgent: bool) -> datetime:
    """`moment`, or the end of the target's quiet hours if it falls inside them."""
    quiet = route.quiet_hours
    if quiet is None or (urgent and quiet.allow_critical):
        return moment
    return quiet_end(quiet, moment, tz) or moment


def next_digest(digest: DigestConfig, now: datetime, tz: ZoneInfo) -> datetime:
    """The next daily digest time at or after `now` (UTC)."""
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), digest.at, tzinfo=tz)
    if at < local:
        at = datetime.combine(local.date() + timedelta(days=1), digest.at, tzinfo=tz)
    return at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Slot:
    """When a message is due, whether it waits for the digest, and whether it may break quiet hours."""

    due_at: datetime
    digest: bool = False
    urgent: bool = False


def schedule(route: Route, now: datetime, severity: str, tz: ZoneInfo, *, digestible: bool = True) -> Slot:
    """When a message of `severity` to `route` is due."""
    urgent = severity == Severity.CRITICAL
    if digestible and route.digest is not None and severity in route.digest.severities:
        return Slot(after_quiet(route, next_digest(route.digest, now, tz), tz, urgent=False), digest=True)
    return Slot(after_quiet(route, now, tz, urgent=urgent), urgent=urgent)


# ---------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class State:
    """What a message told the owner about an alert."""

    severity: str
    action: str
    act_by: str | None = None  # ISO date
    kind: str | None = None

    @classmethod
    def of(cls, alert: AlertRow) -> State:
        return cls(alert.severity, alert.action, alert.act_by.isoformat() if alert.act_by else None, alert.kind)

    def as_dict(self) -> dict[str, str | None]:
        return {"severity": self.severity, "action": self.action, "act_by": self.act_by, "kind": self.kind}


def state_of(row: NotificationRow) -> State:
    """The state a stored message announced (older rows only have it in their dedupe key)."""
    stored = (row.payload or {}).get("state")
    if isinstance(stored, dict):
        return State(stored.get("severity") or row.severity, stored.get("action") or "", stored.get("act_by"), stored.get("kind"))
    # Legacy key "alert:<id>:<severity>|<action>|<act_by>:<target>".
    parts = row.dedupe_key.split(":", 2)[-1].rsplit(":", 1)[0].split("|")
    if len(parts) == 3:
        return State(parts[0], parts[1], None if parts[2] == "-" else parts[2])
    return State(row.severity, "")


def is_escalation(last: State, current: State) -> bool:
    """Worth a new message: more severe, or as severe with a new action or kind, or an earlier date."""
    if rank(current.severity) != rank(last.severity):
        return rank(current.severity) > rank(last.severity)
    if current.action != last.action or (last.kind and current.kind != last.kind):
        return True
    return current.act_by is not None and (last.act_by is None or current.act_by < last.act_by)


def in_flight(row: NotificationRow, now: datetime) -> bool:
    """Sent, or claimed by a dispatcher right now (so it may be out already)."""
    # Leases are measured on the wall clock shared by all instances, not on the cycle's `now`.
    return row.sent_at is not None or (row.lease_until is not None and row.lease_until > claims.lease_clock())


def waiting(row: NotificationRow, now: datetime) -> bool:
    """Not sent, not given up, not claimed: can still be rewritten or dropped."""
    return row.sent_at is None and row.failed_at is None and not in_flight(row, now)


def alert_rows(session: Session, alert_id: int, target: str) -> list[NotificationRow]:
    query = (
        select(NotificationRow)
        .where(NotificationRow.alert_id == alert_id, NotificationRow.target == target)
        .order_by(NotificationRow.id)
    )
    return list(session.scalars(query))


# ---------------------------------------------------------------- content


def shipment_of(session: Session, alert: AlertRow) -> ShipmentRow | None:
    return session.get(ShipmentRow, alert.shipment_id) if alert.shipment_id else None


def event_lines(timeline: Timeline | None, tz: ZoneInfo, count: int) -> tuple[EventLine, ...]:
    """The last `count` timeline events, times in the owner's zone."""
    if timeline is None or count <= 0:
        return ()
    return tuple(
        EventLine(f"{e.time.astimezone(tz):%d %b %H:%M}", e.description, e.location) for e in timeline.events[-count:]
    )


def facts_for(
    alert: AlertRow, event: str, *, shipment: ShipmentRow | None, timeline: Timeline | None, router: Router, now: datetime
) -> AlertFacts:
    """What a message about `alert` says."""
    name = (shipment.label if shipment is not None and shipment.label else None) or alert.subject.removeprefix("provider:")
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


def timeline_of(session: Session, shipment: ShipmentRow | None) -> Timeline | None:
    """The shipment's timeline, rebuilt from stored events (for reminders)."""
    if shipment is None:
        return None
    from watcher.timeline.build import build_timeline

    return build_timeline(tracking_events.stored_events(session, shipment.id), destination_country=shipment.dest_country)


def payload_for(rendered: Rendered, state: State, slot: Slot, alert: AlertRow) -> dict[str, Any]:
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


# ---------------------------------------------------------------- alert changes


def enqueue_for_change(
    session: Session,
    change: alert_states.AlertChange,
    now: datetime,
    *,
    targets: Sequence[str],
    timeline: Timeline | None,
) -> int:
    """Write (or rewrite, or drop) the outbox rows one alert change deserves; returns rows written."""
    router = Router.coerce(targets)
    alert = change.row
    shipment = shipment_of(session, alert)
    written = 0
    for route in router.routes:
        rows = alert_rows(session, alert.id, route.name)
        if change.change == "resolved":
            written += _on_resolved(session, alert, route, rows, now, router=router, shipment=shipment, timeline=timeline)
        else:
            written += _on_state(session, alert, route, rows, now, router=router, shipment=shipment, timeline=timeline)
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
    _drop(session, [r for r in rows if r.event == "reminder" and waiting(r, now) and _reminder_date(r) != current.act_by])
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
        keep.event, keep.severity, keep.title, keep.body = event, alert.severity, rendered.title, rendered.text
        keep.dedupe_key, keep.payload = key, payload
        keep.due_at = min(keep.due_at, slot.due_at) if not keep.attempts else keep.due_at
        return 1
    return int(
        notifications.enqueue_notification(
            session, target=route.name, event=event, title=rendered.title, body=rendered.text, dedupe_key=key,
            now=now, due_at=slot.due_at, alert_id=alert.id, severity=alert.severity, payload=payload,
        )
    )


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
    heard = [row for row in rows if row.event in (*NOTICE_EVENTS, "reminder") and in_flight(row, now)]
    if not heard or not route.resolved or max(rank(state_of(row).severity) for row in heard) < Severity.WARNING.rank:
        return 0
    facts = facts_for(alert, "resolved", shipment=shipment, timeline=timeline, router=router, now=now)
    rendered = render_alert(facts, router.templates)
    # Good news is never urgent: it respects quiet hours and joins the digest like info messages.
    slot = schedule(route, now, Severity.INFO.value, router.tz)
    return int(
        notifications.enqueue_notification(
            session, target=route.name, event="resolved", title=rendered.title, body=rendered.text,
            dedupe_key=f"alert:{alert.id}:resolved:{route.name}", now=now, due_at=slot.due_at, alert_id=alert.id,
            severity=alert.severity, payload=payload_for(rendered, State.of(alert), slot, alert),
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


# ---------------------------------------------------------------- reminders


def reminder_moment(act_by: date, days: int, router: Router) -> datetime:
    """`days` before `act_by`, at the configured local reminder time (UTC)."""
    return datetime.combine(act_by - timedelta(days=days), router.remind_at, tzinfo=router.tz).astimezone(UTC)


def reminder_due(days: Sequence[int], act_by: date, told: datetime, now: datetime, router: Router) -> int | None:
    """The reminder (days before act_by) to send now: the closest one passed since the owner was told."""
    if act_by < router.today(now):
        return None
    passed = [d for d in days if told < reminder_moment(act_by, d, router) <= now]
    return min(passed) if passed else None


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


def _remind(session: Session, alert: AlertRow, act_by: date, route: Route, days: int, now: datetime, router: Router) -> int:
    """Write one target's reminder `days` before act_by, unless it was written before."""
    # Per parcel and action, not per alert: two problems asking for the same dispute by the same
    # date make one reminder.
    key = f"reminder:{alert.subject}:{alert.action}:{act_by.isoformat()}:{days}:{route.name}"
    if session.scalar(select(NotificationRow.id).where(NotificationRow.dedupe_key == key)):
        return 0
    shipment = shipment_of(session, alert)
    facts = facts_for(alert, "reminder", shipment=shipment, timeline=timeline_of(session, shipment), router=router, now=now)
    rendered = render_alert(facts, router.templates)
    # A reminder counts days: waiting for tomorrow's digest would make it wrong.
    slot = schedule(route, now, alert.severity, router.tz, digestible=False)
    return int(
        notifications.enqueue_notification(
            session, target=route.name, event="reminder", title=rendered.title, body=rendered.text, dedupe_key=key,
            now=now, due_at=slot.due_at, alert_id=alert.id, severity=alert.severity,
            payload=payload_for(rendered, State.of(alert), slot, alert),
        )
    )


# ---------------------------------------------------------------- status


@dataclass
class TargetSummary:
    """The outbox as seen from one target."""

    pending: int = 0
    due: int = 0
    retrying: int = 0
    failed: int = 0
    sent: int = 0
    oldest_pending_age_seconds: float | None = None
    next_due_at: datetime | None = None
    last_sent_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None


def outbox_summary(session: Session, now: datetime) -> dict[str, Any]:
    """Pending, failed, oldest pending age and last error, in total and per target (`watcher status`)."""
    targets: dict[str, TargetSummary] = {}
    pending = and_(NotificationRow.sent_at.is_(None), NotificationRow.failed_at.is_(None))
    # Aggregates in the database: the outbox keeps every message ever sent.
    query = select(
        NotificationRow.target,
        func.count().filter(NotificationRow.sent_at.is_not(None)),
        func.count().filter(NotificationRow.failed_at.is_not(None)),
        func.count().filter(pending),
        func.count().filter(pending, NotificationRow.due_at <= now),
        func.count().filter(pending, NotificationRow.attempts > 0),
        func.min(NotificationRow.created_at).filter(pending),
        func.min(NotificationRow.due_at).filter(pending),
        func.max(NotificationRow.sent_at),
    ).group_by(NotificationRow.target)
    for target, sent, failed, waiting_, due, retrying, oldest, next_due, last_sent in session.execute(query):
        targets[target] = TargetSummary(
            pending=waiting_, due=due, retrying=retrying, failed=failed, sent=sent,
            oldest_pending_age_seconds=(now - _aware(oldest)).total_seconds() if oldest else None,
            next_due_at=_aware(next_due), last_sent_at=_aware(last_sent),
        )
    errors = select(NotificationRow.target, NotificationRow.last_error, NotificationRow.last_attempt_at).where(
        NotificationRow.last_error.is_not(None), NotificationRow.sent_at.is_(None)
    ).order_by(NotificationRow.last_attempt_at)
    for target, error, at in session.execute(errors):
        if target in targets:
            targets[target].last_error, targets[target].last_error_at = error, _aware(at)
    total_pending = sum(t.pending for t in targets.values())
    ages = [t.oldest_pending_age_seconds for t in targets.values() if t.oldest_pending_age_seconds is not None]
    return {
        "backlog": total_pending,
        "pending": total_pending,
        "due": sum(t.due for t in targets.values()),
        "retrying": sum(t.retrying for t in targets.values()),
        "failed": sum(t.failed for t in targets.values()),
        "oldest_pending_age_seconds": max(ages) if ages else None,
        "targets": {name: summary.__dict__.copy() for name, summary in sorted(targets.items())},
    }


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the UTC column type: SQLite hands back naive (UTC) values or strings."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def recent(session: Session, *, limit: int = 30, target: str | None = None, state: str | None = None) -> list[NotificationRow]:
    """Recent outbox rows, newest first, optionally for one target or state (sent/pending/failed)."""
    query = select(NotificationRow).order_by(NotificationRow.id.desc()).limit(limit)
    if target:
        query = query.where(NotificationRow.target == target)
    if state == "sent":
        query = query.where(NotificationRow.sent_at.is_not(None))
    elif state == "failed":
        query = query.where(or_(NotificationRow.failed_at.is_not(None), NotificationRow.last_error.is_not(None)))
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
    "Route",
    "Router",
    "Slot",
    "State",
    "enqueue_for_change",
    "enqueue_reminders",
    "is_escalation",
    "outbox_summary",
    "schedule",
]
