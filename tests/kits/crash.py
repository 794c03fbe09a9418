"""Crash scenarios shared by the SQLite and PostgreSQL tests: SIGKILL at a known point, restart, compare."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.kits.daemon import (
    DaemonProcess,
    NotifySink,
    count,
    daemon_env,
    number,
    request_counts,
    wait_until,
    write_config,
    write_replay,
)
from watcher.store import db
from watcher.store.tables import AlertRow, EventRow, NotificationRow, ShipmentRow


def all_polled(engine: object) -> bool:
    return count(engine, ShipmentRow, ShipmentRow.last_polled_at.is_(None)) == 0  # type: ignore[arg-type]


def crash_between_poll_and_store(tmp: Path, url: str) -> None:
    """Kill while the provider's answer is in memory and nothing is stored; the restart stores it all once."""
    numbers = [number(i) for i in range(1, 6)]
    expected = write_replay(tmp / "replay", numbers, "transit")
    config = write_config(tmp, database_url=url, numbers=numbers)
    (tmp / "block").touch()
    env = daemon_env(tmp)
    first = DaemonProcess(config, env, "first").start()
    wait_until(
        lambda: (tmp / "block.hit").exists(),
        60,
        what="the provider to hang mid-poll",
        daemons=[first],
    )
    first.kill()

    engine = db.make_engine(url)
    try:
        assert count(engine, EventRow) == 0, "nothing may be stored before the poll completes"
        leased = count(engine, ShipmentRow, ShipmentRow.lease_owner.is_not(None))
        assert leased == len(numbers), "the dead instance's claim is still recorded"

        (tmp / "block").unlink()
        second = DaemonProcess(config, env, "second").start()
        wait_until(
            lambda: all_polled(engine), 60, what="every shipment to be polled", daemons=[second]
        )
        assert second.stop() == 0, second.log()

        for item in numbers:
            stored = count(engine, EventRow, EventRow.tracking_number == item)
            assert stored == expected[item], (
                f"{item}: {stored} events stored, {expected[item]} reported"
            )
        assert count(engine, ShipmentRow, ShipmentRow.lease_owner.is_not(None)) == 0
        per_number, _ = request_counts(tmp)
        # At most once before the crash (batches may not all have started) and once after it.
        assert all(1 <= per_number[item] <= 2 for item in numbers), per_number
    finally:
        engine.dispose()


def crash_between_alert_and_send(tmp: Path, url: str) -> None:
    """Kill after the alert and its outbox row are committed, before delivery; the restart sends each once."""
    numbers = [number(i) for i in range(11, 17)]
    write_replay(tmp / "replay", numbers, lambda n: "delivered" if int(n[-1]) % 2 else "transit")
    sink = NotifySink()
    try:
        sink.blocking = True
        config = write_config(tmp, database_url=url, numbers=numbers, notify_url=sink.url)
        env = daemon_env(tmp)
        first = DaemonProcess(config, env, "first").start()
        wait_until(
            sink.blocked.is_set, 60, what="the first notification to be in flight", daemons=[first]
        )
        first.kill()
        sink.unblock()

        engine = db.make_engine(url)
        try:
            queued = count(engine, NotificationRow)
            assert queued > 0
            assert count(engine, NotificationRow, NotificationRow.sent_at.is_not(None)) == 0
            assert sink.received == []
            alerts_before = _alert_keys(engine)

            second = DaemonProcess(config, env, "second").start()
            wait_until(
                lambda: count(engine, NotificationRow, NotificationRow.sent_at.is_(None)) == 0,
                60,
                what="the outbox to drain",
                daemons=[second],
            )
            assert second.stop() == 0, second.log()

            messages = sink.messages()
            assert sum(messages.values()) == queued, "every queued notification delivered"
            assert max(messages.values()) == 1, (
                f"duplicates: {[m for m, n in messages.items() if n > 1]}"
            )
            assert count(engine, NotificationRow) == queued, "no notification written twice"
            assert _alert_keys(engine) == alerts_before, "the restart opened no alert twice"
            for title, _body in messages:
                assert "LP000000000000" in title or "parcel" in title
        finally:
            engine.dispose()
    finally:
        sink.close()


def _alert_keys(engine: object) -> list[tuple[str, str]]:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return sorted(connection.execute(select(AlertRow.subject, AlertRow.key)).all())
