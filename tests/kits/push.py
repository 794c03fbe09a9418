"""Push payloads and a small Starlette app around the webhook routes, for the webhook tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from tests.kits.common import T0
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.web.webhooks import Webhooks

NUMBER = "LP00123456789012"
API_KEY = "k17-very-secret-key"
AFTERSHIP_SECRET = "as-webhook-secret-xyz"
CONFIG = f"""
[providers.17track]
api_key = "{API_KEY}"

[push]
aftership_secret = "{AFTERSHIP_SECRET}"

[[shipments]]
tracking_number = "{NUMBER}"
label = "Lamp"
providers = ["17track"]
destination = {{ country = "DE" }}
"""


def make_app(make_config: Any, body: str = CONFIG) -> tuple[App, Webhooks, Starlette]:
    """An App on a fresh SQLite database, its webhooks, and a Starlette app serving them."""
    config: Path = make_config(body)
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    hooks = Webhooks(app)
    return app, hooks, Starlette(routes=hooks.routes())


def event17(time_utc: str, description: str, sub_status: str, country: str = "DE") -> dict:
    return {
        "time_iso": time_utc,
        "time_utc": time_utc,
        "description": description,
        "location": "Berlin",
        "sub_status": sub_status,
        "address": {"country": country, "city": "Berlin"},
    }


def push17(events: list[dict], event: str = "TRACKING_UPDATED", number: str = NUMBER) -> bytes:
    """A 17TRACK push body: `data` is one `gettrackinfo` accepted item."""
    item = {
        "number": number,
        "carrier": 7041,
        "track_info": {
            "latest_status": {"status": "InTransit", "sub_status": events[-1]["sub_status"]},
            "tracking": {"providers": [{"provider": {"name": "DHL Paket"}, "events": events}]},
        },
    }
    return json.dumps({"event": event, "data": item}).encode()


def sign17(body: bytes, key: str = API_KEY) -> dict[str, str]:
    return {"sign": hashlib.sha256(body + b"/" + key.encode()).hexdigest()}


def push_aftership(checkpoints: list[dict], number: str = NUMBER) -> bytes:
    tracking = {
        "tracking_number": number,
        "slug": "dhl-germany",
        "tag": checkpoints[-1]["tag"],
        "subtag": checkpoints[-1].get("subtag"),
        "checkpoints": checkpoints,
    }
    return json.dumps(
        {"event": "tracking_update", "event_id": "e-1", "ts": 1793000000, "msg": tracking}
    ).encode()


def sign_aftership(body: bytes, secret: str = AFTERSHIP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}
