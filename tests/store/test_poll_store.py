"""Bulk polling store functions vs their one-at-a-time counterparts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.kits import pollstore as kit
from watcher.store import db

Factory = Callable[[], sessionmaker[Session]]


@pytest.fixture
def database(make_database_url: Callable[[], str]) -> Iterator[Factory]:
    engines = []

    def make() -> sessionmaker[Session]:
        engine, sessions = db.open_database(make_database_url())
        engines.append(engine)
        return sessions

    yield make
    for engine in engines:
        engine.dispose()


def test_bulk_and_single_store_the_same_rows(database: Factory) -> None:
    kit.bulk_and_single_store_the_same_rows(database(), database())


def test_bulk_and_single_estimates_agree(database: Factory) -> None:
    kit.bulk_and_single_estimates_agree(database(), database())


def test_estimate_moves_are_named(database: Factory) -> None:
    kit.estimate_moves_are_named(database())


def test_schedule_ends_only_own_leases(database: Factory) -> None:
    kit.schedule_ends_only_own_leases(database())
