"""PostgreSQL alone: the store opens on the test server; SKIP LOCKED claims and advisory-locked sections."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests.kits.claims import LEASE, add_due_shipments
from tests.kits.daemon import head_revision
from watcher.store import claims, db

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url: str) -> Iterator[tuple[object, sessionmaker[Session]]]:
    engine, factory = db.open_database(pg_url)
    yield engine, factory
    engine.dispose()


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


def test_concurrent_claimers_never_share_a_row(pg: tuple[object, sessionmaker[Session]]) -> None:
    _engine, sessions = pg
    now = add_due_shipments(sessions, 200)
    taken: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claimer(owner: str) -> None:
        barrier.wait()
        mine: list[int] = []
        while True:
            with sessions() as session:
                rows = claims.claim_shipments(session, owner=owner, now=now, lease=LEASE, limit=7)
            if not rows:
                break
            mine += [r.id for r in rows]
        taken[owner] = mine

    threads = [threading.Thread(target=claimer, args=(f"o{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [i for rows in taken.values() for i in rows]
    assert len(ids) == 200 and len(set(ids)) == 200


def test_exclusive_section_admits_one_holder(pg: tuple[object, sessionmaker[Session]]) -> None:
    engine = pg[0]
    with claims.exclusive(engine, "evaluate", wait=False) as first:  # type: ignore[arg-type]
        assert first
        with claims.exclusive(engine, "evaluate", wait=False) as second:  # type: ignore[arg-type]
            assert not second
    with claims.exclusive(engine, "evaluate", wait=False) as again:  # type: ignore[arg-type]
        assert again
