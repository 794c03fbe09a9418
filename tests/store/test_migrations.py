"""Upgrading a filled database (SQLite and PostgreSQL) from the first migration keeps every row."""

from __future__ import annotations

from tests.kits.daemon import head_revision
from tests.kits.migrations import upgrade_keeps_data


def test_upgrade_from_first_migration_keeps_data(database_url: str) -> None:
    upgrade_keeps_data(database_url)


def test_migrations_have_one_head() -> None:
    assert head_revision()
