"""The sd_notify client: addresses, watchdog interval, messages, no-op outside systemd."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from watcher.service.sdnotify import SystemdNotifier, socket_address, watchdog_interval


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("/run/systemd/notify", "/run/systemd/notify"),
        ("@abstract/name", b"\0abstract/name"),
        ("vsock:2:9", None),
    ],
)
def test_socket_address(value: str, expected: object) -> None:
    assert socket_address(value) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "120000000"}, 60.0),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "junk"}, None),
        ({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}, 1.0),
        ({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}, None),
    ],
)
def test_watchdog_interval_is_half_of_watchdog_usec(
    env: dict[str, str], expected: float | None
) -> None:
    assert watchdog_interval(env) == expected


def test_messages_arrive_as_datagrams(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        notifier = SystemdNotifier({"NOTIFY_SOCKET": str(path)})
        assert notifier.enabled
        assert notifier.ready("tick every 60s")
        assert notifier.watchdog()
        assert notifier.reloading()
        assert notifier.stopping()
        received = [server.recv(4096).decode() for _ in range(4)]
    assert received[0] == "READY=1\nSTATUS=tick every 60s"
    assert received[1] == "WATCHDOG=1"
    kind, usec = received[2].split("\n")
    assert (
        kind == "RELOADING=1" and usec.startswith("MONOTONIC_USEC=") and int(usec.split("=")[1]) > 0
    )
    assert received[3] == "STOPPING=1"


def test_outside_systemd_every_call_is_a_no_op() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.watchdog_seconds is None


def test_a_vanished_socket_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.watchdog() is False
    assert notifier.watchdog() is False
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1
