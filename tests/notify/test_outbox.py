"""Outbox rows as the App writes and drops them, and as `watcher status` sums them up."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.kits.receivers import outbox_summary


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_message_waiting_for_morning_is_dropped_when_the_problem_goes_away(
    make_config, replay_dir, clock
) -> None:
    """Stalled at night, moving again before 07:00: the owner hears nothing, and nothing is left waiting."""
    import asyncio

    from tests.kits.common import write_replay
    from watcher.notify.transport import RecordingNotifier
    from watcher.service.app import App

    events = [
        {
            "time": "2026-10-02T08:00:00+08:00",
            "description": "Accepted by carrier",
            "location": "Shenzhen, CN",
        },
        {
            "time": "2026-10-05T23:10:00+08:00",
            "description": "Departed from origin",
            "location": "Shenzhen, CN",
        },
    ]
    number = "LP00123456789012"
    write_replay(replay_dir, number, events)
    config = make_config(
        f"""
timezone = "Europe/Berlin"
[notify.targets.phone]
quiet_hours = {{ start = "22:00", end = "07:00" }}
[[shipments]]
tracking_number = "{number}"
label = "USB hub"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
destination = {{ country = "DE" }}
"""
    )
    from watcher.config import load_settings

    clock.set(utc("2026-10-25T22:00"))  # 23:00 in Berlin, the parcel has just stalled
    notifier = RecordingNotifier(["phone"])
    app = App(load_settings(config), clock=clock, notifier=notifier)
    app.sync_config()
    asyncio.run(app.cycle())
    with app.sessions() as session:
        assert outbox_summary(session, clock.now())["targets"]["phone"]["pending"] == 1
    write_replay(
        replay_dir,
        number,
        [
            *events,
            {
                "time": "2026-10-25T23:30:00+01:00",
                "description": "Arrived",
                "location": "Leipzig, DE",
                "status": "in_transit",
            },
        ],
    )
    clock.set(utc("2026-10-26T04:00"))
    asyncio.run(app.cycle(force=True))
    clock.set(utc("2026-10-26T07:00"))
    asyncio.run(app.cycle())
    assert notifier.sent == []
    with app.sessions() as session:
        assert outbox_summary(session, clock.now())["pending"] == 0
    app.engine.dispose()


def test_outbox_summary_per_target(make_config, clock) -> None:
    """What `watcher status` shows: pending, due, retrying, failed, oldest age, last error."""
    from datetime import timedelta

    from watcher.config import load_settings
    from watcher.notify.transport import RecordingNotifier
    from watcher.service.app import App
    from watcher.store import notifications
    from watcher.store.tables import NotificationRow

    app = App(load_settings(make_config()), clock=clock, notifier=RecordingNotifier())
    now = clock.now()
    with app.sessions.begin() as session:
        for key, target, created, due in (
            ("k1", "a", now - timedelta(hours=2), now),
            ("k2", "a", now, now + timedelta(hours=1)),
            ("k3", "b", now, now),
        ):
            notifications.enqueue_notification(
                session,
                target=target,
                event="opened",
                title="t",
                body="b",
                dedupe_key=key,
                now=created,
                due_at=due,
            )
    with app.sessions.begin() as session:
        sent, failing = session.get(NotificationRow, 3), session.get(NotificationRow, 1)
        assert sent is not None and failing is not None
        sent.sent_at = now
        failing.attempts, failing.last_error, failing.last_attempt_at = (
            2,
            "target 'a': service #1 (JSON): delivery failed",
            now,
        )
    with app.sessions() as session:
        found = outbox_summary(session, now)
    app.engine.dispose()
    assert (found["pending"], found["due"], found["retrying"], found["failed"]) == (2, 1, 1, 0)
    assert found["oldest_pending_age_seconds"] == 7200.0
    a, b = found["targets"]["a"], found["targets"]["b"]
    assert (a["pending"], a["retrying"], a["last_error"], a["next_due_at"]) == (
        2,
        1,
        "target 'a': service #1 (JSON): delivery failed",
        now,
    )
    assert (b["sent"], b["pending"], b["last_sent_at"]) == (1, 0, now)
