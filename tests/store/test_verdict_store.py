"""`shipments.store_verdicts`: one read per batch, writes only on change, providers side by side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tests.kits.common import T0
from watcher.store import db, shipments
from watcher.store.tables import ShipmentRow

NUMBER = "LP00000000000001"
EXCEPTION = {"status": "exception", "substatus": None, "raw": "Exception/Exception_Other"}
DELIVERED = {"status": "delivered", "substatus": None, "raw": "Delivered"}


def test_verdicts_are_stored_per_number_and_provider(
    make_database_url: Callable[[], str],
) -> None:
    engine, sessions = db.open_database(make_database_url())
    try:
        with sessions.begin() as session:
            row = shipments.new_shipment_row(NUMBER, {}, T0, source="cli")
            session.add(row)
            session.flush()
            sid = row.id
        later = T0 + timedelta(hours=6)
        with sessions.begin() as session:
            changed = shipments.store_verdicts(session, [(sid, NUMBER, "17track", EXCEPTION)], T0)
            assert changed == {sid}
        with sessions.begin() as session:
            # The same verdict again: nothing written, `seen_at` keeps when it was first seen.
            assert (
                shipments.store_verdicts(session, [(sid, NUMBER, "17track", EXCEPTION)], later)
                == set()
            )
            # A second provider on the same number does not overwrite the first.
            assert shipments.store_verdicts(session, [(sid, NUMBER, "dhl", DELIVERED)], later) == {
                sid
            }
        with sessions() as session:
            stored = session.get(ShipmentRow, sid).verdicts
        assert stored[NUMBER] == {
            "number": NUMBER,
            "provider": "17track",
            **EXCEPTION,
            "seen_at": T0.isoformat(),
        }
        assert stored[f"{NUMBER}@dhl"]["status"] == "delivered"
    finally:
        engine.dispose()
