"""A replay provider that counts requests and can hang on purpose (service tests only).

Every fetched number is appended, with the process id, to `$TESTKIT_LOG` (one short
O_APPEND write per line, safe across processes). While the file `$TESTKIT_BLOCK` exists, a
fetch reads its answers, writes `$TESTKIT_BLOCK.hit` and then hangs before returning: the
daemon is then between poll and store, where the test kills it. With `$TESTKIT_GATE` set to
"DIRECTORY:N", every fetch waits (up to a minute) until N processes have reached a fetch, so a
test of several instances knows each of them holds claimed work at the same time.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from watcher.domain.models import TrackingResult
from watcher.providers.replay import ReplayProvider


class CountingProvider(ReplayProvider):
    """ReplayProvider plus a request log and a hang switch."""

    name = "counting"

    async def fetch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        gate = os.environ.get("TESTKIT_GATE")
        if gate:
            directory, _, needed = gate.rpartition(":")
            await _wait_at_gate(Path(directory), int(needed))
        results = await super().fetch(numbers)
        log = os.environ.get("TESTKIT_LOG")
        if log:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                for number in numbers:
                    os.write(fd, f"{os.getpid()} {number}\n".encode())
            finally:
                os.close(fd)
        block = os.environ.get("TESTKIT_BLOCK")
        if block and Path(block).exists():
            Path(block + ".hit").write_text(str(os.getpid()))
            await asyncio.sleep(3600)
        return results


async def _wait_at_gate(directory: Path, needed: int, timeout: float = 60.0) -> None:
    """Register this process at the gate and wait until `needed` processes have arrived."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / str(os.getpid())).touch()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(list(directory.iterdir())) < needed and loop.time() < deadline:
        await asyncio.sleep(0.05)
