"""The composition root's product: settings, database, clock, providers and notifier wired once.

`cli.py` builds an `App` and hands it to commands; the daemon and `check` run its `cycle`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from watcher.clock import Clock, SystemClock
from watcher.config import Settings, user_state_dir
from watcher.dispatcher import DispatchReport, dispatch_due
from watcher.evaluator import EvaluationReport, evaluate_due
from watcher.notify import AppriseNotifier, Notifier
from watcher.poller import PollReport, ProviderPool, poll_due
from watcher.store import db, repo
from watcher.store.tables import InstanceRow

_LOGGER = logging.getLogger(__name__)


@dataclass
class CycleReport:
    """One pass of the main job: sync (optional), poll, evaluate, dispatch."""

    now: datetime
    poll: PollReport = field(default_factory=PollReport)
    evaluation: EvaluationReport = field(default_factory=EvaluationReport)
    dispatch: DispatchReport = field(default_factory=DispatchReport)


def database_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    state_dir = settings.resolve_path(settings.state_dir) if settings.state_dir else user_state_dir()
    return db.default_sqlite_url(state_dir)


def notifier_from_settings(settings: Settings) -> Notifier:
    urls = [url.get_secret_value() for url in settings.notify.urls]
    return AppriseNotifier({"default": urls} if urls else {})


class App:
    """Everything a command needs, built once from settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
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
        self.notifier = notifier or notifier_from_settings(settings)
        self.providers = ProviderPool(settings, transports=transports)
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def sync_config(self) -> repo.SyncReport:
        """Bring config-declared shipments into the database (never deletes)."""
        with self.sessions.begin() as session:
            report = repo.sync_config_shipments(session, self.settings.shipments, self.clock.now())
        if report.added or report.updated:
            _LOGGER.info("config sync: %d added, %d updated", report.added, report.updated)
        return report

    async def cycle(self, *, force: bool = False, everything: bool = False, send: bool = True) -> CycleReport:
        """Poll due shipments (all with `force`), evaluate, and deliver notifications."""
        now = self.clock.now()
        report = CycleReport(now=now)
        report.poll = await poll_due(now, settings=self.settings, sessions=self.sessions, providers=self.providers, force=force)
        report.evaluation = evaluate_due(
            now, settings=self.settings, sessions=self.sessions, targets=self.notifier.targets(), everything=everything
        )
        if send:
            report.dispatch = await dispatch_due(now, settings=self.settings, sessions=self.sessions, notifier=self.notifier)
        return report

    def heartbeat(self, *, cycle_done: bool = False, stopped: bool = False) -> None:
        """Record that this instance is alive (read by `watcher status`)."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(InstanceRow, self.instance_id)
            if row is None:
                host, pid, _ = self.instance_id.split(":")
                row = InstanceRow(id=self.instance_id, hostname=host, pid=int(pid), started_at=now, heartbeat_at=now)
                session.add(row)
            row.heartbeat_at = now
            if cycle_done:
                row.last_cycle_at = now
            if stopped:
                row.stopped_at = now

    async def aclose(self) -> None:
        await self.providers.aclose()
        self.engine.dispose()

    def describe(self) -> dict[str, Any]:
        return {"database": db.redact_url(database_url(self.settings)), "instance": self.instance_id}
