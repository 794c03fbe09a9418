"""Upgrading a filled PostgreSQL database from the first migration keeps every row."""

from __future__ import annotations

import pytest

from tests.service.migrationkit import upgrade_keeps_data

pytestmark = pytest.mark.postgres


def test_upgrade_from_first_migration_keeps_data(pg_url: str) -> None:
    upgrade_keeps_data(pg_url)
