"""A replay provider that counts requests and can hang on purpose (service tests only).

Every fetched number is appended, with the process id, to `$TESTKIT_LOG` (one short
O_APPEND write per line, safe across processes). While the file `$TESTKIT_BLOCK` exists, a
fetch reads its answers, writes `$TESTKIT_BLOCK.hit` and then hangs before returning: the
daemon is then between poll and store, where the test kills it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from watcher.models import TrackingResult
from watcher.providers.replay import ReplayProvider


class CountingProvider(ReplayProvider):
    """ReplayProvider plus a request log and a hang switch."""

    name = "counting"

    async def fetch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
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
