"""A real HTTP server on 127.0.0.1 that answers like a provider, and the CLI run against it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from watcher.cli.main import main

#: (method, path, query, body) -> (status, JSON body)
Handler = Callable[[str, str, dict[str, list[str]], Any], tuple[int, Any]]


@contextmanager
def provider_server(handler: Handler) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Serve `handler` on 127.0.0.1; yields (base URL, [(method, path)] seen)."""
    seen: list[tuple[str, str]] = []

    class Answer(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            seen.append((self.command, url.path))
            status, data = handler(self.command, url.path, parse_qs(url.query), body)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def write_config(tmp_path: Path, provider: str, base_url: str, shipments: str) -> Path:
    """A watcher.toml with one provider pointed at the local server and some shipments."""
    path = tmp_path / "watcher.toml"
    path.write_text(
        f'default_providers = ["{provider}"]\n'
        f'database_url = "sqlite:///{tmp_path / "watcher.db"}"\n'
        f"[providers.{provider}]\n"
        f'api_key = "test-key"\nbase_url = "{base_url}"\nrequests_per_second = 1000\n' + shipments,
        encoding="utf-8",
    )
    return path


def check_and_show(
    capsys: pytest.CaptureFixture[str], config: Path, now: str, *numbers: str
) -> dict[str, dict[str, Any]]:
    """Run `watcher check` once, then `watcher show --json` for each number."""
    assert main(["check", "--config", str(config), "--now", now, "--json"]) == 0
    _, err = capsys.readouterr()
    assert "provider error" not in err
    shown = {}
    for number in numbers:
        assert main(["show", number, "--config", str(config), "--json"]) == 0
        shown[number] = json.loads(capsys.readouterr().out)
    return shown


def events_by_text(shown: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A shown parcel's events by description."""
    return {e["description"]: e for e in shown["events"]}
