"""A throw-away mosquitto broker on a free 127.0.0.1 port, and a client that reads retained state."""

from __future__ import annotations

import asyncio
import getpass
import socket
import subprocess
import time
import uuid
from pathlib import Path

import aiomqtt

MOSQUITTO = Path("/usr/sbin/mosquitto")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    """Debian's mosquitto with its own config (`.ci/install-mosquitto.sh` installs it)."""

    def __init__(self, directory: Path, *, password: str | None = None) -> None:
        self.port = free_port()
        self.directory = directory
        # As root, mosquitto would switch to the `mosquitto` user and lose the test's files.
        lines = [
            f"listener {self.port} 127.0.0.1",
            "persistence false",
            f"user {getpass.getuser()}",
        ]
        if password is None:
            lines.append("allow_anonymous true")
        else:
            users = directory / "passwd"
            users.write_text("")
            subprocess.run(["mosquitto_passwd", "-b", str(users), "watcher", password], check=True)
            users.chmod(0o600)
            lines += ["allow_anonymous false", f"password_file {users}"]
        self.config = directory / "mosquitto.conf"
        self.config.write_text("\n".join(lines) + "\n")
        self.log = directory / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Broker:
        assert MOSQUITTO.exists(), "mosquitto missing: run .ci/install-mosquitto.sh"
        with self.log.open("wb") as handle:
            self.proc = subprocess.Popen(
                [str(MOSQUITTO), "-c", str(self.config)], stdout=handle, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the broker process starting up
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise AssertionError(f"mosquitto did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


async def retained(port: int, *filters: str, **auth: str) -> dict[str, str]:
    """Every retained message under `filters` (topic -> payload), read up to a sync marker."""
    marker = f"test/sync/{uuid.uuid4().hex}"
    found: dict[str, str] = {}
    async with aiomqtt.Client("127.0.0.1", port, **auth) as client:
        for topic in (*filters, marker):
            await client.subscribe(topic, qos=1)
        await client.publish(marker, "x", qos=1)
        async with asyncio.timeout(10):
            async for message in client.messages:
                if str(message.topic) == marker:
                    break
                found[str(message.topic)] = bytes(message.payload).decode()  # type: ignore[arg-type]
    return found
