"""Shared fixtures: a clean environment, a frozen clock, throw-away configs and databases.

`database_url` runs a test once on SQLite and once on PostgreSQL (that run is marked `postgres`
and uses one throw-away server per session); `pg_url` is for tests of PostgreSQL alone.
"""

from __future__ import annotations

import itertools
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.kits.common import T0
from tests.kits.postgres import ClusterError, PgCluster
from watcher.domain import redact
from watcher.domain.clock import FrozenClock


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No WATCHER_* variable or user config leaks in from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("WATCHER_") or name in (
            "NOTIFY_SOCKET",
            "WATCHDOG_USEC",
            "CREDENTIALS_DIRECTORY",
            "STATE_DIRECTORY",
            "JOURNAL_STREAM",
        ):
            monkeypatch.delenv(name, raising=False)
    redact.clear()  # secrets registered by another test's settings must not blank this one's output
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a watcher.toml (with a replay provider and a database in tmp_path) and return its path."""

    def make(body: str = "", *, database: bool = True) -> Path:
        head = 'default_providers = ["replay"]\n'
        if database:
            head += f'database_url = "sqlite:///{tmp_path / "watcher.db"}"\n'
        text = head + textwrap.dedent(body)
        if "[providers.replay]" not in text:
            text += '\n[providers.replay]\npath = "replay"\n'
        path = tmp_path / "watcher.toml"
        path.write_text(text, encoding="utf-8")
        (tmp_path / "replay").mkdir(exist_ok=True)  # a missing replay folder is a config error
        return path

    return make


@pytest.fixture
def replay_dir(tmp_path: Path) -> Path:
    return tmp_path / "replay"


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


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
    """URL of an empty PostgreSQL database of its own (dropped with the cluster at the end)."""
    return pg_cluster.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A maker of URLs of new empty databases: SQLite files in one run, PostgreSQL in the other."""
    if request.param == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        return cluster.create_database
    names = (f"watcher-{n}.db" if n else "watcher.db" for n in itertools.count())
    return lambda: f"sqlite:///{tmp_path / next(names)}"


@pytest.fixture
def database_url(make_database_url: Callable[[], str]) -> str:
    """URL of an empty database (on SQLite `<tmp_path>/watcher.db`, as `make_config` writes)."""
    return make_database_url()
