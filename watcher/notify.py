"""Delivering messages through apprise. A notifier returns a result; it never raises."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Outcome of one send."""

    ok: bool
    error: str | None = None


class Notifier(Protocol):
    """Sends a message to a named target."""

    def targets(self) -> list[str]: ...

    def send(self, target: str, title: str, body: str) -> Delivery: ...


class AppriseNotifier:
    """Targets are lists of apprise URLs (secrets inside them are never logged)."""

    def __init__(self, targets: Mapping[str, Sequence[str]]) -> None:
        self._urls = {name: list(urls) for name, urls in targets.items() if urls}

    def targets(self) -> list[str]:
        return list(self._urls)

    def send(self, target: str, title: str, body: str) -> Delivery:
        urls = self._urls.get(target)
        if not urls:
            return Delivery(False, f"no target named {target!r}")
        import apprise  # imported lazily: it is slow to load and only the sender needs it

        client = apprise.Apprise()
        for index, url in enumerate(urls):
            if not client.add(url):
                return Delivery(False, f"target {target!r}: URL #{index + 1} is not a valid apprise URL")
        try:
            ok = client.notify(title=title, body=body)
        except Exception as exc:  # noqa: BLE001 - a plugin bug must not kill the daemon
            return Delivery(False, f"target {target!r}: {type(exc).__name__}")
        return Delivery(True) if ok else Delivery(False, f"target {target!r}: delivery failed (see apprise log)")


class RecordingNotifier:
    """Keeps messages in memory (tests, `demo`)."""

    def __init__(self, targets: Sequence[str] = ("default",), fail: int = 0) -> None:
        self._targets = list(targets)
        self.sent: list[tuple[str, str, str]] = []
        self._fail = fail

    def targets(self) -> list[str]:
        return list(self._targets)

    def send(self, target: str, title: str, body: str) -> Delivery:
        if self._fail > 0:
            self._fail -= 1
            return Delivery(False, "simulated failure")
        self.sent.append((target, title, body))
        return Delivery(True)
