"""SIGKILL mid-cycle on PostgreSQL: nothing lost, nothing duplicated after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.crash import crash_between_alert_and_send, crash_between_poll_and_store

pytestmark = pytest.mark.postgres


def test_kill_between_poll_and_store_loses_and_duplicates_nothing(tmp_path: Path, pg_url: str) -> None:
    crash_between_poll_and_store(tmp_path, pg_url)


def test_kill_between_alert_and_send_sends_each_notification_once(tmp_path: Path, pg_url: str) -> None:
    crash_between_alert_and_send(tmp_path, pg_url)
