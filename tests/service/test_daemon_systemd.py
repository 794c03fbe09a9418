"""A real `watcher run` under a fake systemd: readiness, watchdog, reload on SIGHUP, stop; and the SQLite lock."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.kits.daemon import (
    DaemonProcess,
    count,
    daemon_env,
    number,
    wait_until,
    write_config,
    write_replay,
)
from watcher.store import db
from watcher.store.tables import InstanceRow, ShipmentRow


class FakeSystemd:
    """Listens on a datagram socket like systemd's notify socket and keeps every message."""

    def __init__(self, address: str | bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                return self.messages

    def has(self, text: str, after: int = 0) -> bool:
        return any(text in m for m in self.drain()[after:])

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("abstract", [False, True], ids=["path-socket", "abstract-socket"])
def test_ready_watchdog_reload_and_stop_are_reported(tmp_path: Path, abstract: bool) -> None:
    name = f"@watcher-test-{time.monotonic_ns()}" if abstract else str(tmp_path / "notify.sock")
    systemd = FakeSystemd(b"\0" + name[1:].encode() if abstract else name)
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    first, second = number(501), number(502)
    write_replay(tmp_path / "replay", [first, second])
    config = write_config(tmp_path, database_url=url, numbers=[first])
    daemon = DaemonProcess(
        config, daemon_env(tmp_path, NOTIFY_SOCKET=name, WATCHDOG_USEC="400000")
    ).start()
    engine = db.make_engine(url)
    try:
        wait_until(lambda: systemd.has("READY=1"), 30, what="READY=1", daemons=[daemon])
        wait_until(
            lambda: sum("WATCHDOG=1" in m for m in systemd.drain()) >= 3,
            10,
            what="watchdog pings",
            daemons=[daemon],
        )

        # A good new config: the new shipment is synced without a restart.
        write_config(tmp_path, database_url=url, numbers=[first, second])
        mark = len(systemd.drain())
        daemon.signal(signal.SIGHUP)
        wait_until(
            lambda: count(engine, ShipmentRow, ShipmentRow.tracking_number == second) == 1,
            20,
            what="the reloaded shipment",
            daemons=[daemon],
        )
        wait_until(
            lambda: systemd.has("READY=1", mark), 10, what="READY=1 after reload", daemons=[daemon]
        )
        reload_messages = systemd.drain()[mark:]
        assert any(m.startswith("RELOADING=1\nMONOTONIC_USEC=") for m in reload_messages), (
            reload_messages
        )

        # A broken config is rejected in one clear line; the daemon keeps running the old one.
        config.write_text(config.read_text() + "\n[polling]\nbogus = 1\n")
        daemon.signal(signal.SIGHUP)
        wait_until(
            lambda: "reload rejected" in daemon.log(), 20, what="the rejection", daemons=[daemon]
        )
        rejected = [line for line in daemon.log().splitlines() if "reload rejected" in line]
        assert len(rejected) == 1 and "watcher.toml" in rejected[0], rejected
        time.sleep(1)
        assert daemon.alive()

        assert daemon.stop() == 0
        assert systemd.has("STOPPING=1")
        with engine.connect() as connection:
            row = connection.execute(InstanceRow.__table__.select()).one()
        assert row.stopped_at is not None and row.cycles >= 1
        assert count(engine, ShipmentRow, ShipmentRow.lease_owner.is_not(None)) == 0
    finally:
        if daemon.alive():
            daemon.kill()
        engine.dispose()
        systemd.close()


def test_second_instance_on_sqlite_refuses_with_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    write_replay(tmp_path / "replay", [number(601)])
    config = write_config(tmp_path, database_url=url, numbers=[number(601)])
    env = daemon_env(tmp_path)
    first = DaemonProcess(config, env, "first").start()
    try:
        wait_until(
            lambda: "watcher running" in first.log(), 30, what="the first instance", daemons=[first]
        )
        second = subprocess.run(
            [sys.executable, "-m", "watcher", "run", "--config", str(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert lines[0].startswith("watcher: error: another watcher is already running on ")
        assert f"pid {first.pid}" in lines[0] and "PostgreSQL" in lines[0]
        assert first.alive()
    finally:
        assert first.stop() == 0
