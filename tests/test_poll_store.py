"""Bulk polling store functions on SQLite (the same scenarios run on PostgreSQL in tests/postgres)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests import pollstorekit as kit
from watcher.store import db

Factory = Callable[[str], sessionmaker[Session]]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Factory]:
    engines = []

    def make(name: str) -> sessionmaker[Session]:
        engine, sessions = db.open_database(f"sqlite:///{tmp_path / name}.db")
        engines.append(engine)
        return sessions

    yield make
    for engine in engines:
        engine.dispose()


def test_bulk_and_single_store_the_same_rows(database: Factory) -> None:
    kit.bulk_and_single_store_the_same_rows(database("old"), database("new"))


def test_bulk_and_single_estimates_agree(database: Factory) -> None:
    kit.bulk_and_single_estimates_agree(database("old"), database("new"))


def test_estimate_moves_are_named(database: Factory) -> None:
    kit.estimate_moves_are_named(database("one"))


def test_schedule_ends_only_own_leases(database: Factory) -> None:
    kit.schedule_ends_only_own_leases(database("one"))
