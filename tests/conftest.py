"""Shared fixtures: a clean environment, a frozen clock, throw-away configs and databases."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import T0, write_replay  # noqa: F401 - re-exported for fixtures
from watcher.domain.clock import FrozenClock


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No WATCHER_* variable or user config leaks in from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("WATCHER_") or name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY", "JOURNAL_STREAM"):
            monkeypatch.delenv(name, raising=False)
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
        return path

    return make


@pytest.fixture
def replay_dir(tmp_path: Path) -> Path:
    return tmp_path / "replay"


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
