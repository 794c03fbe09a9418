"""Providers' delivery estimates as stored: the history of each provider's estimate per shipment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert as insert_core
from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.domain.models import DeliveryEstimate
from watcher.store.tables import EstimateRow


def record_estimate(
    session: Session, shipment_id: int, provider: str, estimated: date, now: datetime
) -> str | None:
    """Keep a provider's delivery estimate if it changed: "new", "later", "earlier" or None."""
    return record_estimates(session, provider, [(shipment_id, estimated)], now)[0]


def record_estimates(
    session: Session, provider: str, reports: Sequence[tuple[int, date]], now: datetime
) -> list[str | None]:
    """`record_estimate` for many (shipment id, estimate) reports of one provider, in order.

    The shipments' stored estimates are read in one query and the changes written with one
    INSERT and one UPDATE (Core): one query per shipment, then ORM rows and their flush, were
    a fifth of polling time (bench/RESULTS.md, throughput).
    """
    c = EstimateRow.__table__.c
    ids = sorted({shipment_id for shipment_id, _ in reports})
    history: dict[int, list[_Estimate]] = {shipment_id: [] for shipment_id in ids}
    for i in range(0, len(ids), 10_000):
        query = select(c.shipment_id, c.id, c.estimated_date, c.reported_at).where(
            c.provider == provider, c.shipment_id.in_(ids[i : i + 10_000])
        )
        for shipment_id, row_id, estimated_date, reported_at in session.execute(query):
            history[shipment_id].append(_Estimate(row_id, estimated_date, reported_at))
    for rows in history.values():
        rows.sort(key=_Estimate.order)
    moves: list[str | None] = []
    added: list[dict[str, Any]] = []
    again_ids: set[int] = set()
    for shipment_id, estimated in reports:
        rows = history[shipment_id]
        last = rows[-1] if rows else None
        if last is not None and last.estimated_date == estimated:
            moves.append(None)
            continue
        again = next((row for row in rows if row.estimated_date == estimated), None)
        if again is not None:
            again.reported_at = now  # back to an earlier value: it becomes the latest report again
            if again.id is not None:
                again_ids.add(again.id)
        else:
            rows.append(_Estimate(None, estimated, now))
            added.append(
                {
                    "shipment_id": shipment_id,
                    "provider": provider,
                    "estimated_date": estimated,
                    "reported_at": now,
                }
            )
        rows.sort(key=_Estimate.order)
        moves.append(
            "new" if last is None else "later" if estimated > last.estimated_date else "earlier"
        )
    if added:
        session.execute(insert_core(EstimateRow.__table__), added)
    if again_ids:
        ordered = sorted(again_ids)
        for i in range(0, len(ordered), 10_000):
            session.execute(
                EstimateRow.__table__.update()
                .where(c.id.in_(ordered[i : i + 10_000]))
                .values(reported_at=now)
            )
    return moves


@dataclass(slots=True)
class _Estimate:
    """One stored (or just added: no id yet) estimate while `record_estimates` works."""

    id: int | None
    estimated_date: date
    reported_at: datetime

    def order(self) -> tuple[datetime, bool, int]:
        """Oldest report first; rows added now after stored ones reported at the same time."""
        return (self.reported_at, self.id is None, self.id or 0)


def estimates(session: Session, shipment_id: int) -> list[DeliveryEstimate]:
    """Every recorded delivery estimate, oldest report first."""
    rows = session.scalars(
        select(EstimateRow)
        .where(EstimateRow.shipment_id == shipment_id)
        .order_by(EstimateRow.reported_at, EstimateRow.id)
    )
    return [
        DeliveryEstimate(date=row.estimated_date, source=row.provider, reported_at=row.reported_at)
        for row in rows
    ]
