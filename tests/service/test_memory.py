"""Freed heap memory goes back to the OS after each cycle (glibc's malloc_trim)."""

from __future__ import annotations

import asyncio
import platform
import sys

import pytest

from watcher.service import memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_release_freed_memory_uses_malloc_trim_on_glibc() -> None:
    assert memory.release_freed_memory() is True


def test_release_freed_memory_is_a_no_op_without_malloc_trim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_freed_memory() is False


def test_every_cycle_releases_freed_memory(monkeypatch: pytest.MonkeyPatch, make_config) -> None:
    from watcher.config import load_settings
    from watcher.service.app import App

    calls = []
    monkeypatch.setattr(memory, "release_freed_memory", lambda: calls.append(1) or True)
    app = App(load_settings(make_config("")))
    asyncio.run(app.cycle(send=False))
    asyncio.run(app.cycle(send=False))
    assert len(calls) == 2
