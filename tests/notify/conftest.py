"""Real receivers on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP endpoint for apprise json://."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from watcher.domain.clock import FrozenClock
from watcher.store import quickread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def outbox_summary(session: Session, now: datetime) -> dict[str, Any]:
    """The outbox summary `watcher status` shows, read through the session's connection."""
    database = quickread.SqlAlchemyDatabase(session.connection())
    return quickread.outbox_summary(database, now, gave_up_since=now)


@dataclass
class Mail:
    """One received email."""

    at: datetime
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""  # type: ignore[attr-defined]


@dataclass
class Inbox:
    """What the SMTP server received, stamped with the test clock's time."""

    clock: Callable[[], datetime]
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(Mail(self.clock(), message))  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class Hook:
    """What the HTTP receiver got; `fail_next` answers that many requests with a 500."""

    clock: Callable[[], datetime]
    posts: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0

    @property
    def titles(self) -> list[str]:
        return [post["title"] for _at, post in self.posts]


@pytest.fixture
def test_clock() -> FrozenClock:
    from tests.support import T0

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
