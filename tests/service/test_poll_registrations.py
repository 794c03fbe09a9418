"""After a restart, 17TRACK numbers answered before are read without `register` (issue 8)."""

from __future__ import annotations

import asyncio
import json

import httpx
import respx

from tests.kits.common import T0
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.domain.models import ProviderEvent
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import shipments, tracking_events
from watcher.timeline.normalize import normalize_event

OLD, NEW, OTHER = "LP00123456789012", "LP00000000000777", "LP00000000000888"
BASE = "http://17track.test/track/v2.2"
CONFIG = f"""
[providers.17track]
api_key = "sekrit-key-123"
base_url = "{BASE}"

[[shipments]]
tracking_number = "{OLD}"
providers = ["17track"]

[[shipments]]
tracking_number = "{NEW}"
providers = ["17track"]

[[shipments]]
tracking_number = "{OTHER}"
providers = ["17track"]
"""


def answer(request: httpx.Request) -> httpx.Response:
    """register accepts everything; gettrackinfo answers every number with one event."""
    numbers = [item["number"] for item in json.loads(request.content)]
    if request.url.path.endswith("/register"):
        return httpx.Response(
            200,
            json={
                "code": 0,
                "data": {"accepted": [{"number": n} for n in numbers], "rejected": []},
            },
        )
    event = {
        "time_utc": "2026-10-20T07:15:00Z",
        "description": "Arrived at customs",
        "sub_status": "InTransit_Arrival",
    }
    items = [
        {"number": n, "track_info": {"tracking": {"providers": [{"events": [event]}]}}}
        for n in numbers
    ]
    return httpx.Response(200, json={"code": 0, "data": {"accepted": items, "rejected": []}})


def registered_numbers(route: respx.Route) -> list[str]:
    return [item["number"] for call in route.calls for item in json.loads(call.request.content)]


@respx.mock(assert_all_mocked=True)
def test_restart_registers_only_numbers_never_answered(respx_mock, make_config) -> None:
    register = respx_mock.post(f"{BASE}/register").mock(side_effect=answer)
    read = respx_mock.post(f"{BASE}/gettrackinfo").mock(side_effect=answer)
    config = make_config(CONFIG)
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    with (
        app.sessions.begin() as session
    ):  # an earlier run: 17TRACK answered OLD; another provider OTHER
        old, other = shipments.find_shipment(session, OLD), shipments.find_shipment(session, OTHER)
        assert old is not None and other is not None
        event = normalize_event(ProviderEvent(time=T0, description="Accepted by carrier"))
        tracking_events.store_events(session, old.id, OLD, "17track", [event], T0)
        tracking_events.store_events(session, other.id, OTHER, "replay", [event], T0)

    asyncio.run(app.cycle(force=True))
    assert registered_numbers(register) == [NEW, OTHER]
    assert sorted(registered_numbers(read)) == sorted([OLD, NEW, OTHER])

    # Within the process the adapter remembers the rest; a new process seeds from the events.
    asyncio.run(app.cycle(force=True))
    assert register.call_count == 1
    asyncio.run(app.providers.aclose())
    restarted = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    asyncio.run(restarted.cycle(force=True))
    asyncio.run(restarted.providers.aclose())
    assert register.call_count == 1, "every number has 17TRACK events by now: nothing to register"
    assert read.call_count == 3
