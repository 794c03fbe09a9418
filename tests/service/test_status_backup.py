"""`watcher status`, `watcher db backup` and `watcher db export`, through the CLI."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.kits.daemon import number, write_replay
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App

SECRET = "hunter2-secret"


def prepare(make_config: Any, tmp_path: Path, *, daemon: bool) -> Path:
    """A database with polled parcels, an alert, a notification and (optionally) a live heartbeat."""
    numbers = [number(701), number(702)]
    write_replay(
        tmp_path / "replay", numbers, lambda n: "delivered" if n.endswith("1") else "transit"
    )
    shipments = "".join(
        f'\n[[shipments]]\ntracking_number = "{n}"\nlabel = "parcel {n[-3:]}"\n' for n in numbers
    )
    config = make_config(f'[notify]\nurls = ["json://user:{SECRET}@127.0.0.1:9/"]\n' + shipments)
    app = App(load_settings(config), notifier=RecordingNotifier())
    app.sync_config()
    asyncio.run(app.cycle())
    if daemon:
        app.heartbeat(cycle_done=True, duration=0.5)
    asyncio.run(app.aclose())
    return config


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_is_unhealthy_without_a_daemon(
    make_config: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = prepare(make_config, tmp_path, daemon=False)
    code, out, _ = run_cli(capsys, "status", "--config", str(config))
    assert code == 1
    assert "UNHEALTHY" in out and "daemon not running (no heartbeat ever)" in out
    code, out, _ = run_cli(capsys, "status", "--json", "--config", str(config))
    data = json.loads(out)
    assert code == 1 and data["healthy"] is False and data["daemon_running"] is False
    assert SECRET not in out


def test_status_reports_a_live_daemon(
    make_config: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = prepare(make_config, tmp_path, daemon=True)
    code, out, _ = run_cli(capsys, "status", "--json", "--config", str(config))
    data = json.loads(out)
    assert code == 0, data["problems"]
    assert data["healthy"] is True and data["daemon_running"] is True
    assert data["last_cycle_at"] and sum(data["shipments"].values()) == 2
    assert data["open_alerts"] >= 1
    assert [p["name"] for p in data["providers"]] == ["replay"] and data["providers"][0][
        "state"
    ] == "ok"
    assert data["database"]["kind"] == "sqlite" and data["database"]["size_bytes"] > 0
    assert data["instances"][0]["cycles"] == 1
    assert SECRET not in out
    code, text, _ = run_cli(capsys, "status", "--config", str(config))
    assert code == 0 and text.startswith("watcher: healthy") and "daemon: running" in text


def test_stale_heartbeat_and_paused_provider_are_problems(make_config: Any, tmp_path: Path) -> None:
    from watcher.service.status_report import collect
    from watcher.store import provider_states
    from watcher.store.quickread import open_sqlite

    config = prepare(make_config, tmp_path, daemon=True)
    settings = load_settings(config)
    app = App(settings, notifier=RecordingNotifier())
    later = app.clock.now() + timedelta(seconds=settings.service.heartbeat_stale_seconds + 1)
    with app.sessions.begin() as session:
        provider_states.record_provider_failure(
            session, "replay", "401", later, paused_until=later + timedelta(hours=6)
        )
    app.engine.dispose()
    with open_sqlite(tmp_path / "watcher.db") as database:
        health = collect(database, settings, later, url="sqlite://")
    assert not health.healthy
    assert any(p.startswith("daemon not running (last heartbeat") for p in health.problems)
    assert any(p.startswith("provider replay paused until") for p in health.problems)


def test_backup_copies_the_sqlite_database(
    make_config: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = prepare(make_config, tmp_path, daemon=False)
    dest = tmp_path / "backup.db"
    code, out, _ = run_cli(capsys, "db", "backup", str(dest), "--config", str(config))
    assert code == 0 and "SQLite database" in out
    with sqlite3.connect(dest) as copy, sqlite3.connect(tmp_path / "watcher.db") as original:
        for table in ("shipments", "events", "alerts", "notifications"):
            query = f"select count(*) from {table}"
            assert copy.execute(query).fetchone() == original.execute(query).fetchone()
    code, _, err = run_cli(capsys, "db", "backup", str(dest), "--config", str(config))
    assert code == 2 and "already exists" in err


def test_export_json_has_the_history_and_no_secrets(
    make_config: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = prepare(make_config, tmp_path, daemon=False)
    code, out, _ = run_cli(capsys, "db", "export", "--json", "--config", str(config))
    data = json.loads(out)
    assert code == 0 and data["format"] == "watcher-export"
    assert {s["tracking_number"] for s in data["shipments"]} == {number(701), number(702)}
    assert len(data["events"]) == 5 and data["alerts"] and data["notifications"]
    assert all("lease_owner" not in s for s in data["shipments"])
    assert SECRET not in out
