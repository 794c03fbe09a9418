"""`watcher run`: a thin APScheduler loop around `App.cycle`, stopped cleanly by SIGINT/SIGTERM.

The database decides what is due, so the scheduler only ticks; a restart resumes where the
stored next-poll times say.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from watcher.app import App

_LOGGER = logging.getLogger(__name__)

#: How long a stop request waits for a running cycle before abandoning it.
STOP_GRACE_SECONDS = 5.0


class Daemon:
    """Runs cycles on a schedule until told to stop."""

    def __init__(self, app: App, *, tick_seconds: float | None = None) -> None:
        self.app = app
        self.tick_seconds = tick_seconds or app.settings.polling.tick_seconds
        self._stop = asyncio.Event()
        self._cycle_task: asyncio.Task[None] | None = None
        self.cycles = 0

    async def tick(self) -> None:
        """One scheduled job run: a cycle, guarded so no error escapes into the scheduler."""
        self._cycle_task = asyncio.current_task()
        try:
            report = await self.app.cycle()
            self.cycles += 1
            self.app.heartbeat(cycle_done=True)
            if report.poll.shipments or report.evaluation.changes or report.dispatch.sent:
                _LOGGER.info(
                    "cycle: polled %d, %d new events, evaluated %d, %d alert changes, %d sent",
                    report.poll.shipments,
                    report.poll.new_events,
                    report.evaluation.evaluated,
                    len(report.evaluation.changes),
                    report.dispatch.sent,
                )
        except asyncio.CancelledError:
            _LOGGER.warning("cycle abandoned at shutdown; it resumes on the next start")
            raise
        except Exception:  # noqa: BLE001 - the loop must survive anything a cycle throws
            _LOGGER.exception("cycle failed; retrying at the next tick")
        finally:
            self._cycle_task = None

    def request_stop(self, signame: str = "stop") -> None:
        if not self._stop.is_set():
            _LOGGER.info("received %s: stopping", signame)
            self._stop.set()

    async def run(self) -> None:
        """Schedule ticks, wait for a stop signal, then shut down within a few seconds."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        self.app.sync_config()
        self.app.heartbeat()
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            id="cycle",
        )
        scheduler.start()
        _LOGGER.info("watcher running (%s), tick every %ss", self.app.describe()["database"], self.tick_seconds)
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self._finish_cycle()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            self.app.heartbeat(stopped=True)
            await self.app.aclose()
            _LOGGER.info("watcher stopped")

    async def _finish_cycle(self) -> None:
        task = self._cycle_task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
