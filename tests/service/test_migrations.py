"""Upgrading a filled SQLite database from the first migration keeps every row."""

from __future__ import annotations

from pathlib import Path

from tests.service.daemonkit import head_revision
from tests.service.migrationkit import upgrade_keeps_data


def test_upgrade_from_first_migration_keeps_data(tmp_path: Path) -> None:
    upgrade_keeps_data(f"sqlite:///{tmp_path / 'watcher.db'}")


def test_migrations_have_one_head() -> None:
    assert head_revision()
