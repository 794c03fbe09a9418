"""The buyer's case: record and undo steps, re-evaluate the order's parcels, describe the case."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from watcher.domain.errors import InputError
from watcher.domain.models import Action, Severity, Status
from watcher.domain.timefmt import iso
from watcher.rules.case import STEPS, state_of
from watcher.store import alert_states, cases, shipments, tracking_events

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watcher.rules.base import RuleContext
    from watcher.service.app import App
    from watcher.store.tables import ShipmentRow

__all__ = ["STEPS", "case_json", "record_step", "undo_step"]

#: Steps that also set a shipment column the rest of watcher reads.
_COLUMNS = {"received": "received_at", "not-received": "not_received_at"}


def record_step(
    app: App,
    tracking_number: str,
    step: str,
    *,
    at: datetime | None = None,
    until: date | None = None,
    note: str | None = None,
    by: str | None = None,
    detail: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Record one step on the parcel's case, re-evaluate the order's parcels, return `case_json`."""
    now = app.clock.now()
    when = at or now
    _check(step, until, by, detail)
    with app.sessions.begin() as session:
        row = shipments.require_shipment(session, tracking_number)
        if step == "not-received" and not force:
            _check_delivered(session, row)
        case = cases.ensure_case(session, row, now)
        if step == "claim-filed" and by is None:
            by = "buyer"
        cases.add_step(
            session,
            case,
            row.id,
            step,
            at=when,
            now=now,
            until=until,
            by=by,
            detail=detail,
            note=note,
        )
        _set_column(row, step, when)
        _reevaluate(app, session, case.id, now)
    return case_json(app, tracking_number)


def undo_step(app: App, tracking_number: str, step: str) -> dict[str, Any]:
    """Mark the latest `step` of the parcel's case undone (kept in the history) and re-evaluate."""
    if step not in STEPS:
        raise InputError(f"unknown step {step!r} (known: {', '.join(STEPS)})")
    now = app.clock.now()
    with app.sessions.begin() as session:
        row = shipments.require_shipment(session, tracking_number)
        case = cases.ensure_case(session, row, now)
        if cases.undo_step(session, case, step, now) is None:
            raise InputError(f"{row.tracking_number}: no {step!r} step to undo")
        if step in _COLUMNS:
            left = state_of(cases.step_rows(session, case.id))
            setattr(row, _COLUMNS[step], left.at(step))
        _reevaluate(app, session, case.id, now)
    return case_json(app, tracking_number)


def _check(step: str, until: date | None, by: str | None, detail: str | None) -> None:
    """A clear one-line error for a step that cannot be right."""
    if step not in STEPS:
        raise InputError(f"unknown step {step!r} (known: {', '.join(STEPS)})")
    if step == "extension-granted" and until is None:
        raise InputError("extension-granted needs --until DATE (the new protection end)")
    if until is not None and step != "extension-granted":
        raise InputError("--until only goes with extension-granted")
    if by is not None and by not in ("buyer", "seller"):
        raise InputError(f"--by: expected buyer or seller, got {by!r}")
    if detail is not None:
        if step != "refunded":
            raise InputError("--amount only goes with refunded")
        if detail not in ("full", "partial") and not _is_amount(detail):
            raise InputError(f"--amount: expected full, partial or a number, got {detail!r}")


def _is_amount(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def _check_delivered(session: Session, row: ShipmentRow) -> None:
    """`not-received` is for a parcel tracking calls delivered; anything else needs --force."""
    if row.status == Status.DELIVERED.value:
        return
    status = (row.status or "pending").replace("_", " ")
    raise InputError(
        f"{row.tracking_number}: tracking does not show the parcel as delivered (status: {status}); "
        f"`not-received` is for a 'delivered' parcel you never got. If it is still on its way, follow "
        f"the alerts; to record it anyway, add --force"
    )


def _set_column(row: ShipmentRow, step: str, when: datetime) -> None:
    """received / not-received keep the shipment columns other commands read."""
    if step == "received":
        row.received_at, row.not_received_at = when, None
    elif step == "not-received":
        row.not_received_at = when


def _reevaluate(app: App, session: Session, case_id: int, now: datetime) -> None:
    """Evaluate every parcel of the case now, so its alerts change at once."""
    from watcher.service.evaluator import evaluate_shipment

    session.flush()
    ids = cases.shipment_ids(session, case_id)
    rows = [r for r in shipments.shipments_by_id(session, ids) if r.archived_at is None]
    events = tracking_events.stored_events_by_shipment(session, [r.id for r in rows])
    alerts = alert_states.open_alerts_by_subject(session, [r.tracking_number for r in rows])
    legs = shipments.legs_by_shipment(session, [r.id for r in rows])
    case = state_of(cases.steps_by_case(session, [case_id])[case_id])
    tz = ZoneInfo(app.settings.timezone)
    targets = app.router()
    outcomes = []
    for row in rows:
        outcome, _ = evaluate_shipment(
            session,
            row,
            now,
            settings=app.settings,
            tz=tz,
            targets=targets,
            events=events[row.id],
            open_alerts=alerts[row.tracking_number],
            case=case,
            legs=legs.get(row.id, ()),
        )
        outcomes.append(outcome)
    shipments.save_evaluations(session, outcomes)


def case_context(app: App, tracking_number: str) -> tuple[RuleContext, Any, list[Any], list[Any]]:
    """(rule context at the clock's now, shipment row, parcels of the case, step history)."""
    from watcher.service.evaluator import rule_context
    from watcher.service.timelines import load_timeline

    with app.sessions.begin() as session:
        row = shipments.require_shipment(session, tracking_number)
        case = cases.ensure_case(session, row, app.clock.now())
        history = cases.step_rows(session, case.id)
        parcels = [r.tracking_number for r in cases.order_shipments(session, row)]
        plain = shipments.shipments_by_id(session, [row.id])[0]
        timeline, _events = load_timeline(session, plain)
        legs = shipments.legs_by_shipment(session, [row.id]).get(row.id, [])
        session.expunge_all()
    state = state_of(history)
    ctx = rule_context(
        plain,
        timeline,
        app.clock.now(),
        profiles=app.settings.profiles,
        tz=ZoneInfo(app.settings.timezone),
        case=state,
        legs=legs,
    )
    return ctx, plain, parcels, history


def case_json(app: App, tracking_number: str) -> dict[str, Any]:
    """The `watcher case TRACKING --json` shape (a contract: extend, never break)."""
    from watcher.rules import evaluate
    from watcher.rules.base import dispute_by, last_dispute_day
    from watcher.rules.evidence import evidence_checklist

    ctx, row, parcels, history = case_context(app, tracking_number)
    alerts = sorted(
        evaluate(ctx).alerts,
        key=lambda a: (-Severity(a.severity).rank, a.act_by or date.max, a.kind),
    )
    first = alerts[0] if alerts else None
    deadline = ctx.deadline
    kinds = [a.kind for a in alerts] or ["case"]
    evidence = list(dict.fromkeys(i for k in kinds for i in evidence_checklist(k, ctx.shipment)))
    return {
        "tracking_number": row.tracking_number,
        "order_id": row.order_id,
        "marketplace": row.marketplace,
        "parcels": parcels,
        "position": ctx.case.position(),
        "status": ctx.timeline.status.value,
        "protection": {
            "ends": deadline.isoformat() if deadline else None,
            "source": ctx.deadline_source if deadline else None,
            "dispute_by": _iso(dispute_by(ctx)),
            "last_dispute_day": _iso(last_dispute_day(deadline, ctx.profile) if deadline else None),
        },
        "steps": [_step_json(r, row.id) for r in history],
        "next": None
        if first is None
        else {
            "action": Action(first.action).value,
            "act_by": _iso(first.act_by),
            "kind": first.kind,
            "severity": Severity(first.severity).value,
            "message": first.message,
        },
        "alerts": [
            {
                "kind": a.kind,
                "action": Action(a.action).value,
                "act_by": _iso(a.act_by),
                "severity": Severity(a.severity).value,
                "message": a.message,
            }
            for a in alerts
        ],
        "evidence": evidence,
    }


def _step_json(record: Any, shipment_id: int) -> dict[str, Any]:
    """One history entry."""
    return {
        "step": record.step,
        "at": iso(record.at),
        "until": _iso(record.until),
        "by": record.by,
        "amount": record.detail,
        "note": record.note,
        "recorded_at": iso(record.recorded_at),
        "undone_at": iso(record.undone_at),
        "this_parcel": record.shipment_id == shipment_id,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
