"""The poller against two providers where one fails: the other's events are stored, the failing
one backs off, a rejected key pauses it with one alert, and `watcher providers` reports health."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import respx
from sqlalchemy import func, select

from tests.kits.common import T0, write_replay
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import alert_states, provider_states, shipments
from watcher.store.tables import EventRow

NUMBER = "LP00123456789012"
BASE = "http://17track.test/track/v2.2"
CONFIG = f"""
[providers.17track]
api_key = "sekrit-key-123"
base_url = "{BASE}"

[polling]
retry_attempts = 1

[[shipments]]
tracking_number = "{NUMBER}"
label = "USB hub"
providers = ["17track", "replay"]
"""
EVENTS = [
    {
        "time": "2026-10-30T08:00:00+08:00",
        "description": "Departed from origin country",
        "location": "Shenzhen, CN",
    }
]


def events_stored(app: App) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(EventRow)) or 0


@respx.mock(assert_all_mocked=True)
def test_one_failing_provider_does_not_block_the_other(
    respx_mock, make_config, replay_dir: Path
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    route = respx_mock.post(url__startswith=BASE).mock(
        return_value=httpx.Response(500, text="<html>oops</html>")
    )
    clock = FrozenClock(T0)
    app = App(load_settings(make_config(CONFIG)), clock=clock, notifier=RecordingNotifier())
    app.sync_config()
    report = asyncio.run(app.cycle(force=True))
    assert events_stored(app) == 1, "replay's events are stored despite 17TRACK failing"
    assert any(error.startswith("17track: HTTP 500") for error in report.poll.errors)
    calls_in_first_cycle = route.call_count
    assert calls_in_first_cycle >= 1
    with app.sessions() as session:
        state = provider_states.provider_state(session, "17track")
        assert state.consecutive_failures == 1
        assert state.paused_until is not None and state.paused_until > T0, (
            "the failing provider backs off"
        )
        shipment = shipments.find_shipment(session, NUMBER)
        assert shipment is not None and shipment.poll_failures == 0, (
            "the shipment itself was polled fine"
        )
    # While backed off, a new cycle does not ask 17TRACK at all.
    asyncio.run(app.cycle(force=True))
    assert route.call_count == calls_in_first_cycle


@respx.mock(assert_all_mocked=True)
def test_rejected_key_pauses_the_provider_and_alerts_once(
    respx_mock, make_config, replay_dir: Path, capsys
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    route = respx_mock.post(url__startswith=BASE).mock(
        return_value=httpx.Response(401, json={"code": 401})
    )
    clock = FrozenClock(T0)
    notifier = RecordingNotifier()
    config = make_config(CONFIG)
    app = App(load_settings(config), clock=clock, notifier=notifier)
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    calls = route.call_count
    for _ in range(3):
        clock.advance(minutes=30)
        asyncio.run(app.cycle(force=True))
    assert route.call_count == calls, "a paused provider is not hammered"
    provider_messages = [title for _t, title, _b in notifier.sent if "17track" in title]
    assert len(provider_messages) == 1
    assert all("sekrit-key-123" not in body for _t, _title, body in notifier.sent)
    assert events_stored(app) == 1

    assert main(["providers", "--config", str(config), "--json", "--no-quota"]) == 0
    out = capsys.readouterr().out
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["17track"]["configured"] and rows["17track"]["paused_reason"].startswith("auth")
    assert rows["replay"]["last_success_at"] is not None
    assert "sekrit-key-123" not in out


@respx.mock(assert_all_mocked=True)
def test_provider_failing_for_hours_raises_one_alert(
    respx_mock, make_config, replay_dir: Path
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    respx_mock.post(url__startswith=BASE).mock(side_effect=httpx.ConnectError("refused"))
    clock = FrozenClock(T0)
    app = App(load_settings(make_config(CONFIG)), clock=clock, notifier=RecordingNotifier())
    app.sync_config()
    for _ in range(8):
        asyncio.run(app.cycle(force=True))
        clock.advance(hours=1)
    with app.sessions() as session:
        alerts = alert_states.open_alerts(session, "provider:17track")
    assert len(alerts) == 1
    assert alerts[0].kind == "provider_failing" and "has failed for" in alerts[0].message


@respx.mock(assert_all_mocked=True)
def test_providers_command_reports_17track_quota(respx_mock, make_config, capsys) -> None:
    respx_mock.post(f"{BASE}/getquota").mock(
        return_value=httpx.Response(
            200, json={"code": 0, "data": {"quota_total": 100, "quota_used": 7, "quota_remain": 93}}
        )
    )
    config = make_config(CONFIG)
    assert main(["providers", "--config", str(config), "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["17track"]["quota"]["quota_remain"] == 93


@respx.mock(assert_all_mocked=True)
def test_provider_that_never_finds_a_shipped_parcel_raises_one_alert(
    respx_mock, make_config, replay_dir: Path
) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)  # shipped 2026-10-30 according to replay
    respx_mock.post(f"{BASE}/register").mock(
        return_value=httpx.Response(
            200, json={"code": 0, "data": {"accepted": [{"number": NUMBER}], "rejected": []}}
        )
    )
    respx_mock.post(f"{BASE}/gettrackinfo").mock(
        return_value=httpx.Response(
            200,
            json={
                "code": 0,
                "data": {
                    "accepted": [],
                    "rejected": [
                        {
                            "number": NUMBER,
                            "error": {"code": -18019902, "message": "not registered"},
                        }
                    ],
                },
            },
        )
    )
    clock = FrozenClock(T0)  # 2 days after shipping: too early to complain
    app = App(load_settings(make_config(CONFIG)), clock=clock, notifier=RecordingNotifier())
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    with app.sessions() as session:
        assert alert_states.open_alerts(session, NUMBER) == []
    clock.advance(days=6)
    for _ in range(2):
        asyncio.run(app.cycle(force=True))
    with app.sessions() as session:
        alerts = [
            a for a in alert_states.open_alerts(session, NUMBER) if a.kind == "provider_not_found"
        ]
    assert len(alerts) == 1
    assert (
        alerts[0].key == "not_found:17track" and "17track still has no record" in alerts[0].message
    )


@respx.mock(assert_all_mocked=True, assert_all_called=False)
def test_disabled_provider_is_not_asked(respx_mock, make_config, replay_dir: Path) -> None:
    write_replay(replay_dir, NUMBER, EVENTS)
    route = respx_mock.post(url__startswith=BASE).mock(return_value=httpx.Response(500))
    config = make_config(CONFIG.replace('base_url = "', 'enabled = false\nbase_url = "'))
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    report = asyncio.run(app.cycle(force=True))
    assert route.call_count == 0
    assert report.poll.errors == []
    assert events_stored(app) == 1
