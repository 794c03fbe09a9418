"""Helpers for tests that run real `watcher run` processes: configs, replay data, a notification sink."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from watcher.store import db

REPO = Path(__file__).resolve().parents[2]
TESTKIT = Path(__file__).resolve().parent / "counting_plugin"


def head_revision() -> str:
    """The newest migration (there must be exactly one head)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(db.MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def number(index: int) -> str:
    """A valid test tracking number: LP + 14 digits."""
    return f"LP{index:014d}"


def replay_events(kind: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Events relative to now: 'transit' (no alert) or 'delivered' (a confirm-receipt alert)."""
    now = now or datetime.now(UTC)
    events = [
        {
            "time": (now - timedelta(days=2)).isoformat(),
            "description": "Accepted by carrier",
            "location": "Shenzhen, CN",
        },
        {
            "time": (now - timedelta(days=1)).isoformat(),
            "description": "Departed from origin country",
            "location": "Shenzhen, CN",
        },
    ]
    if kind == "delivered":
        events.append(
            {
                "time": (now - timedelta(hours=2)).isoformat(),
                "description": "Delivered to mailbox",
                "location": "Berlin, DE",
            }
        )
    return events


def write_replay(
    directory: Path, numbers: Iterable[str], kind: Callable[[str], str] | str = "transit"
) -> dict[str, int]:
    """Replay files for each number; returns how many events each has."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for item in numbers:
        events = replay_events(kind(item) if callable(kind) else kind)
        (directory / f"{item}.json").write_text(json.dumps({"events": events}), encoding="utf-8")
        counts[item] = len(events)
    return counts


def write_config(
    directory: Path,
    *,
    database_url: str,
    numbers: Iterable[str],
    notify_url: str | None = None,
    tick: float = 0.5,
    polling: str = "",
    service: str = "",
) -> Path:
    """A watcher.toml using the counting provider over `directory/replay`."""
    today = datetime.now(UTC).date()
    lines = [
        'default_providers = ["counting"]',
        f'database_url = "{database_url}"',
        "[providers.counting]",
        'path = "replay"',
        "[polling]",
        f"tick_seconds = {tick}",
        polling,
        "[service]",
        "instance_lease_seconds = 60",
        "heartbeat_seconds = 1",
        service,
    ]
    if notify_url:
        lines += ["[notify]", f'urls = ["{notify_url}"]']
    for item in numbers:
        lines += [
            "[[shipments]]",
            f'tracking_number = "{item}"',
            f'label = "parcel {item[-4:]}"',
            f"ordered_at = {today - timedelta(days=3)}",
            f"protection_ends = {today + timedelta(days=30)}",
            'destination = { country = "DE" }',
        ]
    path = directory / "watcher.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def daemon_env(directory: Path, **extra: str) -> dict[str, str]:
    """Environment for a spawned daemon: the testkit plugin importable, nothing from the host."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WATCHER_")
        and k
        not in (
            "NOTIFY_SOCKET",
            "WATCHDOG_USEC",
            "WATCHDOG_PID",
            "CREDENTIALS_DIRECTORY",
            "STATE_DIRECTORY",
            "JOURNAL_STREAM",
        )
    }
    env["PYTHONPATH"] = os.pathsep.join([str(TESTKIT), str(REPO)])
    env["TESTKIT_LOG"] = str(directory / "requests.log")
    env["TESTKIT_BLOCK"] = str(directory / "block")
    env["XDG_STATE_HOME"] = str(directory / "state")
    env["XDG_CONFIG_HOME"] = str(directory / "config")
    env.update(extra)
    return env


class DaemonProcess:
    """One `watcher run` subprocess with its stderr in a file."""

    def __init__(self, config: Path, env: dict[str, str], name: str = "daemon") -> None:
        self.config = config
        self.env = env
        self.logfile = config.parent / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        handle = self.logfile.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "run", "--config", str(self.config)],
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=self.config.parent,
        )
        handle.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, like a power cut for this process."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


def wait_until(
    predicate: Callable[[], Any],
    timeout: float = 60,
    interval: float = 0.1,
    what: str = "condition",
    daemons: Iterable[DaemonProcess] = (),
) -> Any:
    """Poll until `predicate()` is truthy; fail with the daemons' logs otherwise."""
    deadline = time.monotonic() + timeout
    daemons = list(daemons)
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for daemon in daemons:
            if daemon.proc is not None and daemon.proc.poll() is not None:
                raise AssertionError(
                    f"daemon exited ({daemon.proc.returncode}) while waiting for {what}:\n{daemon.log()[-3000:]}"
                )
        time.sleep(interval)
    logs = "\n".join(d.log()[-3000:] for d in daemons)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")


def request_counts(directory: Path) -> tuple[Counter[str], Counter[str]]:
    """(fetches per number, fetches per process) from the counting provider's log."""
    per_number: Counter[str] = Counter()
    per_pid: Counter[str] = Counter()
    path = directory / "requests.log"
    for line in path.read_text().splitlines() if path.exists() else ():
        pid, item = line.split()
        per_number[item] += 1
        per_pid[pid] += 1
    return per_number, per_pid


def scalar(engine: Engine, query: Any) -> Any:
    with engine.connect() as connection:
        return connection.scalar(query)


def count(engine: Engine, table: Any, *where: Any) -> int:
    return int(scalar(engine, select(func.count()).select_from(table).where(*where)) or 0)


class NotifySink:
    """An HTTP endpoint for apprise's json:// URLs: records deliveries, or holds them to simulate a crash."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.blocking = False
        self.blocked = threading.Event()
        self._release = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if sink.blocking:
                    # Never answer: the sender is killed while waiting, the message is not delivered.
                    sink.blocked.set()
                    sink._release.wait(30)
                    self.close_connection = True
                    return
                sink.received.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/notify"

    def unblock(self) -> None:
        self.blocking = False
        self._release.set()

    def messages(self) -> Counter[tuple[str, str]]:
        return Counter((m.get("title", ""), m.get("message", "")) for m in self.received)

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
