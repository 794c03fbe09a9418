"""The buyer's cases: one per order (or per parcel without an order id), with their step history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.store.tables import CaseRow, CaseStepRow, ShipmentRow


def case_key(row: ShipmentRow) -> str:
    """'order:MARKETPLACE:ID' so the parcels of one order share a case, else 'parcel:NUMBER'."""
    if row.order_id:
        return f"order:{row.marketplace}:{row.order_id}"[:160]
    return f"parcel:{row.tracking_number}"


def ensure_case(session: Session, row: ShipmentRow, now: datetime) -> CaseRow:
    """The parcel's case, created on first use; every parcel of the same order joins it."""
    key = case_key(row)
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
    for sibling in order_shipments(session, row):
        if sibling.case_id != case.id:
            sibling.case_id = case.id
    return case


def order_shipments(session: Session, row: ShipmentRow) -> list[ShipmentRow]:
    """The parcel and the other parcels of its order."""
    if not row.order_id:
        return [row]
    query = select(ShipmentRow).where(
        ShipmentRow.marketplace == row.marketplace, ShipmentRow.order_id == row.order_id
    )
    return list(session.scalars(query.order_by(ShipmentRow.id)))


def shipment_ids(session: Session, case_id: int) -> list[int]:
    """The ids of the parcels that share the case."""
    query = select(ShipmentRow.id).where(ShipmentRow.case_id == case_id).order_by(ShipmentRow.id)
    return list(session.scalars(query))


def add_step(
    session: Session,
    case: CaseRow,
    shipment_id: int | None,
    step: str,
    *,
    at: datetime,
    now: datetime,
    until: date | None = None,
    by: str | None = None,
    detail: str | None = None,
    note: str | None = None,
) -> CaseStepRow:
    """Record one step of the case."""
    record = CaseStepRow(
        case_id=case.id,
        shipment_id=shipment_id,
        step=step,
        at=at,
        until=until,
        by=by,
        detail=detail,
        note=note,
        recorded_at=now,
    )
    session.add(record)
    case.updated_at = now
    session.flush()
    return record


def undo_step(session: Session, case: CaseRow, step: str, now: datetime) -> CaseStepRow | None:
    """Mark the latest active record of `step` undone (it stays in the history)."""
    query = (
        select(CaseStepRow)
        .where(
            CaseStepRow.case_id == case.id,
            CaseStepRow.step == step,
            CaseStepRow.undone_at.is_(None),
        )
        .order_by(CaseStepRow.at.desc(), CaseStepRow.id.desc())
    )
    record = session.scalars(query).first()
    if record is not None:
        record.undone_at = now
        case.updated_at = now
    return record


def step_rows(session: Session, case_id: int) -> list[CaseStepRow]:
    """The case's history, oldest first, undone steps included."""
    query = select(CaseStepRow).where(CaseStepRow.case_id == case_id)
    return list(session.scalars(query.order_by(CaseStepRow.at, CaseStepRow.id)))


def steps_by_case(session: Session, case_ids: Iterable[int | None]) -> dict[int, list[CaseStepRow]]:
    """Active steps of several cases in one query (for an evaluation chunk)."""
    ids = sorted({i for i in case_ids if i is not None})
    found: dict[int, list[CaseStepRow]] = {i: [] for i in ids}
    if not ids:
        return found
    query = select(CaseStepRow).where(CaseStepRow.case_id.in_(ids), CaseStepRow.undone_at.is_(None))
    for record in session.scalars(query.order_by(CaseStepRow.at, CaseStepRow.id)):
        found[record.case_id].append(record)
    return found
