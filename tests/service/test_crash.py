"""SIGKILL mid-cycle (SQLite and PostgreSQL): nothing lost, nothing duplicated after a restart."""

from __future__ import annotations

from pathlib import Path

from tests.kits.crash import crash_between_alert_and_send, crash_between_poll_and_store


def test_kill_between_poll_and_store_loses_and_duplicates_nothing(
    tmp_path: Path, database_url: str
) -> None:
    crash_between_poll_and_store(tmp_path, database_url)


def test_kill_between_alert_and_send_sends_each_notification_once(
    tmp_path: Path, database_url: str
) -> None:
    crash_between_alert_and_send(tmp_path, database_url)
