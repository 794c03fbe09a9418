"""Provider edges: the replay folder is a jail, and a trickling server cannot hang a request."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.test_bounds import one_line_error, run
from watcher.domain.errors import ProviderResponseError, ProviderUnavailable
from watcher.providers.aftership.adapter import AfterShipProvider
from watcher.providers.replay import ReplayConfig, ReplayProvider

SECRET_FILE = '{"events": [{"time": "2026-10-02T08:00:00+00:00", "description": "stolen"}]}'


@pytest.fixture
def jail(tmp_path: Path) -> tuple[ReplayProvider, Path]:
    folder = tmp_path / "replay"
    folder.mkdir()
    (tmp_path / "outside.json").write_text(SECRET_FILE)
    (folder / "LINK.json").symlink_to(tmp_path / "outside.json")
    return ReplayProvider(ReplayConfig(path="replay"), config_dir=tmp_path), tmp_path


@pytest.mark.parametrize(
    "number",
    ["../outside", "..\\outside", "/etc/passwd", "LINK", "a/../../outside", "x\0y"],
)
def test_replay_never_reads_outside_its_folder(jail, number: str) -> None:
    provider, _ = jail
    with pytest.raises(ProviderResponseError, match="refused"):
        asyncio.run(provider.fetch([number]))


@given(number=st.text(min_size=1, max_size=80))
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_replay_reads_only_plain_files_in_its_folder(jail, number: str) -> None:
    provider, _ = jail
    try:
        result = asyncio.run(provider.fetch([number]))
    except ProviderResponseError:
        return  # refused, or a file that is not replay JSON: either way nothing leaked
    assert all("stolen" not in e.description for r in result.values() for e in r.events)


class Trickler:
    """A real HTTP server on 127.0.0.1 that sends its answer one byte every `pause` seconds."""

    def __init__(self, pause: float = 0.1) -> None:
        self.pause = pause
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.trickle, args=(conn,), daemon=True).start()

    def trickle(self, conn: socket.socket) -> None:
        body = b'{"meta": {"code": 200}, "data": {"trackings": []}}' * 100
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        answer = head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        with conn:
            conn.recv(65536)
            for byte in answer:
                if self.stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(self.pause)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def trickler():
    server = Trickler()
    yield server
    server.close()


def test_total_timeout_bounds_a_trickling_request(trickler: Trickler) -> None:
    provider = AfterShipProvider(
        AfterShipProvider.config_model(
            api_key="k" * 8,
            base_url=f"http://127.0.0.1:{trickler.port}",
            timeout=5,
            total_timeout=0.6,
        )
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="within 0.6s"):
        asyncio.run(provider.fetch(["LP00123456789012"]))
    assert time.monotonic() - started < 3, (
        "the per-read timeout (5 s) never fired: bytes kept coming"
    )
    asyncio.run(provider.aclose())


def test_check_does_not_hang_on_a_trickling_provider(
    capsys, make_config, trickler: Trickler
) -> None:
    config = make_config(
        f"""
default_providers = ["aftership"]
[polling]
retry_attempts = 1
[providers.aftership]
api_key = "trickle-key-0001"
base_url = "http://127.0.0.1:{trickler.port}"
timeout = 5
total_timeout = 0.6
[[shipments]]
tracking_number = "LP00123456789012"
providers = ["aftership"]
""".replace('default_providers = ["aftership"]\n', "", 1)
    )
    started = time.monotonic()
    code, out, err = run(capsys, "check", "--config", str(config), "--no-notify", "--json")
    assert time.monotonic() - started < 10
    assert code in (0, 1) and "trickle-key-0001" not in out + err


def test_one_line_error_for_a_provider_total_timeout_out_of_range(capsys, make_config) -> None:
    config = make_config("[providers.aftership]\ntotal_timeout = 0\n")
    code, _, err = run(capsys, "config", "check", "--config", str(config))
    assert code == 2
    one_line_error(err, "providers.aftership", "total_timeout")
