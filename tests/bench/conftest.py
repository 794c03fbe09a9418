"""Benchmark smoke-test fixtures: the scenarios' global logging changes end with each test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def watcher_log_level() -> Iterator[None]:
    """Scenarios quieten the `watcher` logger (bench/scenarios.py); later tests need it as it was."""
    logger = logging.getLogger("watcher")
    level = logger.level
    yield
    logger.setLevel(level)
