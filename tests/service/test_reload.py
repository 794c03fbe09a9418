"""`App.reload`: new targets and shipments take effect; a changed database_url waits for a restart."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr

from tests.kits.daemon import number
from watcher.config import database_url, load_settings
from watcher.service.app import App
from watcher.store import shipments


def test_reload_swaps_targets_and_syncs_shipments(make_config: Any, tmp_path: Any) -> None:
    app = App(load_settings(make_config('[notify]\nurls = ["json://127.0.0.1:9/a"]\n')))
    assert app.notifier.targets() == ["default"]
    before = database_url(app.settings)
    text = f'[notify.targets.phone]\nurls = ["json://127.0.0.1:9/b"]\n[[shipments]]\ntracking_number = "{number(801)}"\n'
    new = load_settings(make_config(text))
    new.database_url = SecretStr(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    ignored = asyncio.run(app.reload(new))
    assert ignored == ["database_url"] and database_url(app.settings) == before
    assert "phone" in app.notifier.targets()
    with app.sessions() as session:
        assert shipments.find_shipment(session, number(801)) is not None
    asyncio.run(app.aclose())
