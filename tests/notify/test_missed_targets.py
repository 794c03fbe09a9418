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
    late = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # protection and the dispute window are over
    later = cycle(config, ["phone"], late)
    assert later.sent
    later = cycle(config, ["phone", "email"], late + timedelta(hours=1))
    rows = _open_alert_targets(config)
    # Issue 16: an act_by is never in the past. What remains once the dispute window closed (the
    # chargeback) is still actionable, so it reaches the new target, with a date still to come.
    assert rows and all(act_by is None or act_by >= late.date() for act_by, _t in rows)
    assert any("chargeback" in title.lower() for t, title, _b in later.sent if t == "email")


def test_a_passed_act_by_is_not_news_for_a_new_target(make_config, replay_dir: Path) -> None:
    from sqlalchemy import update

    from watcher.notify.outbox import enqueue_missed
    from watcher.store.tables import AlertRow

    config = make_config(PARCEL)
    write_replay(replay_dir, NUMBER, [{"time": "2026-10-02T08:00:00Z", "description": "Accepted"}])
    cycle(config, ["phone"], NOW)
    later = NOW + timedelta(days=30)
    app = App(load_settings(config), notifier=RecordingNotifier(["phone"]))
    try:
        with app.sessions() as session, session.begin():
            # An open alert whose stored date passed (no cycle has re-dated it yet).
            session.execute(update(AlertRow).values(act_by=later.date() - timedelta(days=1)))
            assert enqueue_missed(session, later, targets=["phone", "email"]) == 0
    finally:
        app.engine.dispose()
    assert not [t for _a, t in _open_alert_targets(config) if t == "email"]


def _open_alert_targets(config: Path) -> list[tuple[object, str]]:
    """(act_by, target) of every notification row about a still open alert."""
    from sqlalchemy import select

    from watcher.store.tables import AlertRow, NotificationRow

    app = App(load_settings(config), notifier=RecordingNotifier(["phone"]))
    try:
        with app.sessions() as session:
            rows = session.execute(
                select(AlertRow.act_by, NotificationRow.target)
                .join(NotificationRow, NotificationRow.alert_id == AlertRow.id)
                .where(AlertRow.resolved_at.is_(None))
            ).all()
    finally:
        app.engine.dispose()
    return [(act_by, target) for act_by, target in rows]
