"""SIGHUP is all or nothing: a config that fails anywhere while being applied changes nothing."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.kits.common import T0
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.service.daemon import Daemon
from watcher.service.sdnotify import SystemdNotifier
from watcher.store import shipments

OLD = "LP00123456789012"
NEW = "LP00123456789013"


def build(make_config) -> tuple[Daemon, Path]:
    config = make_config(
        f'[polling]\ntick_seconds = 30\n[[shipments]]\ntracking_number = "{OLD}"\n'
    )
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    return Daemon(app, systemd=SystemdNotifier(environ={})), config


def stored(app: App, number: str) -> bool:
    with app.sessions() as session:
        return shipments.find_shipment(session, number) is not None


NEW_SHIPMENT = f'[[shipments]]\ntracking_number = "{NEW}"\n'


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("[polling]\ntick_seconds = inf\n" + NEW_SHIPMENT, "polling.tick_seconds"),
        ("[polling]\ntick_seconds = 1e300\n" + NEW_SHIPMENT, "polling.tick_seconds"),
        ("[polling]\ninterval_hours = 1e300\n" + NEW_SHIPMENT, "polling.interval_hours"),
        (NEW_SHIPMENT + NEW_SHIPMENT, "is already shipments[0]"),
        ("[providers.aftership]\ntotal_timeout = -1\n" + NEW_SHIPMENT, "total_timeout"),
    ],
)
def test_reload_rejected_changes_nothing(make_config, caplog, change: str, words: str) -> None:
    daemon, config = build(make_config)
    before = daemon.app.settings
    config.write_text(config.read_text().split("[polling]")[0] + change)
    with caplog.at_level(logging.ERROR):
        assert asyncio.run(daemon.reload()) is False
    assert daemon.app.settings is before and daemon.tick_seconds == 30
    assert not stored(daemon.app, NEW)
    lines = [r.getMessage() for r in caplog.records if "reload rejected" in r.getMessage()]
    assert len(lines) == 1 and words in lines[0]
    asyncio.run(daemon.app.aclose())


def test_reload_failing_while_applied_changes_nothing(
    make_config, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Valid on paper, broken in practice (an adapter that cannot start): nothing half-applied."""
    daemon, config = build(make_config)
    before, providers = daemon.app.settings, daemon.app.providers
    config.write_text(
        config.read_text().replace("tick_seconds = 30", "tick_seconds = 5")
        + NEW_SHIPMENT
        + "[providers.aftership]\napi_key = 'x-key-123456'\n"
    )

    def broken(self, name):
        raise RuntimeError(f"adapter {name} cannot start")

    monkeypatch.setattr("watcher.service.poller.ProviderPool.get", broken)
    with caplog.at_level(logging.ERROR):
        assert asyncio.run(daemon.reload()) is False
    assert daemon.app.settings is before and daemon.app.providers is providers
    assert daemon.tick_seconds == 30 and not stored(daemon.app, NEW)
    assert any("reload rejected: RuntimeError" in r.getMessage() for r in caplog.records)

    monkeypatch.undo()
    assert asyncio.run(daemon.reload()) is True
    assert daemon.app.settings.polling.tick_seconds == 5 and stored(daemon.app, NEW)
    asyncio.run(daemon.app.aclose())


def test_reload_with_a_failing_database_write_changes_nothing(
    make_config, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, config = build(make_config)
    before = daemon.app.settings
    config.write_text(config.read_text() + NEW_SHIPMENT)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shipments, "sync_config_shipments", full)
    with caplog.at_level(logging.ERROR):
        assert asyncio.run(daemon.reload()) is False
    assert daemon.app.settings is before and not stored(daemon.app, NEW)
    asyncio.run(daemon.app.aclose())
