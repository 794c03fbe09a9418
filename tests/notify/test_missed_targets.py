"""A target added later hears about alerts that are still open and actionable (issue 17, trap 8)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.kits.common import write_replay
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App

NUMBER = "LP00123456789012"
PARCEL = f"""
[[shipments]]
tracking_number = "{NUMBER}"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
"""
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # stalled, protection ends in a week


def cycle(config: Path, targets: list[str], now: datetime) -> RecordingNotifier:
    notifier = RecordingNotifier(targets)
    app = App(load_settings(config), clock=FrozenClock(now), notifier=notifier)
    try:
        app.sync_config()
        asyncio.run(app.cycle(force=True, everything=True))
    finally:
        asyncio.run(app.aclose())
    return notifier


def cycle_without_evaluation(config: Path, targets: list[str], now: datetime) -> None:
    """A tick that finds nothing due: only the outbox (and the late-target catch-up) runs."""
    app = App(load_settings(config), clock=FrozenClock(now), notifier=RecordingNotifier(targets))
    try:
        asyncio.run(app.cycle(poll=False))
    finally:
        asyncio.run(app.aclose())


def test_a_target_added_later_gets_open_actionable_alerts(make_config, replay_dir: Path) -> None:
    config = make_config(PARCEL)
    write_replay(replay_dir, NUMBER, [{"time": "2026-10-02T08:00:00Z", "description": "Accepted"}])
    first = cycle(config, ["phone"], NOW)
    assert first.sent and all(target == "phone" for target, _t, _b in first.sent)
    later = cycle(config, ["phone", "email"], NOW + timedelta(hours=1))
    to_email = [title for target, title, _b in later.sent if target == "email"]
    assert to_email and not [t for t, _x, _b in later.sent if t == "phone"]  # phone: never twice
    again = cycle(config, ["phone", "email"], NOW + timedelta(hours=2))
    assert again.sent == []  # once per state, as for any target


def test_alerts_past_their_act_by_date_are_not_sent_to_a_new_target(
    make_config, replay_dir: Path
) -> None:
    config = make_config(PARCEL)
    write_replay(replay_dir, NUMBER, [{"time": "2026-10-02T08:00:00Z", "description": "Accepted"}])
    late = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    cycle(config, ["phone"], late)
    from sqlalchemy import select, update

    from watcher.store.tables import AlertRow, NotificationRow, ShipmentRow

    # Rules never give a past act_by; a stored one passes when no new evaluation came since.
    app = App(load_settings(config), notifier=RecordingNotifier(["phone"]))
    with app.sessions.begin() as session:
        session.execute(update(AlertRow).values(act_by=late.date() - timedelta(days=3)))
        session.execute(update(ShipmentRow).values(next_eval_at=late + timedelta(days=30)))
    app.engine.dispose()
    cycle_without_evaluation(config, ["phone", "email"], late + timedelta(hours=1))
    app = App(load_settings(config), notifier=RecordingNotifier(["phone"]))
    with app.sessions() as session:
        rows = session.execute(
            select(AlertRow.act_by, NotificationRow.target)
            .join(NotificationRow, NotificationRow.alert_id == AlertRow.id)
            .where(AlertRow.resolved_at.is_(None))
        ).all()
    app.engine.dispose()
    assert any(target == "phone" and act_by and act_by < late.date() for act_by, target in rows)
    # Advice whose date has passed is not news for a new target.
    assert not [a for a, target in rows if target == "email" and a is not None and a < late.date()]
