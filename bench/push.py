"""The push scenario: time from a provider's push to the notification leaving, and polls saved.

A real uvicorn serves the webhook routes on 127.0.0.1; each parcel gets a signed 17TRACK
`TRACKING_UPDATED` push whose "delivered" event opens an alert. The clock starts when the push
is sent and stops when the notifier is handed the message. The saving is computed from the
schedule itself (service/schedule.py) over a typical 20-day journey, with and without pushes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Result, log
from bench.scenarios import open_app, workdir

API_KEY = "bench-17track-key"
#: A typical AliExpress journey: (status, days), then delivered.
JOURNEY = (("info_received", 2), ("in_transit", 4), ("in_transit_quiet", 12), ("in_transit", 3),
           ("out_for_delivery", 1))  # fmt: skip
#: Numbers per 17TRACK `gettrackinfo` request.
BATCH = 40


def push(shipments: int = 100) -> Result:
    """Push-to-notification latency over `shipments` pushes, and requests saved per parcel-day."""
    result = Result("push")
    with workdir() as tmp:
        latencies = asyncio.run(_measure(tmp, shipments))
    p95 = _percentile(latencies, 95)
    result.figures.update(
        pushes=len(latencies),
        latency_p50_s=round(statistics.median(latencies), 4),
        latency_p95_s=round(p95, 4),
        latency_max_s=round(max(latencies), 4),
    )
    result.check("push to notification p95", "<= 2 s", f"{p95:.3f} s", p95 <= 2.0)
    polled, pushed = polls_per_day(push=False), polls_per_day(push=True)
    result.figures.update(
        lookups_per_parcel_day_polling=round(polled, 3),
        lookups_per_parcel_day_push=round(pushed, 3),
        lookups_saved_per_parcel_day=round(polled - pushed, 3),
        requests_saved_per_parcel_day=round((polled - pushed) / BATCH, 4),
    )
    result.notes.append(
        f"a parcel is looked up {polled:.2f}x/day polling, {pushed:.2f}x/day with pushes "
        f"(safety net); 17TRACK reads {BATCH} numbers per request"
    )
    return result


async def _measure(tmp: Path, count: int) -> list[float]:
    import httpx
    import uvicorn
    from starlette.applications import Starlette

    from watcher.web.webhooks import Webhooks

    numbers = [f"LP{9_000_000 + i:014d}" for i in range(count)]
    config = tmp / "watcher.toml"
    lines = [f'database_url = "sqlite:///{tmp / "watcher.db"}"', 'default_providers = ["17track"]',
             "[providers.17track]", f'api_key = "{API_KEY}"']  # fmt: skip
    for number in numbers:
        lines += ["[[shipments]]", f'tracking_number = "{number}"', f'label = "parcel {number}"',
                  'destination = { country = "DE" }']  # fmt: skip
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notifier = _TimingNotifier(asyncio.get_running_loop())
    app = open_app(config, notifier=notifier)
    app.sync_config()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=Webhooks(app).routes()),
            host="127.0.0.1",
            port=0,
            log_level="error",
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/webhooks/17track"
    latencies = []
    try:
        async with httpx.AsyncClient() as client:
            for i, number in enumerate(numbers):
                body = _push_body(number, datetime.now(UTC))
                sign = hashlib.sha256(body + b"/" + API_KEY.encode()).hexdigest()
                arrived = notifier.expect(number)
                started = time.perf_counter()
                answer = await client.post(url, content=body, headers={"sign": sign})
                answer.raise_for_status()
                latencies.append(await asyncio.wait_for(arrived, 30) - started)
                if (i + 1) % 25 == 0:
                    log(f"push: {i + 1}/{count}")
    finally:
        server.should_exit = True
        await task
        await app.aclose()
    return latencies


def _push_body(number: str, now: datetime) -> bytes:
    def event(at: datetime, text: str, sub: str, country: str) -> dict[str, Any]:
        iso = at.isoformat()
        return {"time_iso": iso, "time_utc": iso, "description": text, "sub_status": sub,
                "address": {"country": country}}  # fmt: skip

    events = [
        event(now - timedelta(days=9), "Departed from origin country", "InTransit_Other", "CN"),
        event(now - timedelta(hours=1), "Delivered to neighbour", "Delivered_Other", "DE"),
    ]
    item = {"number": number, "track_info": {"tracking": {"providers": [{"events": events}]}}}
    return json.dumps({"event": "TRACKING_UPDATED", "data": item}).encode()


class _TimingNotifier:
    """Resolves a future with the time a message about a number is handed over for delivery."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def targets(self) -> list[str]:
        return ["default"]

    def expect(self, number: str) -> asyncio.Future[float]:
        self.waiting[number] = self.loop.create_future()
        return self.waiting[number]

    def send(self, target: str, title: str, body: str, **kwargs: Any) -> Any:
        from watcher.notify.transport import Delivery

        at = time.perf_counter()
        for number, future in list(self.waiting.items()):
            if number in body:
                self.loop.call_soon_threadsafe(_resolve, future, at)
        return Delivery(ok=True)


def _resolve(future: asyncio.Future[float], value: float) -> None:
    if not future.done():
        future.set_result(value)


def polls_per_day(*, push: bool) -> float:
    """Lookups of one parcel per day over `JOURNEY`, by the real schedule (pushed: one push a day)."""
    from watcher.config import PollingConfig, PushConfig
    from watcher.domain.models import Status
    from watcher.service.schedule import next_poll_at

    polling, settings = PollingConfig(), PushConfig()
    start = now = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=sum(days for _, days in JOURNEY))
    polls = 0
    while now < end:
        polls += 1
        elapsed, status, quiet = (now - start).days, Status.DELIVERED, False
        for name, days in JOURNEY:
            if elapsed < days:
                quiet = name.endswith("_quiet")
                status = Status(name.removesuffix("_quiet"))
                break
            elapsed -= days
        last_event = now - timedelta(days=4 if quiet else 0)
        next_at = next_poll_at(
            now,
            status=status,
            polling=polling,
            last_event_at=last_event,
            pushed_at=now - timedelta(hours=12) if push else None,
            push=settings,
        )
        assert next_at is not None
        now = next_at
    return polls / (end - start).days


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
