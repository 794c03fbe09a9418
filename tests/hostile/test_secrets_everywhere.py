"""Secrets planted in every configurable place never show up in any output.

Logs (ours and third-party loggers, at DEBUG), stored errors, alerts, notification bodies and
errors, and the `--json` of every command (and `db export`) are grepped for each secret and for
its first eight characters (redaction after truncation used to leave most of a key).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import select

from tests.kits.common import T0, write_replay
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.service.app import App
from watcher.service.logs import setup_logging
from watcher.store.tables import AlertRow, NotificationRow, ProviderStateRow, ShipmentRow

SECRETS = {
    "api_key": "as-KEY-5f1e2d3c4b5a6978",
    "mail_password": "mail-PW-0a9b8c7d",
    "ntfy_topic": "parcels-topic-q8w7e6",
    "webhook_token": "hook-TOKEN-z1x2c3v4",
    "config_password": "cfg-PW-m9n8b7v6",
    "credential_url_pw": "credfile-PW-44aa55",
}
BASE = "http://aftership.test/tracking/2025-07"
NUMBER = "LP00123456789012"


@pytest.fixture
def planted(make_config, replay_dir: Path, tmp_path: Path) -> Path:
    (tmp_path / "urls.txt").write_text(f"json://u:{SECRETS['credential_url_pw']}@hooks.example/x\n")
    write_replay(replay_dir, NUMBER, [
        {"time": "2026-10-02T08:00:00+08:00", "description": "Accepted", "location": "Shenzhen, CN"},
    ])  # fmt: skip
    return make_config(f"""
[logging]
level = "debug"
[polling]
retry_attempts = 1
[providers.aftership]
api_key = "{SECRETS["api_key"]}"
base_url = "{BASE}"
[notify]
urls = ["mailto://owner:{SECRETS["mail_password"]}@mail.example",
        "ntfys://ntfy.sh/{SECRETS["ntfy_topic"]}",
        "json://hooks.example/api/{SECRETS["webhook_token"]}"]
[notify.targets.ops]
config_file = "https://admin:{SECRETS["config_password"]}@cfg.example/apprise.yml"
urls_file = "urls.txt"
[[shipments]]
tracking_number = "{NUMBER}"
ordered_at = 2026-10-01
providers = ["replay", "aftership"]
""")


def leaks(text: str) -> list[str]:
    return [name for name, s in SECRETS.items() if s in text or s[:8] in text]


class Captured:
    """apprise's sending replaced: what would have left the machine, and an error naming a URL."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def load_services(self, target, spec):
        problems = [f"target {target!r}: cannot use apprise config {c}" for c in spec.config_files]
        return [("fp", object(), False)], problems

    def send_one(self, service, title, body, as_html, notify_type="info"):
        self.bodies.append(f"{title}\n{body}")
        return f"delivery failed for {' '.join(self.bodies[-1:])[:0]}{title} via json://hooks.example/api/{SECRETS['webhook_token']}"


@respx.mock(assert_all_mocked=False)
def test_no_secret_in_any_output(
    respx_mock, planted: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    respx_mock.route(host="aftership.test").mock(
        return_value=httpx.Response(
            500, text=f"<html>Internal error for key {SECRETS['api_key']} " + "x" * 200
        )
    )
    captured = Captured()
    monkeypatch.setattr("watcher.notify.transport.load_services", captured.load_services)
    monkeypatch.setattr("watcher.notify.transport._send_one", captured.send_one)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)

    settings = load_settings(planted)
    setup_logging("debug")
    for name in ("apprise", "httpx", "httpcore", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    # What these libraries log at DEBUG: request lines with URLs, unparseable URLs.
    logging.getLogger("httpcore.http11").debug(
        "send_request_headers.started request=<Request [b'POST', b'https://ntfy.sh/%s']>",
        SECRETS["ntfy_topic"],
    )
    logging.getLogger("apprise").warning(
        "Unparseable URL mailto://owner:%s@mail.example", SECRETS["mail_password"]
    )
    logging.getLogger("urllib3.connectionpool").debug(
        'https://cfg.example:443 "GET /apprise.yml HTTP/1.1" 401 (admin:%s)',
        SECRETS["config_password"],
    )

    clock = FrozenClock(T0)
    app = App(settings, clock=clock)
    app.sync_config()
    for _ in range(10):  # failing for hours: the provider_failing alert goes out
        asyncio.run(app.cycle(force=True))
        clock.advance(hours=1)
    for name in ("apprise", "httpx", "httpcore", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)

    with app.sessions() as session:
        stored = [
            *session.scalars(select(ProviderStateRow.last_error)),
            *session.scalars(select(AlertRow.message)),
            *session.scalars(select(NotificationRow.last_error)),
            *session.scalars(select(NotificationRow.title)),
            *session.scalars(select(NotificationRow.body)),
            *session.scalars(select(ShipmentRow.last_error)),
        ]
    asyncio.run(app.aclose())
    assert any("aftership" in (s or "") for s in stored), "the provider failure was stored"
    assert captured.bodies, "notifications were sent"
    assert leaks("\n".join(str(s) for s in stored)) == []
    assert leaks("\n".join(captured.bodies)) == []
    log = stream.getvalue()
    assert "aftership" in log and leaks(log) == []

    outputs = []
    for argv in (
        ["list", "--json"], ["show", NUMBER, "--json"], ["status", "--json"], ["status"],
        ["alerts", "--json"], ["notifications", "--json"], ["providers", "--json", "--no-quota"],
        ["db", "export", "--json"], ["check", "--json", "--no-notify"], ["config", "check"],
        ["notify", "test", "--json"], ["show", NUMBER, "--raw"],
    ):  # fmt: skip
        main([*argv, "--config", str(planted)])
        out, err = capsys.readouterr()
        outputs.append(out + err)
        if "--json" in argv and out.strip():
            json.loads(out)
    assert leaks("\n".join(outputs) + stream.getvalue()) == []
