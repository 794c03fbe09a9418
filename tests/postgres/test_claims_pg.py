"""Claims on PostgreSQL: SKIP LOCKED row locks, leases, advisory-locked sections."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.service.claimkit import (
    LEASE,
    add_due_shipments,
    claims_are_exclusive_and_leases_expire,
    orphans_of_dead_local_processes_are_released,
)
from watcher.store import claims, db

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url: str) -> Iterator[tuple[object, sessionmaker[Session]]]:
    engine, factory = db.open_database(pg_url)
    yield engine, factory
    engine.dispose()


def test_claims_are_exclusive_and_leases_expire(pg: tuple[object, sessionmaker[Session]]) -> None:
    claims_are_exclusive_and_leases_expire(pg[1])


def test_orphans_of_dead_local_processes_are_released(pg: tuple[object, sessionmaker[Session]]) -> None:
    orphans_of_dead_local_processes_are_released(pg[1])


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
