"""Several `watcher run` instances on one PostgreSQL database share the work exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

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
from watcher.store.tables import EventRow, NotificationRow, ShipmentRow

pytestmark = pytest.mark.postgres

SHIPMENTS = 2000


def test_two_instances_poll_each_shipment_once_and_send_each_notification_once(
    tmp_path: Path, pg_url: str
) -> None:
    numbers = [number(100_000 + i) for i in range(SHIPMENTS)]
    expected = write_replay(
        tmp_path / "replay", numbers, lambda n: "delivered" if n.endswith("7") else "transit"
    )
    sink = NotifySink()
    # Small claims, so both instances keep coming back for more while the other is working.
    config = write_config(
        tmp_path,
        database_url=pg_url,
        numbers=numbers,
        notify_url=sink.url,
        tick=0.3,
        polling="max_shipments_per_cycle = 150",
    )
    env = daemon_env(tmp_path)
    # Fetches wait until both instances hold claimed work: otherwise the first one to start can
    # poll all 2,000 (cycling back to back through the backlog) before the second has imported.
    env["TESTKIT_GATE"] = f"{tmp_path / 'gate'}:2"
    engine = db.make_engine(pg_url)
    daemons = [DaemonProcess(config, env, "a"), DaemonProcess(config, env, "b")]
    try:
        for daemon in daemons:
            daemon.start()
        # Both start on an empty database: the migrations run once, under an advisory lock.
        wait_until(lambda: db.has_schema(engine), 60, what="the schema", daemons=daemons)
        wait_until(
            lambda: (
                count(engine, ShipmentRow) == SHIPMENTS
                and count(engine, ShipmentRow, ShipmentRow.last_polled_at.is_(None)) == 0
            ),
            240,
            interval=0.5,
            what="every shipment to be polled",
            daemons=daemons,
        )
        wait_until(
            lambda: (
                count(engine, ShipmentRow, ShipmentRow.next_eval_at <= db_now(engine)) == 0
                and count(engine, NotificationRow) > 0
                and count(engine, NotificationRow, NotificationRow.sent_at.is_(None)) == 0
            ),
            240,
            interval=0.5,
            what="evaluation done and the outbox drained",
            daemons=daemons,
        )
        time.sleep(2)  # a few more ticks: nothing may be polled or sent again
        for daemon in daemons:
            assert daemon.stop() == 0, daemon.log()[-3000:]
    finally:
        for daemon in daemons:
            if daemon.alive():
                daemon.kill()
        sink.close()

    per_number, per_pid = request_counts(tmp_path)
    try:
        assert set(per_number) == set(numbers)
        twice = [n for n, c in per_number.items() if c != 1]
        assert not twice, f"{len(twice)} shipments polled more than once, e.g. {twice[:5]}"
        assert len(per_pid) == 2 and min(per_pid.values()) > 0, (
            f"both instances must do work: {per_pid}"
        )
        assert len(list((tmp_path / "gate").iterdir())) == 2, "both instances met at the fetch gate"
        assert count(engine, EventRow) == sum(expected.values())

        queued = count(engine, NotificationRow)
        messages = sink.messages()
        assert sum(messages.values()) == queued, (sum(messages.values()), queued)
        assert max(messages.values()) == 1, "a notification was sent twice"
        assert count(engine, ShipmentRow, ShipmentRow.lease_owner.is_not(None)) == 0
        assert count(engine, NotificationRow, NotificationRow.lease_owner.is_not(None)) == 0
    finally:
        engine.dispose()


def db_now(engine: object) -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)
