"""Evaluation: build each due shipment's timeline, run the rules, record alert changes.

Alert changes and the notifications they cause are written in the same transaction (the
outbox), so a crash can neither lose nor duplicate a message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings
from watcher.domain.models import Leg, StoredEvent, Timeline
from watcher.domain.redact import describe_exception, redact
from watcher.notify import outbox
from watcher.rules import RuleContext, evaluate
from watcher.rules.case import EMPTY_CASE, CaseState, state_of
from watcher.rules.coverage import not_found_alerts
from watcher.rules.profiles import resolve_profile
from watcher.rules.providers import provider_alerts
from watcher.service.routing import providers_for
from watcher.service.schedule import next_look_after_failure
from watcher.store import alert_states, cases, failures, provider_states, shipments, tracking_events
from watcher.store.tables import AlertRow
from watcher.timeline.build import build_timeline

_LOGGER = logging.getLogger(__name__)

EVALUATION_CHUNK = 500
#: Alert changes a report keeps: holding every changed AlertRow of a first evaluation of
#: 100,000 shipments (55,000 changes, ~2 KB each) pushed peak RSS over 250 MB (bench/RESULTS.md).
REPORT_CHANGES_KEPT = 1_000


@dataclass
class EvaluationReport:
    evaluated: int = 0
    #: The first REPORT_CHANGES_KEPT alert changes; `changed` counts them all.
    changes: list[alert_states.AlertChange] = field(default_factory=list)
    changed: int = 0
    #: Parcels whose evaluation failed (recorded on the parcel; the others went on).
    failed: int = 0

    def add(self, changes: Sequence[alert_states.AlertChange]) -> None:
        self.changed += len(changes)
        room = REPORT_CHANGES_KEPT - len(self.changes)
        if room > 0:
            self.changes += changes[:room]


def evaluate_due(
    now: datetime,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    targets: Sequence[str],
    everything: bool = False,
) -> EvaluationReport:
    """Evaluate shipments that changed or came due (all active ones when `everything`)."""
    report = EvaluationReport()
    tz = ZoneInfo(settings.timezone)
    if everything:
        due = None
    else:
        with sessions() as session:
            due = shipments.due_for_evaluation_ids(session, now)
    last_id = taken = 0
    while True:
        with sessions.begin() as session:
            if due is None:
                rows = shipments.active_rows_after(session, last_id, EVALUATION_CHUNK)
            else:
                chunk = shipments.shipments_by_id(session, due[taken : taken + EVALUATION_CHUNK])
                # Skip shipments archived since `due` was read.
                rows = [row for row in chunk if row.archived_at is None]
                taken += EVALUATION_CHUNK
            # Two queries per chunk instead of two per shipment (bench/RESULTS.md, evaluate).
            events = tracking_events.stored_events_by_shipment(session, [row.id for row in rows])
            alerts = alert_states.open_alerts_by_subject(
                session, [row.tracking_number for row in rows]
            )
            steps = cases.steps_by_case(session, [row.case_id for row in rows])
            legs = shipments.legs_by_shipment(session, [row.id for row in rows])
            outcomes = []
            recovered = []
            for row in rows:
                try:
                    # A savepoint per parcel: a failure undoes only this parcel's writes.
                    with session.begin_nested():
                        outcome, changes = evaluate_shipment(
                            session,
                            row,
                            now,
                            settings=settings,
                            tz=tz,
                            targets=targets,
                            events=events[row.id],
                            open_alerts=alerts[row.tracking_number],
                            case=state_of(steps.get(row.case_id, ())),
                            legs=legs.get(row.id, ()),
                        )
                except Exception as exc:  # noqa: BLE001 - one parcel must not blind the others
                    record_shipment_failure(session, row, exc, now, settings=settings)
                    report.failed += 1
                    continue
                if row.failures:
                    recovered.append(row.id)
                report.add(changes)
                if any(outcome[name] != getattr(row, name) for name in shipments.EVALUATION_FIELDS):
                    outcomes.append(outcome)
            shipments.save_evaluations(session, outcomes)
            failures.clear_failures(session, recovered, "evaluation")
            report.evaluated += len(rows)
        if (due is None and len(rows) < EVALUATION_CHUNK) or (
            due is not None and taken >= len(due)
        ):
            break
        if due is None:
            last_id = rows[-1].id
    with sessions.begin() as session:
        report.add(evaluate_providers(session, now, targets=targets))
    return report


def record_shipment_failure(
    session: Session, row: Any, exc: BaseException, now: datetime, *, settings: Settings
) -> None:
    """Record why one parcel could not be evaluated, log it with its number, and back it off."""
    error = describe_exception(exc)
    count = (row.failures or 0) + 1
    retry_at = next_look_after_failure(now, count, polling=settings.polling)
    _LOGGER.error(
        "%s: evaluation failed (%d in a row, next try %s): %s",
        row.tracking_number,
        count,
        retry_at.strftime("%Y-%m-%d %H:%M UTC"),
        error,
        exc_info=_LOGGER.isEnabledFor(logging.DEBUG),
    )
    failures.record_failure(session, row.id, f"evaluation: {error}", now, retry_at=retry_at)


def evaluate_shipment(
    session: Session,
    row: Any,
    now: datetime,
    *,
    settings: Settings,
    tz: ZoneInfo,
    targets: Sequence[str],
    events: Sequence[StoredEvent],
    open_alerts: Sequence[AlertRow],
    case: CaseState = EMPTY_CASE,
    legs: Sequence[Leg] = (),
) -> tuple[dict[str, Any], list[alert_states.AlertChange]]:
    """Run the rules on one shipment (a plain row of every shipment column) and store the alert changes.

    Returns the shipment's new status fields (for `shipments.save_evaluations`) and the changes.
    """
    timeline = build_timeline(events, destination_country=row.dest_country, verdicts=row.verdicts)
    ctx = rule_context(row, timeline, now, profiles=settings.profiles, tz=tz, case=case, legs=legs)
    view = ctx.shipment
    evaluation = evaluate(ctx)
    blind, blind_look_at = (
        ([], None)
        if view.received_at
        else not_found_alerts(row.tracking_number, events, providers_for(row, settings), now)
    )
    changes = alert_states.apply_alerts(
        session,
        row.tracking_number,
        row.id,
        [*evaluation.alerts, *blind],
        now,
        open_rows=open_alerts,
    )
    outcome = {
        "id": row.id,
        "status": timeline.status.value,
        "substatus": timeline.substatus,
        "last_event_at": timeline.last_event_at,
        "next_eval_at": min(filter(None, (evaluation.next_look_at, blind_look_at)), default=None),
    }
    for change in changes:
        log_change(change, row)
        outbox.enqueue_for_change(
            session, change, now, targets=targets, timeline=timeline, shipment=row
        )
    return outcome, changes


def rule_context(
    row: Any,
    timeline: Timeline,
    now: datetime,
    *,
    profiles: Mapping[str, Mapping[str, Any]],
    tz: ZoneInfo,
    case: CaseState = EMPTY_CASE,
    legs: Sequence[Leg] = (),
) -> RuleContext:
    """What the rules see of one shipment (a row with every shipment column) at `now`."""
    view = shipments.to_view(row, legs)
    profile = resolve_profile(profiles, row.marketplace, view)
    return RuleContext(shipment=view, timeline=timeline, now=now, profile=profile, tz=tz, case=case)


def evaluate_providers(
    session: Session, now: datetime, *, targets: Sequence[str]
) -> list[alert_states.AlertChange]:
    """Report watcher's own blind spots: a provider that keeps failing or was paused."""
    changes: list[alert_states.AlertChange] = []
    for state in provider_states.provider_states(session):
        alerts = provider_alerts(
            state.name,
            failing_since=state.failing_since,
            paused_reason=state.paused_reason and redact(state.paused_reason),
            last_error=state.last_error and redact(state.last_error),
            now=now,
        )
        for change in alert_states.apply_alerts(
            session, f"provider:{state.name}", None, alerts, now
        ):
            log_change(change, None)
            outbox.enqueue_for_change(session, change, now, targets=targets, timeline=None)
            changes.append(change)
    return changes


def log_change(change: alert_states.AlertChange, row: Any | None) -> None:
    alert = change.row
    who = f"{row.tracking_number} ({row.label})" if row is not None and row.label else alert.subject
    act_by = f", act by {alert.act_by.isoformat()}" if alert.act_by else ""
    level = logging.INFO if change.change in ("resolved", "updated") else logging.WARNING
    _LOGGER.log(
        level,
        "alert %s: %s %s [%s -> %s%s]",
        change.change,
        who,
        alert.kind,
        alert.severity,
        alert.action,
        act_by,
    )
