"""`watcher list` and `watcher status` on PostgreSQL: the reader's SQL through a SQLAlchemy connection."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.test_quick_reads import NOW, expected_listing, expected_outbox, fill, fill_outbox, run
from watcher.service.app import App
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.notify.transport import RecordingNotifier
from watcher.store import quickread

pytestmark = pytest.mark.postgres


def test_list_and_status_read_postgresql(pg_url: str, make_config: Any, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config(f'database_url = "{pg_url}"\n', database=False)
    app = App(load_settings(config), notifier=RecordingNotifier())
    try:
        with app.sessions.begin() as session:
            fill(session)
            fill_outbox(session)
        for flags in ([], ["--all"]):
            text, records = expected_listing(app, include_archived=bool(flags))
            assert run(capsys, "list", "--config", str(config), *flags) == (0, text)
            code, out = run(capsys, "list", "--config", str(config), "--json", *flags)
            assert code == 0 and json.loads(out) == records
        code, out = run(capsys, "list", "--config", str(config), "--json", "--all", "--limit", "2")
        assert code == 0 and json.loads(out) == records[:2]
        since = NOW - timedelta(days=1)
        with app.engine.connect() as connection:
            found = quickread.outbox_summary(quickread.SqlAlchemyDatabase(connection), NOW, gave_up_since=since)
        assert found == expected_outbox()
        assert list(found["targets"]) == ["default", "mail", "phone"]
    finally:
        app.engine.dispose()
    assert main(["status", "--json", "--config", str(config)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["database"]["kind"] == "postgresql" and data["database"]["size_bytes"] > 0
    assert data["shipments"]["pending"] == 1 and data["outbox"]["backlog"] == 4
