"""Provider push: signed webhooks store through the polling path, idempotently, and notify at once."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.kits.common import T0
from tests.kits.push import (
    AFTERSHIP_SECRET,
    API_KEY,
    NUMBER,
    event17,
    make_app,
    push17,
    push_aftership,
    sign17,
    sign_aftership,
)
from watcher.service.app import App
from watcher.store import shipments
from watcher.store.tables import EventRow, ShipmentRow

ORIGIN = event17("2026-10-20T07:15:00Z", "Departed from origin country", "InTransit_Other", "CN")
DELIVERED = event17("2026-11-01T09:00:00Z", "Delivered, handed to neighbour", "Delivered_Other")


async def post(web: Any, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(path, content=body, headers=headers)


def event_count(app: App) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(EventRow)) or 0


def shipment(app: App) -> ShipmentRow:
    with app.sessions() as session:
        row = shipments.find_shipment(session, NUMBER)
        assert row is not None
        return row


def test_17track_push_is_stored_once_and_notifies(make_config) -> None:
    app, hooks, web = make_app(make_config)
    body = push17([ORIGIN, DELIVERED])

    async def scenario() -> list[httpx.Response]:
        first = await post(web, "/webhooks/17track", body, sign17(body))
        await hooks.follow_up.wait()
        again = await post(web, "/webhooks/17track", body, sign17(body))
        await hooks.follow_up.wait()
        return [first, again]

    first, again = asyncio.run(scenario())
    assert first.status_code == 200 and first.json()["stored"] == 2
    assert again.status_code == 200 and again.json()["stored"] == 0, "the same push stores nothing"
    assert event_count(app) == 2
    sent = app.notifier.sent  # type: ignore[attr-defined]
    assert len(sent) == 1, "the push's alert left without waiting for a tick"
    assert "Lamp" in sent[0][1] and "Delivered" in sent[0][2]
    row = shipment(app)
    assert row.last_push_at == T0
    assert row.status == "delivered"


def test_aftership_push_is_stored_and_evaluated(make_config) -> None:
    app, hooks, web = make_app(make_config)
    body = push_aftership(
        [
            {
                "checkpoint_time": "2026-10-20T09:15:00+02:00",
                "message": "Arrived at customs",
                "city": "Frankfurt",
                "country_region": "DE",
                "tag": "InTransit",
                "subtag": "InTransit_006",
            }
        ]
    )

    async def scenario() -> httpx.Response:
        answer = await post(web, "/webhooks/aftership", body, sign_aftership(body))
        await hooks.follow_up.wait()
        return answer

    answer = asyncio.run(scenario())
    assert answer.status_code == 200 and answer.json()["stored"] == 1
    with app.sessions() as session:
        provider = session.scalar(select(EventRow.provider))
    assert provider == "aftership"
    assert shipment(app).next_eval_at != T0, "the follow-up evaluated the parcel"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/webhooks/17track", {}),
        ("/webhooks/17track", {"sign": "0" * 64}),
        ("/webhooks/17track", "signed with another key"),
        ("/webhooks/aftership", {}),
        ("/webhooks/aftership", {"aftership-hmac-sha256": "bm90IGl0"}),
        ("/webhooks/aftership", "signed with another secret"),
    ],
)
def test_bad_signature_is_refused_stores_nothing_and_logs_no_secret(
    make_config, caplog, path: str, headers: Any
) -> None:
    app, _, web = make_app(make_config)
    body = (
        push17([ORIGIN, DELIVERED])
        if "17track" in path
        else push_aftership(
            [{"checkpoint_time": "2026-10-20T09:15:00+02:00", "message": "x", "tag": "InTransit"}]
        )
    )
    if isinstance(headers, str):
        headers = sign17(body, "wrong") if "17track" in path else sign_aftership(body, "wrong")
    with caplog.at_level(logging.DEBUG):
        answer = asyncio.run(post(web, path, body, headers))
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error": "bad signature"}
    assert event_count(app) == 0
    assert shipment(app).last_push_at is None
    assert "bad signature" in caplog.text
    for secret in (API_KEY, AFTERSHIP_SECRET):
        assert secret not in caplog.text and secret not in answer.text


def test_tampered_body_is_refused(make_config) -> None:
    app, _, web = make_app(make_config)
    body = push17([ORIGIN])
    headers = sign17(body)
    tampered = body.replace(b"Departed", b"Returned")
    answer = asyncio.run(post(web, "/webhooks/17track", tampered, headers))
    assert answer.status_code == 401 and event_count(app) == 0


def test_push_without_setup_is_refused(make_config) -> None:
    app, _, web = make_app(make_config, f'[[shipments]]\ntracking_number = "{NUMBER}"\n')
    body = push17([ORIGIN])
    answer = asyncio.run(post(web, "/webhooks/17track", body, sign17(body)))
    assert answer.status_code == 404 and "not set up" in answer.json()["error"]
    body = push_aftership([{"checkpoint_time": "2026-10-20T09:15:00+02:00", "tag": "InTransit"}])
    answer = asyncio.run(post(web, "/webhooks/aftership", body, sign_aftership(body)))
    assert answer.status_code == 404 and event_count(app) == 0


def test_oversized_and_malformed_bodies(make_config) -> None:
    from watcher.web.security import BodyLimit

    app, _, web = make_app(make_config)
    # As web/app.py mounts it: the /webhooks/ limit answers 413 before the handler reads a byte.
    limited = BodyLimit(web, limit=65536, prefixes={"/webhooks/": 100})
    big = push17([ORIGIN, DELIVERED])
    assert asyncio.run(post(limited, "/webhooks/17track", big, sign17(big))).status_code == 413
    assert event_count(app) == 0
    junk = b"{not json"
    answer = asyncio.run(post(web, "/webhooks/17track", junk, sign17(junk)))
    assert answer.status_code == 400 and event_count(app) == 0


def test_unknown_number_and_other_events_are_acknowledged(make_config) -> None:
    app, _, web = make_app(make_config)
    body = push17([ORIGIN], number="RR123456785CN")
    answer = asyncio.run(post(web, "/webhooks/17track", body, sign17(body)))
    # 17TRACK retries anything but 200: a number we do not watch is acknowledged and dropped.
    assert answer.status_code == 200 and answer.json()["ignored"] == "not watched"
    other = b'{"event": "SOMETHING_ELSE", "data": {}}'
    answer = asyncio.run(post(web, "/webhooks/17track", other, sign17(other)))
    assert answer.status_code == 200 and answer.json()["ignored"] == "no tracking item"
    assert event_count(app) == 0


def test_push_slows_polling_to_the_safety_net_and_stop_brings_it_back(make_config) -> None:
    app, hooks, web = make_app(make_config)
    with app.sessions.begin() as session:
        shipments.find_shipment(session, NUMBER).next_poll_at = T0 + timedelta(hours=1)
    body = push17([ORIGIN])

    async def push(data: bytes) -> None:
        assert (await post(web, "/webhooks/17track", data, sign17(data))).status_code == 200
        await hooks.follow_up.wait()

    asyncio.run(push(body))
    row = shipment(app)
    assert row.next_poll_at == T0 + timedelta(hours=app.settings.push.safety_net_hours)
    stopped = push17([ORIGIN], event="TRACKING_STOPPED")
    asyncio.run(push(stopped))
    assert shipment(app).last_push_at is None, "no more pushes: adaptive polling resumes"


def test_real_server_answers_a_signed_push(make_config) -> None:
    """The routes behind a real uvicorn on 127.0.0.1: a push is stored and notified."""
    import uvicorn
    from starlette.applications import Starlette

    app, hooks, _ = make_app(make_config)
    web = Starlette(routes=hooks.routes())
    body = push17([ORIGIN, DELIVERED])

    async def scenario() -> httpx.Response:
        config = uvicorn.Config(web, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0)  # yields to the server starting in this loop; no wall-clock wait
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            async with httpx.AsyncClient() as client:
                answer = await client.post(
                    f"http://127.0.0.1:{port}/webhooks/17track", content=body, headers=sign17(body)
                )
            await hooks.follow_up.wait()
        finally:
            server.should_exit = True
            await task
        return answer

    answer = asyncio.run(scenario())
    assert answer.status_code == 200 and answer.json()["stored"] == 2
    assert len(app.notifier.sent) == 1  # type: ignore[attr-defined]


def test_poller_keeps_a_pushed_parcel_on_the_safety_net(make_config) -> None:
    """After a successful poll, the poller's own schedule honours the push (service/poller.py)."""
    from watcher.service.poller import schedule_next_polls

    app, _, _ = make_app(make_config)
    with app.sessions.begin() as session:
        row = shipments.find_shipment(session, NUMBER)
        row.last_push_at, shipment_id = T0 - timedelta(hours=3), row.id
    polled = [type("Row", (), {"id": shipment_id})()]
    schedule_next_polls(app.sessions, polled, {shipment_id: [True]}, {}, T0, app.settings)
    assert shipment(app).next_poll_at == T0 + timedelta(hours=24)
