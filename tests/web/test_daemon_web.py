"""`[web] enabled`: the daemon serves the pages from its own loop and stops them with itself."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kits.common import write_replay
from tests.web.conftest import free_port
from watcher.config import load_settings
from watcher.domain.errors import ConfigError
from watcher.service.app import App
from watcher.service.daemon import Daemon


def test_daemon_serves_the_pages_while_it_runs(make_config: Any, replay_dir: Path) -> None:
    port = free_port()
    write_replay(replay_dir, "LP00000000000003", [])
    config = make_config(
        f'[web]\nenabled = true\nlisten = "127.0.0.1:{port}"\n'
        '[[shipments]]\ntracking_number = "LP00000000000003"\nlabel = "Socks"\n'
    )
    app = App(load_settings(config))
    daemon = Daemon(app, tick_seconds=3600)

    async def scenario() -> tuple[int, str]:
        running = asyncio.ensure_future(daemon.run())
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    answer = await client.get("/")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("the daemon's web server never answered")
        daemon.request_stop()
        await asyncio.wait_for(running, 20)
        return answer.status_code, answer.text

    status, text = asyncio.run(scenario())
    assert status == 200 and "Socks" in text
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_daemon_refuses_an_unprotected_public_address(make_config: Any) -> None:
    config = make_config('[web]\nenabled = true\nlisten = "0.0.0.0:8750"\n')
    app = App(load_settings(config))
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0"):
        asyncio.run(Daemon(app, tick_seconds=3600).run())
    app.engine.dispose()
