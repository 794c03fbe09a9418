"""The evaluator finds due shipments through the next_eval_at index and works through them in chunks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.kits.common import T0, write_replay
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service import evaluator
from watcher.service.app import App
from watcher.store.tables import ShipmentRow

NUMBERS = [f"LP0000000000{i:04d}" for i in range(7)]


def make_app(make_config, replay_dir) -> App:
    body = ""
    for number in NUMBERS:
        write_replay(
            replay_dir,
            number,
            [
                {
                    "time": "2026-10-20T10:00:00+08:00",
                    "description": "Departed from origin country",
                    "location": "Shenzhen, CN",
                },
            ],
        )
        body += f'[[shipments]]\ntracking_number = "{number}"\ndestination = {{ country = "DE" }}\n'
    app = App(load_settings(make_config(body)), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    return app


def shipments(app: App) -> dict[str, ShipmentRow]:
    with app.sessions() as session:
        return {row.tracking_number: row for row in session.scalars(select(ShipmentRow))}


def test_due_shipments_are_evaluated_in_chunks_and_the_rest_left_alone(
    make_config, replay_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(make_config, replay_dir)
    before = shipments(app)
    assert all(row.status == "in_transit" for row in before.values())
    now = T0 + timedelta(days=1)
    due = NUMBERS[:5]
    with app.sessions.begin() as session:
        session.execute(
            update(ShipmentRow).values(next_eval_at=now + timedelta(days=30), status="pending")
        )
        session.execute(
            update(ShipmentRow).where(ShipmentRow.tracking_number.in_(due)).values(next_eval_at=now)
        )
    monkeypatch.setattr(evaluator, "EVALUATION_CHUNK", 2)  # 5 due: chunks of 2, 2 and 1

    report = evaluator.evaluate_due(
        now, settings=app.settings, sessions=app.sessions, targets=app.router()
    )

    assert report.evaluated == len(due)
    after = shipments(app)
    for number in due:
        assert after[number].status == "in_transit", number
        assert after[number].next_eval_at is not None and after[number].next_eval_at > now
    for number in NUMBERS[5:]:
        assert after[number].status == "pending", "not due: not evaluated"
        assert after[number].next_eval_at == now + timedelta(days=30)


def test_full_evaluation_pages_through_every_active_shipment(
    make_config, replay_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(make_config, replay_dir)
    with app.sessions.begin() as session:
        session.execute(update(ShipmentRow).values(status="pending"))
        session.execute(
            update(ShipmentRow)
            .where(ShipmentRow.tracking_number == NUMBERS[0])
            .values(archived_at=T0)
        )
    monkeypatch.setattr(evaluator, "EVALUATION_CHUNK", 3)

    report = evaluator.evaluate_due(
        T0 + timedelta(days=1),
        settings=app.settings,
        sessions=app.sessions,
        targets=app.router(),
        everything=True,
    )

    assert report.evaluated == len(NUMBERS) - 1
    after = shipments(app)
    assert after[NUMBERS[0]].status == "pending", "archived: not evaluated"
    assert all(after[number].status == "in_transit" for number in NUMBERS[1:])
