"""The main job end to end on the embedded database: ingestion, schedule, restart, outbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.kits.common import T0, write_replay
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import alert_states, shipments, tracking_events
from watcher.store.tables import EventRow, NotificationRow, ShipmentRow

NUMBER = "LP00123456789012"
CONFIG = f"""
[[shipments]]
tracking_number = "{NUMBER}"
label = "USB hub"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
destination = {{ country = "DE" }}
"""
EVENTS = [
    {
        "time": "2026-10-02T08:00:00+08:00",
        "description": "Accepted by carrier",
        "location": "Shenzhen, CN",
    },
    {
        "time": "2026-10-05T23:10:00+08:00",
        "description": "Departed from origin country",
        "location": "Shenzhen, CN",
    },
    {
        "time": "2026-10-28T09:15:00+01:00",
        "description": "Arrived at destination country",
        "location": "Leipzig, DE",
        "status": "in_transit",
    },
]


def make_app(config: Path, clock: FrozenClock, notifier: RecordingNotifier | None = None) -> App:
    return App(load_settings(config), clock=clock, notifier=notifier or RecordingNotifier())


def count(app: App, table: type) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_ingestion_is_idempotent(make_config, replay_dir: Path, clock: FrozenClock) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    app = make_app(make_config(CONFIG), clock)
    app.sync_config()
    first = asyncio.run(app.cycle(force=True))
    second = asyncio.run(app.cycle(force=True))
    assert first.poll.new_events == 3
    assert second.poll.new_events == 0
    assert count(app, EventRow) == 3
    with app.sessions() as session:
        stored = tracking_events.stored_events(session, 1)
    assert [e.time.isoformat() for e in stored] == [
        "2026-10-02T00:00:00+00:00",
        "2026-10-05T15:10:00+00:00",
        "2026-10-28T08:15:00+00:00",
    ]
    assert stored[0].provider == "replay"


def test_new_events_are_added_to_the_old_ones(
    make_config, replay_dir: Path, clock: FrozenClock
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS[:1])
    app = make_app(make_config(CONFIG), clock)
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    write_replay(replay_dir, NUMBER, EVENTS)
    report = asyncio.run(app.cycle(force=True))
    assert report.poll.new_events == 2
    assert count(app, EventRow) == 3


def test_config_sync_updates_and_never_deletes(
    make_config, replay_dir: Path, clock: FrozenClock
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    config = make_config(CONFIG)
    app = make_app(config, clock)
    assert app.sync_config().added == 1
    asyncio.run(app.cycle(force=True))
    config.write_text(
        config.read_text().replace('label = "USB hub"', 'label = "USB-C hub"'), encoding="utf-8"
    )
    app2 = make_app(config, clock)
    assert app2.sync_config().updated == 1
    config.write_text(
        config.read_text().split("[[shipments]]")[0] + '\n[providers.replay]\npath = "replay"\n',
        encoding="utf-8",
    )
    app3 = make_app(config, clock)
    app3.sync_config()
    with app3.sessions() as session:
        row = shipments.find_shipment(session, NUMBER)
        assert row is not None and row.label == "USB-C hub"
    assert count(app3, EventRow) == 3


def test_restart_resumes_the_stored_schedule(
    make_config, replay_dir: Path, clock: FrozenClock
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    config = make_config(CONFIG)
    app = make_app(config, clock)
    app.sync_config()
    report = asyncio.run(app.cycle())
    assert report.poll.shipments == 1
    with app.sessions() as session:
        next_poll = session.scalar(select(ShipmentRow.next_poll_at))
    assert next_poll is not None and next_poll > T0
    app.engine.dispose()

    restarted = make_app(config, clock)  # a new process on the same database
    restarted.sync_config()
    assert asyncio.run(restarted.cycle()).poll.shipments == 0, "not due yet: nothing polled"
    clock.set(next_poll + timedelta(seconds=1))
    assert asyncio.run(restarted.cycle()).poll.shipments == 1


def test_missing_replay_file_means_no_information(make_config, clock: FrozenClock) -> None:
    app = make_app(make_config(CONFIG), clock)
    app.sync_config()
    report = asyncio.run(app.cycle(force=True))
    assert report.poll.errors == []
    with app.sessions() as session:
        row = shipments.find_shipment(session, NUMBER)
        assert row is not None and row.status == "pending" and row.poll_failures == 0


def test_bad_replay_file_backs_off_and_names_the_file(
    make_config, replay_dir: Path, clock: FrozenClock
) -> None:
    replay_dir.mkdir()
    (replay_dir / f"{NUMBER}.json").write_text("{not json", encoding="utf-8")
    app = make_app(make_config(CONFIG), clock)
    app.sync_config()
    report = asyncio.run(app.cycle(force=True))
    assert len(report.poll.errors) == 1
    assert f"{NUMBER}.json: not valid JSON" in report.poll.errors[0]
    with app.sessions() as session:
        row = shipments.find_shipment(session, NUMBER)
        assert row is not None and row.poll_failures == 1
        assert row.next_poll_at is not None and row.next_poll_at > T0


def test_each_alert_is_sent_once(make_config, replay_dir: Path) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    clock = FrozenClock(T0 + timedelta(days=40))  # past protection_ends
    notifier = RecordingNotifier()
    app = make_app(make_config(CONFIG), clock, notifier)
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    first = list(notifier.sent)
    for _ in range(3):
        clock.advance(hours=1)
        asyncio.run(app.cycle(force=True))
    assert first, "the past deadline raised at least one alert"
    assert notifier.sent == first, "later cycles send nothing new for the same alert state"
    assert all("USB hub" in title for _target, title, _body in first)
    with app.sessions() as session:
        open_count = len(alert_states.open_alerts(session))
    assert count(app, NotificationRow) == len(first) == open_count


def test_failed_send_is_retried_then_delivered_once(make_config, replay_dir: Path) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    clock = FrozenClock(T0 + timedelta(days=40))
    notifier = RecordingNotifier(fail=1)
    app = make_app(make_config(CONFIG), clock, notifier)
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    with app.sessions() as session:
        rows = list(session.scalars(select(NotificationRow).order_by(NotificationRow.id)))
    assert rows[0].sent_at is None and rows[0].last_error == "simulated failure"
    assert len(notifier.sent) == len(rows) - 1
    clock.advance(minutes=5)
    asyncio.run(app.cycle())
    asyncio.run(app.cycle())
    with app.sessions() as session:
        rows = list(session.scalars(select(NotificationRow).order_by(NotificationRow.id)))
    assert all(row.sent_at is not None for row in rows)
    assert rows[0].attempts == 2
    assert len(notifier.sent) == len(rows), "every message delivered exactly once"


def test_a_tick_works_through_a_backlog_larger_than_one_cycle(
    make_config, replay_dir: Path, clock: FrozenClock
) -> None:
    from watcher.service.daemon import Daemon

    numbers = [f"LP0012345678901{i}" for i in range(5)]
    body = "[polling]\nmax_shipments_per_cycle = 2\n" + "".join(
        f'[[shipments]]\ntracking_number = "{n}"\n' for n in numbers
    )
    for number in numbers:
        write_replay(replay_dir, number, EVENTS[:1])
    app = make_app(make_config(body), clock)
    app.sync_config()
    daemon = Daemon(app)
    asyncio.run(daemon.tick())
    assert daemon.cycles == 3, "2 + 2 + 1 shipments: three cycles back to back in one tick"
    assert count(app, EventRow) == 5
