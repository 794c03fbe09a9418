"""Per-parcel failures: what went wrong handling one parcel, so the cycle goes on for the others.

`shipments.failures` counts failures in a row, `last_error`/`last_error_at` say the latest; the
caller decides when to look again (a backoff from watcher/service/schedule.py).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from watcher.domain.redact import truncate
from watcher.store.tables import ShipmentRow

#: Longest stored error text (redacted before it is cut).
ERROR_LIMIT = 500


def record_failure(
    session: Session,
    shipment_id: int,
    error: str,
    now: datetime,
    *,
    retry_at: datetime | None = None,
) -> None:
    """Count one more failure of the parcel; `retry_at` (if given) is its next evaluation."""
    t = ShipmentRow.__table__.c
    values = {
        "failures": t.failures + 1,
        "last_error": truncate(error, ERROR_LIMIT),
        "last_error_at": now,
    }
    if retry_at is not None:
        values["next_eval_at"] = retry_at
    session.execute(update(ShipmentRow.__table__).where(t.id == shipment_id).values(values))


def clear_failures(session: Session, shipment_ids: Collection[int], stage: str) -> None:
    """The parcels passed `stage` ("evaluation", "storing"): if that stage failed last, the count
    starts over (the last error stays). Another stage's failure is not cleared by this one."""
    if not shipment_ids:
        return
    t = ShipmentRow.__table__.c
    ids = sorted(shipment_ids)
    for i in range(0, len(ids), 10_000):
        session.execute(
            update(ShipmentRow.__table__)
            .where(t.id.in_(ids[i : i + 10_000]), t.failures > 0, t.last_error.startswith(stage))
            .values(failures=0)
        )
