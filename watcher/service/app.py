"""The composition root's product: settings, database, clock, providers and notifier wired once.

`cli.py` builds an `App` and hands it to commands; the daemon and `check` run its `cycle`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings, database_url
from watcher.domain.clock import Clock, SystemClock
from watcher.domain.redact import truncate
from watcher.store import claims, db, shipments
from watcher.store.tables import InstanceRow

if TYPE_CHECKING:
    # The cycle's machinery (httpx, providers, rules, apprise) loads on first use, so quick
    # commands such as `watcher list` and `watcher status` start quickly.
    from watcher.notify.dispatcher import DispatchReport
    from watcher.notify.routing import Router
    from watcher.notify.transport import Notifier
    from watcher.service.evaluator import EvaluationReport
    from watcher.service.poller import ProviderPool
    from watcher.service.storing import PollReport

_LOGGER = logging.getLogger(__name__)


@dataclass
class CycleReport:
    """One pass of the main job: sync (optional), poll, evaluate, dispatch."""

    now: datetime
    poll: PollReport = field(default_factory=lambda: _new("watcher.service.poller", "PollReport"))
    evaluation: EvaluationReport = field(
        default_factory=lambda: _new("watcher.service.evaluator", "EvaluationReport")
    )
    dispatch: DispatchReport = field(
        default_factory=lambda: _new("watcher.notify.dispatcher", "DispatchReport")
    )


def _new(module: str, name: str) -> Any:
    """An empty report from a module imported on first use."""
    import importlib

    return getattr(importlib.import_module(module), name)()


def notifier_from_settings(settings: Settings) -> Notifier:
    """The apprise notifier for `[notify.targets]` (and `[notify] urls` as the "default" target)."""
    from watcher.notify.transport import notifier_for

    return notifier_for(settings)


class App:
    """Everything a command needs, built once from settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        if engine is None:
            engine, sessions = db.open_database(database_url(settings))
        else:
            db.upgrade(engine)
            sessions = db.session_factory(engine)
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessions
        self._notifier = notifier
        self._notifier_injected = notifier is not None
        self._providers: ProviderPool | None = None
        # Leases carry this id (64 chars max), so a claim always names a live or dead instance.
        self.instance_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @property
    def notifier(self) -> Notifier:
        """The notifier, built from settings on first use (apprise is slow to import)."""
        if self._notifier is None:
            self._notifier = notifier_from_settings(self.settings)
        return self._notifier

    @notifier.setter
    def notifier(self, value: Notifier) -> None:
        self._notifier = value

    @property
    def providers(self) -> ProviderPool:
        """The provider adapters, built on first use."""
        if self._providers is None:
            from watcher.service.poller import ProviderPool

            self._providers = ProviderPool(self.settings)
        return self._providers

    @providers.setter
    def providers(self, value: ProviderPool) -> None:
        self._providers = value

    def sync_config(self, settings: Settings | None = None) -> shipments.SyncReport:
        """Bring config-declared shipments into the database (never deletes); one transaction."""
        # One instance at a time: two inserting the same new number would collide.
        with claims.exclusive(self.engine, "sync"), self.sessions.begin() as session:
            report = shipments.sync_config_shipments(
                session, (settings or self.settings).shipments, self.clock.now()
            )
        if report.added or report.updated:
            _LOGGER.info("config sync: %d added, %d updated", report.added, report.updated)
        return report

    async def cycle(
        self,
        *,
        force: bool = False,
        everything: bool = False,
        send: bool = True,
        poll: bool = True,
        progress: Callable[[PollReport], None] | None = None,
    ) -> CycleReport:
        """Poll due shipments (all with `force`; none without `poll`), evaluate, deliver notifications.

        `progress` hears after every provider batch (`watcher check` shows it on a terminal).
        """
        from watcher.notify.dispatcher import dispatch_due
        from watcher.service.evaluator import evaluate_due
        from watcher.service.memory import release_freed_memory
        from watcher.service.poller import poll_due

        now = self.clock.now()
        report = CycleReport(now=now)
        if poll:
            report.poll = await poll_due(
                now,
                settings=self.settings,
                sessions=self.sessions,
                providers=self.providers,
                force=force,
                owner=self.instance_id,
                progress=progress,
            )
        # Evaluation is quick and database-only: one instance at a time does all that is due;
        # a busy lock means another instance is on it, and what it misses is due next tick.
        with claims.exclusive(self.engine, "evaluate", wait=False) as mine:
            if mine:
                report.evaluation = evaluate_due(
                    now,
                    settings=self.settings,
                    sessions=self.sessions,
                    targets=self.router(),
                    everything=everything,
                )
        if send:
            report.dispatch = await dispatch_due(
                now,
                settings=self.settings,
                sessions=self.sessions,
                notifier=self.notifier,
                owner=self.instance_id,
                targets=self.router(),
            )
        release_freed_memory()
        return report

    async def reload(self, settings: Settings) -> list[str]:
        """Switch to freshly loaded settings between cycles; returns keys that need a restart.

        All or nothing: the new notifier, routing and provider adapters are built and the
        config's shipments stored (one transaction) before anything is swapped; any failure
        raises and leaves the running configuration as it was.
        """
        from watcher.notify.routing import Router
        from watcher.service.poller import ProviderPool

        ignored = []
        if database_url(settings) != database_url(self.settings):
            ignored.append("database_url")
            settings.database_url, settings.state_dir = (
                self.settings.database_url,
                self.settings.state_dir,
            )
        notifier = self._notifier if self._notifier_injected else None
        notifier = notifier or notifier_from_settings(settings)
        Router.from_settings(settings, notifier.targets())
        pool = ProviderPool(settings)
        try:
            for name in sorted({*settings.providers, *settings.default_providers}):
                if settings.providers.get(name, {}).get("enabled", True) is not False:
                    pool.get(name)
            self.sync_config(settings)
        except BaseException:
            await pool.aclose()
            raise
        old_providers = self._providers
        self.settings = settings
        self._providers = pool
        if not self._notifier_injected:
            self._notifier = notifier
        if old_providers is not None:
            await old_providers.aclose()
        return ignored

    def router(self) -> Router:
        """The notifier's targets with their routing rules (quiet hours, digests, filters)."""
        from watcher.notify.routing import Router

        return Router.from_settings(self.settings, self.notifier.targets())

    def heartbeat(
        self,
        *,
        cycle_done: bool = False,
        stopped: bool = False,
        duration: float | None = None,
        error: str | None = None,
    ) -> None:
        """Record that this instance is alive (read by `watcher status`)."""
        from watcher import __version__

        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(InstanceRow, self.instance_id)
            if row is None:
                host, pid, _ = self.instance_id.split(":")
                row = InstanceRow(
                    id=self.instance_id,
                    hostname=host,
                    pid=int(pid),
                    started_at=now,
                    heartbeat_at=now,
                    version=__version__,
                    cycles=0,
                )
                session.add(row)
            row.heartbeat_at = now
            if cycle_done:
                row.last_cycle_at = now
                row.cycles = (row.cycles or 0) + 1
                row.last_cycle_seconds = duration
                row.last_cycle_error = None
            if error is not None:
                row.last_cycle_error = truncate(error, 500)
            if stopped:
                row.stopped_at = now

    async def aclose_providers(self) -> None:
        """Close the adapters' connections, if any were opened."""
        if self._providers is not None:
            await self._providers.aclose()

    async def aclose(self) -> None:
        await self.aclose_providers()
        self.engine.dispose()

    def describe(self) -> dict[str, Any]:
        return {
            "database": db.redact_url(database_url(self.settings)),
            "instance": self.instance_id,
        }
