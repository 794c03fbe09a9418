"""A real `watcher serve` on 127.0.0.1 (uvicorn in a thread, a free port) over a throw-away database.

`served(body)` starts one with extra config (TOML) and returns a `Served` with an httpx client;
the parcels come from replay files, polled and evaluated once at the frozen clock's time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kits.common import T0, write_replay
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.service.app import App
from watcher.web.security import hash_secret
from watcher.web.server import build, server

PASSWORD = "correct horse battery"
TOKEN = "tok-0123456789abcdef"
#: Hashed once per session: scrypt is slow on purpose.
HASHES: dict[str, str] = {}

#: A parcel handed to the destination post and stalled: it gets alerts to act on.
STALLED = "LP00000000000001"
MOVING = "LP00000000000002"


def hashes() -> dict[str, str]:
    if not HASHES:
        HASHES.update(password=hash_secret(PASSWORD), token=hash_secret(TOKEN))
    return HASHES


@dataclass
class Served:
    """A running server, its app and a client pointed at it."""

    url: str
    app: App
    clock: FrozenClock
    client: httpx.Client
    config: Path

    def csrf(self, path: str = "/shipments/new") -> str:
        """The CSRF token of the client's session, read from a page's form."""
        import re

        match = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert match, "no CSRF field on " + path
        return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(replay: Path) -> None:
    """Replay files: one parcel stalled since early October, one moving."""
    write_replay(
        replay,
        STALLED,
        [
            {
                "time": "2026-10-01T08:00:00+00:00",
                "description": "Order information received",
                "status": "info_received",
            },
            {
                "time": "2026-10-03T08:00:00+00:00",
                "description": "Departed from sorting center",
                "location": "Shenzhen",
                "status": "in_transit",
            },
        ],
    )
    write_replay(
        replay,
        MOVING,
        [
            {
                "time": "2026-11-09T08:00:00+00:00",
                "description": "Arrived at destination country",
                "location": "Frankfurt",
                "status": "in_transit",
            },
            {
                "time": "2026-11-11T07:00:00+00:00",
                "description": "Out for delivery",
                "location": "Berlin",
                "status": "out_for_delivery",
            },
        ],
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start servers; each is stopped at the end of the test."""
    running: list[tuple[Any, threading.Thread, httpx.Client]] = []

    def start(body: str = "", *, parcels: bool = True, listen: str | None = None) -> Served:
        replay = tmp_path / "replay"
        seed(replay)
        shipments = (
            f'[[shipments]]\ntracking_number = "{STALLED}"\nlabel = "Desk lamp"\nordered_at = 2026-09-28\n'
            f'[[shipments]]\ntracking_number = "{MOVING}"\nlabel = "Phone case"\n'
            if parcels
            else ""
        )
        config = tmp_path / "watcher.toml"
        config.write_text(
            f'default_providers = ["replay"]\ndatabase_url = "sqlite:///{tmp_path / "w.db"}"\n'
            f'timezone = "Europe/Berlin"\n{shipments}'
            f'[providers.replay]\npath = "{replay}"\n{body}',
            encoding="utf-8",
        )
        clock = FrozenClock(T0 + timedelta(days=10))
        app = App(load_settings(config), clock=clock)
        app.sync_config()
        import asyncio

        asyncio.run(app.cycle(force=True, everything=True, send=False))
        port = free_port()
        starlette, host, _ = build(app, listen or f"127.0.0.1:{port}")
        uv = server(starlette, host, port, embedded=True)
        thread = threading.Thread(target=uv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not uv.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        url = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=url, follow_redirects=False, timeout=10)
        running.append((uv, thread, client))
        return Served(url, app, clock, client, config)

    yield start
    for uv, thread, client in running:
        client.close()
        uv.should_exit = True
        thread.join(10)
        uv.config.app.state.app.engine.dispose()


@pytest.fixture
def protected() -> str:
    """The `[web]` section with a password and a token."""
    h = hashes()
    return f'[web]\npassword_hash = "{h["password"]}"\ntoken_hash = "{h["token"]}"\n'
