"""The buyer's case: steps taken on the ladder, recorded and undone (a minimal version for `serve`).

The parcels of one order share a case ("order:MARKETPLACE:ID"), else each parcel has its own
("parcel:NUMBER"). Undone steps stay in the table, marked. `received` and `not-received` also set
the shipment's moments, as `watcher received` / `watcher not-received` do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.domain.errors import InputError
from watcher.domain.numbers import normalize_tracking_number
from watcher.domain.timefmt import iso
from watcher.store.shipments import require_shipment
from watcher.store.tables import CaseRow, CaseStepRow, ShipmentRow

if TYPE_CHECKING:
    from watcher.service.app import App

#: The ladder, in the order a case usually climbs it.
STEPS = (
    "seller-contacted",
    "extension-requested",
    "extension-granted",
    "dispute-opened",
    "seller-replied",
    "escalated",
    "refunded",
    "closed",
    "claim-filed",
    "chargeback",
    "received",
    "not-received",
)


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
    """Record one step of a parcel's case; returns `case_json`."""
    if step not in STEPS:
        raise InputError(f"{step}: unknown case step (known: {', '.join(STEPS)})")
    if step == "extension-granted" and until is None:
        raise InputError("extension-granted: give the new protection end (until)")
    now = app.clock.now()
    when = at or now
    with app.sessions.begin() as session:
        row = require_shipment(session, normalize_tracking_number(tracking_number))
        if step == "not-received" and row.status != "delivered" and not force:
            raise InputError(
                f"{row.tracking_number}: tracking does not show it delivered (status: {row.status});"
                " record not-received anyway with force"
            )
        case = _case_of(session, row, now)
        session.add(
            CaseStepRow(
                case_id=case.id,
                shipment_id=row.id,
                step=step,
                at=when,
                until=until,
                by=by,
                detail=detail,
                note=note,
                recorded_at=now,
            )
        )
        _apply(row, step, when, until)
        case.updated_at = row.updated_at = row.next_eval_at = now
        number = row.tracking_number
    return case_json(app, number)


def undo_step(app: App, tracking_number: str, step: str) -> dict[str, Any]:
    """Mark the latest recorded `step` of a parcel's case undone; returns `case_json`."""
    now = app.clock.now()
    with app.sessions.begin() as session:
        row = require_shipment(session, normalize_tracking_number(tracking_number))
        found = (
            session.scalars(
                select(CaseStepRow)
                .where(
                    CaseStepRow.case_id == row.case_id,
                    CaseStepRow.step == step,
                    CaseStepRow.undone_at.is_(None),
                )
                .order_by(CaseStepRow.id.desc())
            ).first()
            if row.case_id
            else None
        )
        if found is None:
            raise InputError(f"{row.tracking_number}: no {step!r} step to undo")
        found.undone_at = now
        if step == "received":
            row.received_at = None
        elif step == "not-received":
            row.not_received_at = None
        row.updated_at = row.next_eval_at = now
        number = row.tracking_number
    return case_json(app, number)


def case_json(app: App, tracking_number: str) -> dict[str, Any]:
    """A parcel's case: its key and the steps taken (undone ones flagged), oldest first."""
    with app.sessions() as session:
        row = require_shipment(session, normalize_tracking_number(tracking_number))
        case = session.get(CaseRow, row.case_id) if row.case_id else None
        steps = (
            list(
                session.scalars(
                    select(CaseStepRow)
                    .where(CaseStepRow.case_id == case.id)
                    .order_by(CaseStepRow.at, CaseStepRow.id)
                )
            )
            if case
            else []
        )
        taken = [s for s in steps if s.undone_at is None]
        return {
            "tracking_number": row.tracking_number,
            "key": case.key if case else None,
            "position": taken[-1].step if taken else None,
            "steps": [_step_json(s) for s in steps],
        }


def _step_json(row: CaseStepRow) -> dict[str, Any]:
    return {
        "step": row.step,
        "at": iso(row.at),
        "until": row.until.isoformat() if row.until else None,
        "by": row.by,
        "detail": row.detail,
        "note": row.note,
        "recorded_at": iso(row.recorded_at),
        "undone_at": iso(row.undone_at),
    }


def _case_of(session: Session, row: ShipmentRow, now: datetime) -> CaseRow:
    """The parcel's case, created (shared by its order's parcels) on the first step."""
    if row.case_id:
        case = session.get(CaseRow, row.case_id)
        if case is not None:
            return case
    key = (
        f"order:{row.marketplace}:{row.order_id}"
        if row.order_id
        else f"parcel:{row.tracking_number}"
    )
    case = session.scalar(select(CaseRow).where(CaseRow.key == key))
    if case is None:
        case = CaseRow(
            key=key,
            marketplace=row.marketplace,
            order_id=row.order_id,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
    row.case_id = case.id
    return case


def _apply(row: ShipmentRow, step: str, when: datetime, until: date | None) -> None:
    """What a step changes on the shipment itself."""
    if step == "received":
        row.received_at, row.not_received_at = when, None
    elif step == "not-received":
        row.not_received_at = when
    elif step == "extension-granted" and until is not None:
        row.protection_ends = until
