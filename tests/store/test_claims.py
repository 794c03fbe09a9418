"""Claims (on SQLite and PostgreSQL) and the instance lock on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.kits.claims import (
    claims_are_exclusive_and_leases_expire,
    orphans_of_dead_local_processes_are_released,
)
from watcher.domain.errors import StoreError
from watcher.store import claims, db


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine, factory = db.open_database(database_url)
    yield factory
    engine.dispose()


def test_claims_are_exclusive_and_leases_expire(sessions: sessionmaker[Session]) -> None:
    claims_are_exclusive_and_leases_expire(sessions)


def test_orphans_of_dead_local_processes_are_released(sessions: sessionmaker[Session]) -> None:
    orphans_of_dead_local_processes_are_released(sessions)


def test_instance_lock_admits_one_daemon_per_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    first, second = claims.InstanceLock(url), claims.InstanceLock(url)
    first.acquire()
    with pytest.raises(
        StoreError, match=r"another watcher is already running on .*watcher\.db \(pid \d+\)"
    ):
        second.acquire()
    first.release()
    second.acquire()  # free again once the first has stopped
    assert second.held
    second.release()


def test_instance_lock_is_a_no_op_for_other_databases() -> None:
    lock = claims.InstanceLock("postgresql://u@localhost/db")
    lock.acquire()
    assert lock.path is None and not lock.held


def test_exclusive_sections_need_no_lock_on_sqlite(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with claims.exclusive(engine, "evaluate", wait=False) as mine:
        assert mine
    engine.dispose()
