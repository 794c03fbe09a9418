"""PostgreSQL fixtures: one throw-away server per test session, one fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres.cluster import ClusterError, PgCluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A running server on 127.0.0.1; the tests fail (never skip) if it cannot start."""
    try:
        cluster = PgCluster()
        cluster.start()
    except ClusterError as exc:
        pytest.fail(f"PostgreSQL test server unavailable: {exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """URL of an empty database of its own (dropped with the cluster at the end)."""
    return pg_cluster.create_database()
