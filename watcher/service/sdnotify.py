"""The sd_notify protocol without a compiled dependency: one datagram to `$NOTIFY_SOCKET`.

systemd reads `READY=1`, `WATCHDOG=1`, `STOPPING=1`, `RELOADING=1` and `STATUS=...` lines
(sd_notify(3)). Outside systemd (no `$NOTIFY_SOCKET`) every call is a harmless no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

_LOGGER = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends state changes to the service manager, if there is one."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = socket_address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_seconds = watchdog_interval(env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *lines: str) -> bool:
        """Send one datagram with the given `KEY=VALUE` lines; False when nobody listens."""
        if self.address is None:
            return False
        payload = "\n".join(lines).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(payload)
        except OSError as exc:
            # Warn once: a vanished socket must not flood the journal every watchdog ping.
            if not self._warned:
                _LOGGER.warning(
                    "cannot notify systemd at %s: %s", self.address, exc.strerror or exc
                )
                self._warned = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        return self.notify("READY=1", *_status(status))

    def reloading(self) -> bool:
        # Type=notify-reload (systemd 253+) needs MONOTONIC_USEC to match the reload to this message.
        return self.notify(
            "RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}"
        )

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(*_status(text))


def _status(text: str | None) -> list[str]:
    return [f"STATUS={text.replace(chr(10), ' ')}"] if text else []


def socket_address(value: str) -> str | bytes | None:
    """`$NOTIFY_SOCKET` as a connectable address; '@name' is a Linux abstract socket."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # vsock:... and other forms are not used for services; ignore rather than fail


def watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between watchdog pings (half of `$WATCHDOG_USEC`), or None when not asked for."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0:
        return None
    if pid and pid != str(os.getpid()):
        return None  # meant for another process (e.g. a wrapper that exec'd us is gone)
    return int(usec) / 1_000_000 / 2
