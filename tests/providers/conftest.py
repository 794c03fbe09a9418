"""Adapter test fixtures: each test starts with an empty log of unknown statuses."""

from __future__ import annotations

import pytest

from watcher.providers.statuses import reset_unknown_log


@pytest.fixture(autouse=True)
def _fresh_unknown_log() -> None:
    reset_unknown_log()
