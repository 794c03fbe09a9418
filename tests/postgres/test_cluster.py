"""The test server itself: reachable, and the store opens on it with psycopg 3."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.service.daemonkit import head_revision
from watcher.store import db

pytestmark = pytest.mark.postgres


def test_store_opens_on_postgres_with_all_migrations(pg_url: str) -> None:
    engine, _sessions = db.open_database(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        assert db.current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert connection.scalar(text("select count(*) from shipments")) == 0
        assert db.database_size(engine) > 0
    finally:
        engine.dispose()
