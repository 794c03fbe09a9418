"""Hostile-input suite: every test starts with an empty secret registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from watcher.domain import redact


@pytest.fixture(autouse=True)
def fresh_secrets() -> Iterator[None]:
    redact.clear()
    yield
    redact.clear()
