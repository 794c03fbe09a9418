"""Real receivers on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP endpoint for apprise json://."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.kits.common import T0
from tests.kits.receivers import Hook, Inbox, free_port
from watcher.domain.clock import FrozenClock


@pytest.fixture
def test_clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def smtp(test_clock: FrozenClock) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox(test_clock.now)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def hook(test_clock: FrozenClock) -> Iterator[tuple[Hook, int]]:
    received = Hook(test_clock.now)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if received.fail_next > 0:
                received.fail_next -= 1
                received.refused += 1
                self.send_response(500)
            else:
                received.posts.append((received.clock(), json.loads(data)))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
