"""Receivers' records for the notification tests: mails from the SMTP server, posts to the HTTP hook."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def outbox_summary(session: Any, now: datetime) -> dict[str, Any]:
    """The outbox summary `watcher status` shows, read through the session's connection."""
    from watcher.store import quickread

    database = quickread.SqlAlchemyDatabase(session.connection())
    return quickread.outbox_summary(database, now, gave_up_since=now)
