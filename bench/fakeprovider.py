"""A fake 17TRACK-style tracking API on 127.0.0.1, for benchmarks.

A real HTTP/1.1 server (stdlib asyncio, keep-alive, no third-party code) speaking the batch API
described in /work/shared/providers.md: `POST {prefix}/register`, `{prefix}/gettrackinfo` and
`{prefix}/getquota` with JSON array bodies of `{"number": ...}`, at most `max_batch` numbers per
request, answering `{"code": 0, "data": {"accepted": [...], "rejected": [...]}}`.

It generates a realistic, deterministic timeline for any valid number (two carrier legs, 5-25
events, customs, sometimes a delivery), enforces a per-key request rate (token bucket; beyond it
429 with `Retry-After`), and injects latency and errors. `GET /_stats` returns counters (requests
per verb, 429s, numbers answered) and `POST /_reset` clears them, so a benchmark can check what
the server saw.

Run it in-process (`FakeProvider.start_thread()`) or as its own process so it does not share the
benchmark's core (`FakeProvider.start_process()`, i.e. `python -m bench.fakeprovider --port 0`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

PREFIX = "/track/v2.2"
NUMBER_RE = re.compile(r"^[A-Z0-9-]{6,40}$")
# Codes as the adapter knows them (watcher/providers/seventeentrack/adapter.py).
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
INVALID_NUMBER = -18019903
AUTH_FAILED = -18010001
INTERNAL_ERROR = -18010003
TOO_MANY_NUMBERS = -18010012


@dataclass
class FakeConfig:
    """How the fake server behaves (all knobs a benchmark needs)."""

    #: Requests per second per key over all verbs (None: unlimited).
    rate: float | None = None
    #: Token-bucket depth (default: ceil(rate), i.e. "3 per second" allows 3 back to back once).
    burst: int | None = None
    max_batch: int = 40
    #: Seconds added to every answer, plus a uniform random part up to `jitter`.
    latency: float = 0.0
    jitter: float = 0.0
    #: Share of requests that fail (half as HTTP 500, half as envelope code -18010003).
    error_rate: float = 0.0
    #: Every valid number counts as registered from the start (a long-running account).
    preregistered: bool = False
    #: Event count range per number (inclusive).
    min_events: int = 5
    max_events: int = 25
    seed: int = 17
    #: "Now" of the generated timelines (ISO 8601, UTC); default: the start of today.
    now: str | None = None


@dataclass
class Stats:
    requests: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    errors_injected: int = 0
    numbers_tracked: int = 0  # accepted numbers in gettrackinfo answers
    numbers_registered: int = 0
    first_request: float | None = None  # time.time() of the first/last counted request
    last_request: float | None = None
    max_in_window: int = 0  # most requests seen in any 1-second sliding window


# ----------------------------------------------------------------------------- timelines

_ORIGIN = [("Shenzhen", "CN"), ("Guangzhou", "CN"), ("Yiwu", "CN"), ("Dongguan", "CN")]
_DEST = [
    ("Berlin", "DE"),
    ("Hamburg", "DE"),
    ("Munich", "DE"),
    ("Cologne", "DE"),
    ("Leipzig", "DE"),
]
_ORIGIN_STEPS = [
    ("InfoReceived", "Order information received by the carrier", "origin"),
    ("InTransit_PickedUp", "Parcel picked up by the carrier", "origin"),
    ("InTransit_Arrival", "Arrived at sorting center", "origin"),
    ("InTransit_Departure", "Departed from sorting center", "origin"),
    ("InTransit_Other", "Export customs clearance completed", "origin"),
    ("InTransit_Departure", "Departed from departure country/region", "airport"),
    ("InTransit_Arrival", "Arrived at linehaul office", "airport"),
    ("InTransit_Other", "Flight departed", "airport"),
]
_DEST_STEPS = [
    ("InTransit_Arrival", "Arrived at destination country/region", "hub"),
    ("InTransit_CustomsProcessing", "Import customs clearance started", "hub"),
    ("InTransit_CustomsReleased", "Import customs clearance complete", "hub"),
    ("InTransit_Arrival", "Arrived at the parcel center", "dest"),
    ("InTransit_Departure", "The shipment has been processed in the parcel center", "dest"),
    ("InTransit_Other", "The shipment is on its way to the delivery base", "dest"),
    ("OutForDelivery_Other", "The shipment has been loaded onto the delivery vehicle", "dest"),
    ("Delivered_Other", "The shipment has been delivered", "dest"),
]
_STATUS = {
    "Info": "InfoReceived",
    "InTr": "InTransit",
    "OutF": "OutForDelivery",
    "Deli": "Delivered",
}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline(
    number: str, *, now: datetime, seed: int = 17, min_events: int = 5, max_events: int = 25
) -> dict[str, Any]:
    """The accepted `gettrackinfo` item for `number`: deterministic for (number, now, seed)."""
    rng = random.Random(zlib.crc32(number.encode()) ^ seed)
    count = rng.randint(min_events, max_events)
    origin_city, origin_cc = rng.choice(_ORIGIN)
    dest_city, dest_cc = rng.choice(_DEST)
    # How far the parcel got: most are delivered, some are on the way, some stuck.
    journey = _ORIGIN_STEPS + _DEST_STEPS
    roll = rng.random()
    end = (
        len(journey)
        if roll < 0.55
        else rng.randint(9, 15)
        if roll < 0.85
        else 10
        if roll < 0.93
        else rng.randint(3, 8)
    )
    steps = journey[:end]
    # Pad to `count` with repeated transit scans in the middle of the journey (or cut early).
    filler = [
        ("InTransit_Other", "In transit", "hub"),
        ("InTransit_Arrival", "Arrived at transit facility", "hub"),
    ]
    middle = min(len(steps), len(_ORIGIN_STEPS) + 1)
    while len(steps) < count:
        steps.insert(middle, rng.choice(filler))
    steps = steps[:count]
    # Times: a journey that started 2-40 days ago; stalled ones stopped well before now.
    span = timedelta(hours=rng.uniform(2 * 24, 40 * 24))
    start = now - span
    reach = 0.98 if end == len(journey) or rng.random() < 0.6 else rng.uniform(0.3, 0.8)
    gaps = sorted(rng.random() * reach for _ in steps)
    legs: dict[str, list[dict[str, Any]]] = {"origin": [], "dest": []}
    for (sub, text, where), gap in zip(steps, gaps, strict=True):
        moment = (start + span * gap).replace(microsecond=0)
        leg = "origin" if where in ("origin", "airport") else "dest"
        city, cc = (origin_city, origin_cc) if leg == "origin" else (dest_city, dest_cc)
        if where == "airport":
            city = "Hong Kong" if rng.random() < 0.5 else city
        legs[leg].append(
            {
                "time_iso": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                "time_utc": _iso(moment),
                "description": text,
                "location": f"{city}, {cc}",
                "stage": sub.split("_")[0],
                "sub_status": sub,
                "address": {"country": cc, "city": city, "postal_code": None},
            }
        )
    providers = [
        {
            "provider": {"key": 190271, "name": "Cainiao", "country": "CN"},
            "events": legs["origin"][::-1],
        },
    ]
    if legs["dest"]:
        providers.insert(
            0,
            {
                "provider": {"key": 7041, "name": "DHL Paket", "country": "DE"},
                "events": legs["dest"][::-1],
            },
        )
    last_sub = steps[-1][0]
    latest = legs["dest"][-1] if legs["dest"] else legs["origin"][-1]
    eta_from = start + timedelta(days=12)
    return {
        "number": number,
        "carrier": 190271,
        "track_info": {
            "latest_status": {
                "status": _STATUS.get(last_sub[:4], "InTransit"),
                "sub_status": last_sub,
                "sub_status_descr": None,
            },
            "latest_event": {k: latest[k] for k in ("time_iso", "description", "location")},
            "time_metrics": {
                "days_after_order": span.days + 2,
                "days_of_transit": span.days,
                "estimated_delivery_date": {
                    "from": _iso(eta_from),
                    "to": _iso(eta_from + timedelta(days=8)),
                },
            },
            "milestone": [
                {
                    "key_stage": "PickedUp",
                    "time_iso": legs["origin"][min(1, len(legs["origin"]) - 1)]["time_iso"],
                }
            ],
            "tracking": {"providers": providers},
        },
    }


# ----------------------------------------------------------------------------- server


class TokenBucket:
    """`rate` tokens per second, at most `burst` stored."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class FakeProvider:
    """The server: `await serve(port)` inside a loop, or `start_thread()` / `start_process()`."""

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self.now = (
            datetime.fromisoformat(self.config.now).astimezone(UTC)
            if self.config.now
            else datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        )
        self.rng = random.Random(self.config.seed)
        self.registered: set[str] = set()
        self.buckets: dict[str, TokenBucket] = {}
        self.stats = Stats()
        self._window: deque[float] = deque()
        self._server: asyncio.base_events.Server | None = None
        self.port = 0
        self._item_json = lru_cache(maxsize=250_000)(self._make_item_json)

    # -- running

    async def serve(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def start_thread(self, port: int = 0) -> FakeServerHandle:
        """Run in a daemon thread of this process (shares the GIL: fine for tests)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.serve(port))
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name="fakeprovider", daemon=True)
        thread.start()
        ready.wait(10)

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)

        return FakeServerHandle(self.port, stop)

    @staticmethod
    def start_process(config: FakeConfig | None = None, port: int = 0) -> FakeServerHandle:
        """Run as a separate Python process (its own core); returns once it listens."""
        config = config or FakeConfig()
        root = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fakeprovider",
                "--port",
                str(port),
                "--config-json",
                json.dumps(asdict(config)),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            proc.kill()
            raise RuntimeError(f"fake provider did not start: {line!r}")

        def stop() -> None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()

        return FakeServerHandle(int(line.split()[1]), stop, pid=proc.pid)

    # -- HTTP

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                status, extra, payload = await self.handle(
                    method, target.split("?", 1)[0], headers, body
                )
                reason = {
                    200: "OK",
                    404: "Not Found",
                    429: "Too Many Requests",
                    500: "Internal Server Error",
                }.get(status, "OK")
                out = [
                    f"HTTP/1.1 {status} {reason}",
                    "Content-Type: application/json",
                    f"Content-Length: {len(payload)}",
                ]
                out += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + payload)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except Exception:  # noqa: BLE001 - a broken client connection must not kill the server
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Route one request; returns (status, extra headers, body)."""
        if path == "/_stats":
            return 200, {}, json.dumps(asdict(self.stats)).encode()
        if path == "/_reset":
            self.stats = Stats()
            self._window.clear()
            return 200, {}, b"{}"
        if not path.startswith(PREFIX + "/") or method != "POST":
            return 404, {}, b'{"code": 404}'
        verb = path[len(PREFIX) + 1 :]
        now = time.time()
        stats = self.stats
        stats.requests[verb] = stats.requests.get(verb, 0) + 1
        stats.first_request = stats.first_request or now
        stats.last_request = now
        self._window.append(now)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        stats.max_in_window = max(stats.max_in_window, len(self._window))
        key = headers.get("17token", "")
        if self.config.rate:
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(
                    self.config.rate, self.config.burst or max(1, math.ceil(self.config.rate))
                )
            wait = bucket.take()
            if wait > 0:
                stats.rate_limited += 1
                return (
                    429,
                    {"Retry-After": str(max(1, math.ceil(wait)))},
                    b'{"code": 429, "message": "rate limited"}',
                )
        if self.config.latency or self.config.jitter:
            await asyncio.sleep(self.config.latency + self.rng.uniform(0, self.config.jitter))
        if self.config.error_rate and self.rng.random() < self.config.error_rate:
            stats.errors_injected += 1
            if self.rng.random() < 0.5:
                return 500, {}, b"<html><body>502 Bad Gateway</body></html>"
            return 200, {}, json.dumps({"code": INTERNAL_ERROR, "data": None}).encode()
        if not key:
            return 200, {}, json.dumps({"code": AUTH_FAILED, "data": None}).encode()
        if verb == "getquota":
            return (
                200,
                {},
                b'{"code":0,"data":{"quota_total":1000000,"quota_used":0,"quota_remain":1000000}}',
            )
        try:
            items = json.loads(body or b"[]")
            numbers = [str(item["number"]).upper() for item in items]
        except (ValueError, TypeError, KeyError):
            return 200, {}, b'{"code": -18010010, "data": null}'
        if len(numbers) > self.config.max_batch:
            return 200, {}, json.dumps({"code": TOO_MANY_NUMBERS, "data": None}).encode()
        if verb == "register":
            return 200, {}, self._register(numbers)
        if verb == "gettrackinfo":
            return 200, {}, self._track(numbers)
        return 404, {}, b'{"code": 404}'

    def _is_registered(self, number: str) -> bool:
        return self.config.preregistered or number in self.registered

    def _register(self, numbers: list[str]) -> bytes:
        accepted, rejected = [], []
        for number in numbers:
            if not NUMBER_RE.match(number):
                rejected.append(
                    {
                        "number": number,
                        "error": {"code": INVALID_NUMBER, "message": "invalid number"},
                    }
                )
            elif self._is_registered(number):
                rejected.append(
                    {
                        "number": number,
                        "error": {"code": ALREADY_REGISTERED, "message": "already registered"},
                    }
                )
            else:
                self.registered.add(number)
                self.stats.numbers_registered += 1
                accepted.append({"number": number, "carrier": 190271})
        return json.dumps(
            {"code": 0, "data": {"accepted": accepted, "rejected": rejected}}
        ).encode()

    def _track(self, numbers: list[str]) -> bytes:
        accepted, rejected = [], []
        for number in numbers:
            if not NUMBER_RE.match(number):
                rejected.append(
                    json.dumps(
                        {
                            "number": number,
                            "error": {"code": INVALID_NUMBER, "message": "invalid number"},
                        }
                    )
                )
            elif not self._is_registered(number):
                rejected.append(
                    json.dumps(
                        {
                            "number": number,
                            "error": {"code": NOT_REGISTERED, "message": "not registered"},
                        }
                    )
                )
            else:
                accepted.append(self._item_json(number))
        self.stats.numbers_tracked += len(accepted)
        return (
            '{"code":0,"data":{"accepted":['
            + ",".join(accepted)
            + '],"rejected":['
            + ",".join(rejected)
            + "]}}"
        ).encode()

    def _make_item_json(self, number: str) -> str:
        c = self.config
        return json.dumps(
            timeline(
                number, now=self.now, seed=c.seed, min_events=c.min_events, max_events=c.max_events
            )
        )


@dataclass
class FakeServerHandle:
    """A running fake server: its port, counters, and how to stop it."""

    port: int
    _stop: Any
    pid: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/_reset", data=b"", method="POST"
        )
        urllib.request.urlopen(request, timeout=10).close()

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--config-json", default="{}", help="FakeConfig fields as JSON")
    args = parser.parse_args(argv)
    server = FakeProvider(FakeConfig(**json.loads(args.config_json)))

    async def run() -> None:
        port = await server.serve(args.port)
        print(f"PORT {port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
