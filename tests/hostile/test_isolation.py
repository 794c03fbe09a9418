"""One bad parcel never blinds the rest: evaluation, storing and provider events are per parcel."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from tests.kits.common import T0, write_replay
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.service.evaluator import evaluate as real_evaluate
from watcher.store import shipments
from watcher.store.tables import AlertRow, EventRow, ShipmentRow

NUMBERS = ["LP00123456789012", "LP00123456789013", "LP00123456789014"]
BAD = NUMBERS[1]
# Departed 27 days before T0 and silent since: every parcel gets a stall alert.
EVENTS = [
    {"time": "2026-10-02T08:00:00+08:00", "description": "Accepted by carrier", "location": "Shenzhen, CN"},
    {"time": "2026-10-05T23:10:00+08:00", "description": "Departed from origin country", "location": "Shenzhen, CN"},
]  # fmt: skip


def make_app(make_config, replay_dir: Path, extra: str = "") -> tuple[App, RecordingNotifier, Path]:
    body = "".join(
        f'[[shipments]]\ntracking_number = "{n}"\nordered_at = 2026-10-01\n' for n in NUMBERS
    )
    for number in NUMBERS:
        write_replay(replay_dir, number, EVENTS)
    config = make_config(extra + body)
    notifier = RecordingNotifier()
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=notifier)
    app.sync_config()
    return app, notifier, config


def alerted(app: App) -> set[str]:
    with app.sessions() as session:
        return set(session.scalars(select(AlertRow.subject).where(AlertRow.resolved_at.is_(None))))


def shipment(app: App, number: str) -> ShipmentRow:
    with app.sessions() as session:
        row = shipments.find_shipment(session, number)
        assert row is not None
        return row


def test_a_rule_raising_for_one_parcel_spares_the_others(
    make_config, replay_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog, capsys
) -> None:
    app, notifier, config = make_app(make_config, replay_dir)

    def evaluate(ctx):
        if ctx.shipment.tracking_number == BAD:
            raise OverflowError("date value out of range")
        return real_evaluate(ctx)

    monkeypatch.setattr("watcher.service.evaluator.evaluate", evaluate)
    with caplog.at_level(logging.ERROR, logger="watcher"):
        report = asyncio.run(app.cycle(force=True))
    assert report.evaluation.failed == 1
    assert alerted(app) == {NUMBERS[0], NUMBERS[2]}, "the others still get their alerts"
    assert {body.split()[0] for _t, _title, body in notifier.sent} or notifier.sent
    assert any(BAD in r.getMessage() and "OverflowError" in r.getMessage() for r in caplog.records)
    row = shipment(app, BAD)
    assert row.failures == 1 and "OverflowError" in row.last_error and row.last_error_at == T0
    first_retry = row.next_eval_at
    assert first_retry is not None and T0 < first_retry <= T0 + timedelta(minutes=5)

    # It keeps failing: the retries back off (doubling), the others are not held up.
    app.clock.advance(seconds=(first_retry - T0).total_seconds())
    asyncio.run(app.cycle())
    row = shipment(app, BAD)
    assert row.failures == 2
    assert row.next_eval_at - app.clock.now() > first_retry - T0

    assert main(["show", BAD, "--config", str(config)]) == 0
    assert "failing: 2 in a row" in capsys.readouterr().out
    assert main(["show", BAD, "--config", str(config), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failures"] == 2 and "OverflowError" in data["last_error"]
    assert main(["status", "--config", str(config), "--json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["failing_shipments"] == 1

    # Fixed: the next evaluation succeeds and the count starts over.
    monkeypatch.setattr("watcher.service.evaluator.evaluate", real_evaluate)
    app.clock.advance(hours=1)
    asyncio.run(app.cycle())
    assert shipment(app, BAD).failures == 0 and BAD in alerted(app)
    asyncio.run(app.aclose())


def test_a_stored_date_at_the_end_of_time_fails_only_its_parcel(make_config, replay_dir) -> None:
    """A database written before the bounds existed: 9999-12-31 overflowed every cycle."""
    app, _, _ = make_app(make_config, replay_dir)
    with app.sessions.begin() as session:
        session.execute(
            update(ShipmentRow)
            .where(ShipmentRow.tracking_number == BAD)
            .values(ordered_at=date(9999, 12, 31), protection_ends=date(9999, 12, 31))
        )
    report = asyncio.run(app.cycle(force=True))
    assert report.evaluation.failed <= 1
    assert {NUMBERS[0], NUMBERS[2]} <= alerted(app)
    asyncio.run(app.aclose())


def count_events(app: App, number: str) -> int:
    with app.sessions() as session:
        row = shipments.find_shipment(session, number)
        return session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.shipment_id == row.id)
        )


BAD_TIMES = st.sampled_from(
    [
        "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59",
        "0001-01-01T00:00:00", "1999-12-31T23:59:59+00:00", "2031-01-01T00:00:00+00:00",
    ]
)  # fmt: skip


@given(bad=st.lists(BAD_TIMES, min_size=1, max_size=4), where=st.integers(0, 2))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_out_of_range_provider_events_are_skipped_and_the_rest_stored(
    make_config, tmp_path_factory, bad: list[str], where: int
) -> None:
    root = tmp_path_factory.mktemp("batch")
    config = root / "watcher.toml"
    config.write_text(
        f'default_providers = ["replay"]\ndatabase_url = "sqlite:///{root / "w.db"}"\n'
        f'[providers.replay]\npath = "replay"\n[[shipments]]\ntracking_number = "{NUMBERS[0]}"\n'
    )
    events = list(EVENTS)
    for time in bad:
        events.insert(where, {"time": time, "description": "Time machine", "location": "CN"})
    write_replay(root / "replay", NUMBERS[0], events)
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    report = asyncio.run(app.cycle(force=True))
    assert not report.poll.errors
    assert count_events(app, NUMBERS[0]) == len(EVENTS)
    asyncio.run(app.aclose())


def test_storing_one_parcel_failing_stores_the_rest_of_its_batch(
    make_config, replay_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _, _ = make_app(
        make_config, replay_dir, '[providers.replay]\npath = "replay"\nbatch_size = 10\n'
    )
    from watcher.store import tracking_events

    real = tracking_events.store_events_many
    bad_id = shipment(app, BAD).id

    def store(session, name, items, now):
        if any(shipment_id == bad_id for shipment_id, _n, _e in items):
            raise ValueError("value too large for column")
        return real(session, name, items, now)

    monkeypatch.setattr(tracking_events, "store_events_many", store)
    report = asyncio.run(app.cycle(force=True))
    assert count_events(app, NUMBERS[0]) == count_events(app, NUMBERS[2]) == len(EVENTS)
    assert count_events(app, BAD) == 0
    row = shipment(app, BAD)
    assert row.failures == 1 and "value too large" in row.last_error
    assert row.poll_failures == 1 and row.next_poll_at is not None
    assert any(BAD in error for error in report.poll.errors)
    asyncio.run(app.aclose())
