"""`watcher run`: a thin APScheduler loop around `App.cycle`, as a well-behaved systemd service.

The database decides what is due, so the scheduler only ticks; a restart resumes where the
stored next-poll times say. systemd integration (all optional, via `$NOTIFY_SOCKET`):
READY=1 once the first cycle is scheduled, WATCHDOG=1 pings only while cycles make progress
(a hung loop stops pinging and gets restarted), RELOADING=1/READY=1 around a SIGHUP reload,
STOPPING=1 on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from watcher.domain.errors import ConfigError
from watcher.domain.redact import describe_exception
from watcher.service.app import App, database_url
from watcher.service.sdnotify import SystemdNotifier
from watcher.store import claims

_LOGGER = logging.getLogger(__name__)

#: How long a stop request waits for a running cycle before abandoning it.
STOP_GRACE_SECONDS = 5.0


class Daemon:
    """Runs cycles on a schedule until told to stop; reloads its config on SIGHUP."""

    def __init__(
        self,
        app: App,
        *,
        tick_seconds: float | None = None,
        systemd: SystemdNotifier | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self._fixed_tick = tick_seconds
        self.tick_seconds = tick_seconds or app.settings.polling.tick_seconds
        self.systemd = systemd or SystemdNotifier()
        self._monotonic = monotonic
        self._stop = asyncio.Event()
        self._busy = asyncio.Lock()  # a cycle and a reload never overlap
        self._cycle_task: asyncio.Task[None] | None = None
        self._started = monotonic()
        self._cycle_started: float | None = None
        self._cycle_finished: float | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.mqtt: Any = None  # the Home Assistant publisher, when `[mqtt] enabled`
        self._mqtt_task: asyncio.Task[None] | None = None
        self.cycles = 0
        self.reloads = 0

    # ------------------------------------------------------------ the cycle

    async def tick(self) -> None:
        """One scheduled job run: a cycle, guarded so no error escapes into the scheduler."""
        async with self._busy:
            self._cycle_task = asyncio.current_task()
            try:
                # A cycle that hit max_shipments_per_cycle leaves due work behind: go on at once
                # rather than idling until the next tick (a backlog would waste provider quota).
                more = True
                while more and not self._stop.is_set():
                    self._cycle_started = self._monotonic()
                    more = await self._cycle()
            except asyncio.CancelledError:
                _LOGGER.warning("cycle abandoned at shutdown; it resumes on the next start")
                raise
            finally:
                self._cycle_finished = self._monotonic()
                self._cycle_task = None

    async def _cycle(self) -> bool:
        """One cycle; True when it polled a full batch and more shipments may be due."""
        started = self._monotonic()
        try:
            report = await self.app.cycle()
        except Exception as exc:  # the loop must survive anything a cycle throws
            _LOGGER.exception("cycle failed; retrying at the next tick")
            self._safe_heartbeat(error=describe_error(exc))
            return False
        self.cycles += 1
        if self.mqtt is not None:
            self.mqtt.nudge()  # Home Assistant follows each cycle
        self._safe_heartbeat(cycle_done=True, duration=self._monotonic() - started)
        if report.poll.shipments or report.evaluation.changed or report.dispatch.sent:
            _LOGGER.info(
                "cycle: polled %d, %d new events, evaluated %d, %d alert changes, %d sent",
                report.poll.shipments,
                report.poll.new_events,
                report.evaluation.evaluated,
                report.evaluation.changed,
                report.dispatch.sent,
            )
        return report.poll.shipments >= self.app.settings.polling.max_shipments_per_cycle

    def making_progress(self) -> bool:
        """True while the loop is healthy: cycles start on time and none runs for too long."""
        now = self._monotonic()
        stall = self.app.settings.service.stall_seconds
        if self._cycle_task is not None and self._cycle_started is not None:
            return now - self._cycle_started < stall
        last = self._cycle_finished if self._cycle_finished is not None else self._started
        return now - last < stall + self.tick_seconds

    # ------------------------------------------------------------ keep-alive tasks

    async def _watchdog_loop(self, interval: float) -> None:
        """Ping systemd's watchdog, but only while cycles make progress (else: restart us)."""
        warned = False
        while not self._stop.is_set():
            if self.making_progress():
                self.systemd.watchdog()
                warned = False
            elif not warned:
                _LOGGER.error(
                    "cycle loop stalled for over %ss; no more watchdog pings",
                    self.app.settings.service.stall_seconds,
                )
                warned = True
            await self._sleep(interval)

    async def _heartbeat_loop(self) -> None:
        """Keep the database heartbeat fresh during long cycles, so `watcher status` stays right."""
        while not self._stop.is_set():
            await self._sleep(self.app.settings.service.heartbeat_seconds)
            if not self._stop.is_set() and self.making_progress():
                self._safe_heartbeat()
                self._renew_leases()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    def _safe_heartbeat(self, **kwargs: object) -> None:
        try:
            self.app.heartbeat(**kwargs)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - a busy database must not stop the daemon
            _LOGGER.warning("cannot write heartbeat: %s", describe_error(exc))

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ------------------------------------------------------------ signals

    def request_stop(self, signame: str = "stop") -> None:
        if not self._stop.is_set():
            _LOGGER.info("received %s: stopping", signame)
            self.systemd.stopping()
            self._stop.set()

    def request_reload(self) -> None:
        _LOGGER.info("received SIGHUP: reloading configuration")
        self._spawn(self.reload())

    async def reload(self) -> bool:
        """Load the config file again and switch to it; a bad file leaves the old one running."""
        from watcher.config import load_settings
        from watcher.service.logs import setup_logging

        self.systemd.reloading()
        old = self.app.settings
        try:
            # Everything that can fail happens before the swap: load and validate, build the
            # scheduler trigger, then the app builds its parts and stores the shipments.
            settings = load_settings(old.config_file) if old.config_file else load_settings(None)
            tick = self._fixed_tick or settings.polling.tick_seconds
            trigger = IntervalTrigger(seconds=tick, timezone=UTC)
            async with self._busy:
                ignored = await self.app.reload(settings)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the old runtime in place
            _LOGGER.error(
                "reload rejected: %s; still running the previous configuration",
                exc if isinstance(exc, ConfigError) else describe_error(exc),
            )
            self.systemd.ready(self._status_text())
            return False
        setup_logging(settings.logging.level, settings.logging.format)
        self._reschedule(tick, trigger)
        self.reloads += 1
        restart = f"; {', '.join(ignored)} changes need a restart" if ignored else ""
        _LOGGER.info(
            "configuration reloaded: %d shipments in config%s", len(settings.shipments), restart
        )
        self.systemd.ready(self._status_text())
        return True

    def _reschedule(self, tick: float, trigger: IntervalTrigger) -> None:
        if tick != self.tick_seconds and self._scheduler is not None:
            self.tick_seconds = tick
            self._scheduler.reschedule_job("cycle", trigger=trigger)

    def _status_text(self) -> str:
        return f"tick every {self.tick_seconds:g}s, {self.cycles} cycles done"

    # ------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Schedule ticks, wait for a stop signal, then shut down within a few seconds."""
        lock = claims.InstanceLock(database_url(self.app.settings))
        lock.acquire()  # SQLite: one daemon per database, said clearly before anything else
        try:
            await self._run()
        finally:
            lock.release()

    async def _run(self) -> None:
        web = self._build_web()  # a bad [web] section stops the start before anything runs
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        loop.add_signal_handler(signal.SIGHUP, self.request_reload)
        self._take_over_leases()
        self.app.sync_config()
        self.app.heartbeat()
        if web is not None:
            web.task = asyncio.ensure_future(web.serve())
        scheduler = self._scheduler = AsyncIOScheduler(timezone=UTC)
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
        if self.systemd.watchdog_seconds:
            self._spawn(self._watchdog_loop(self.systemd.watchdog_seconds))
        self._spawn(self._heartbeat_loop())
        self._start_mqtt()
        self.systemd.ready(self._status_text())
        _LOGGER.info(
            "watcher running (%s), tick every %ss",
            self.app.describe()["database"],
            self.tick_seconds,
        )
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self._stop_web(web)
            await self._finish_cycle()
            if self._mqtt_task is not None:  # let it say "offline" before it is cancelled
                await asyncio.wait({self._mqtt_task}, timeout=STOP_GRACE_SECONDS)
            for task in list(self._background):
                task.cancel()
            await asyncio.gather(*self._background, return_exceptions=True)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            self._release_leases()
            self._safe_heartbeat(stopped=True)
            await self.app.aclose()
            _LOGGER.info("watcher stopped")

    def _start_mqtt(self) -> None:
        """Publish to Home Assistant alongside the cycles, when `[mqtt] enabled`."""
        settings = self.app.settings
        if not settings.mqtt.enabled:
            return
        from watcher.mqtt.publisher import Publisher

        self.mqtt = Publisher(
            settings.mqtt,
            sessions=self.app.sessions,
            clock=self.app.clock,
            timezone=settings.timezone,
        )
        self._mqtt_task = asyncio.ensure_future(self.mqtt.run(self._stop))
        self._background.add(self._mqtt_task)
        self._mqtt_task.add_done_callback(self._background.discard)

    def _build_web(self) -> Any:
        """The web server for `[web] enabled` (not started yet); ConfigError when unsafe."""
        if not self.app.settings.web.enabled:
            return None
        from watcher.web.server import build, server

        starlette, host, port = build(self.app)
        _LOGGER.info("web pages on http://%s:%d/", host, port)
        return server(starlette, host, port, embedded=True)

    async def _stop_web(self, web: Any) -> None:
        """Let the web server finish its requests and close its socket (a few seconds at most)."""
        if web is None or not hasattr(web, "task"):
            return
        web.should_exit = True
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(web.task, STOP_GRACE_SECONDS)

    def _take_over_leases(self) -> None:
        """Free leases left by instances that died (all of them on SQLite, where we are alone)."""
        with self.app.sessions.begin() as session:
            if self.app.engine.dialect.name == "sqlite":
                freed = claims.release_all(session)
            else:
                freed = claims.release_orphans(session, me=self.app.instance_id)
        if freed:
            _LOGGER.info("took over %d items leased by a stopped instance", freed)

    def _renew_leases(self) -> None:
        """Keep our claims while we work on them; a dead instance stops renewing and they expire."""
        lease = timedelta(seconds=self.app.settings.service.instance_lease_seconds)
        try:
            with self.app.sessions.begin() as session:
                claims.renew(session, self.app.instance_id, lease)
        except Exception as exc:  # noqa: BLE001 - retried with the next heartbeat
            _LOGGER.warning("cannot renew leases: %s", describe_error(exc))

    def _release_leases(self) -> None:
        try:
            with self.app.sessions.begin() as session:
                claims.release_all(session, owner=self.app.instance_id)
        except Exception as exc:  # noqa: BLE001 - leases expire anyway
            _LOGGER.warning("cannot release leases at shutdown: %s", describe_error(exc))

    async def _finish_cycle(self) -> None:
        task = self._cycle_task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
            # Its outcome no longer matters: the daemon is stopping.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def describe_error(exc: BaseException) -> str:
    """A short, secret-free description (redacted, whoever wrote the message)."""
    return describe_exception(exc)
