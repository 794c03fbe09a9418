"""Bulk polling store functions on PostgreSQL (INSERT ... RETURNING counts, lease CASE)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests import pollstorekit as kit
from tests.postgres.cluster import PgCluster
from watcher.store import db

pytestmark = pytest.mark.postgres

Factory = Callable[[], sessionmaker[Session]]


@pytest.fixture
def database(pg_cluster: PgCluster) -> Iterator[Factory]:
    engines = []

    def make() -> sessionmaker[Session]:
        engine, sessions = db.open_database(pg_cluster.create_database())
        engines.append(engine)
        return sessions

    yield make
    for engine in engines:
        engine.dispose()


def test_bulk_and_single_store_the_same_rows(database: Factory) -> None:
    kit.bulk_and_single_store_the_same_rows(database(), database())


def test_bulk_and_single_estimates_agree(database: Factory) -> None:
    kit.bulk_and_single_estimates_agree(database(), database())


def test_schedule_ends_only_own_leases(database: Factory) -> None:
    kit.schedule_ends_only_own_leases(database())
