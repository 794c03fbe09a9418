"""The watchdog only vouches for a loop that makes progress."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from watcher.config import load_settings
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.service.daemon import Daemon


class FakeClock:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


class Pings:
    """Stands in for SystemdNotifier."""

    watchdog_seconds = 0.01

    def __init__(self) -> None:
        self.sent: list[str] = []

    def watchdog(self) -> bool:
        self.sent.append("WATCHDOG=1")
        return True

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: True


def make_daemon(make_config: Any, tmp_path: Path) -> tuple[Daemon, FakeClock]:
    settings = load_settings(
        make_config("[service]\nstall_seconds = 100\n[polling]\ntick_seconds = 10\n")
    )
    clock = FakeClock()
    app = App(settings, notifier=RecordingNotifier())
    return Daemon(app, systemd=Pings(), monotonic=clock), clock  # type: ignore[arg-type]


def test_progress_while_cycles_start_on_time_and_finish(make_config: Any, tmp_path: Path) -> None:
    daemon, clock = make_daemon(make_config, tmp_path)
    assert daemon.making_progress()
    clock.value += 105  # no cycle for stall + tick seconds after start
    assert daemon.making_progress()
    clock.value += 10
    assert not daemon.making_progress()
    daemon._cycle_finished = clock.value
    assert daemon.making_progress()
    daemon.app.engine.dispose()


def test_a_cycle_running_too_long_stops_the_pings(make_config: Any, tmp_path: Path) -> None:
    daemon, clock = make_daemon(make_config, tmp_path)
    daemon._cycle_task = object()  # type: ignore[assignment]
    daemon._cycle_started = clock.value
    clock.value += 99
    assert daemon.making_progress()
    clock.value += 2
    assert not daemon.making_progress()

    async def scenario() -> tuple[int, int]:
        loop_task = asyncio.create_task(daemon._watchdog_loop(0.01))
        await asyncio.sleep(0.05)
        stalled = len(daemon.systemd.sent)  # type: ignore[attr-defined]
        daemon._cycle_task = None  # the cycle finally ends: pings resume
        daemon._cycle_finished = clock.value
        await asyncio.sleep(0.05)
        daemon._stop.set()
        await loop_task
        return stalled, len(daemon.systemd.sent)  # type: ignore[attr-defined]

    stalled, later = asyncio.run(scenario())
    assert stalled == 0
    assert later > 0
    daemon.app.engine.dispose()
