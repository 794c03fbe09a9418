"""Running the web application with uvicorn: alone (`watcher serve`) or beside the daemon's loop."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

from watcher.web.security import check_hash_format, parse_listen, require_protection

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from watcher.service.app import App

_LOGGER = logging.getLogger(__name__)


def build(app: App, listen: str | None = None) -> tuple[Starlette, str, int]:
    """The application and where it listens; ConfigError when that would be unsafe."""
    from watcher.config import database_url
    from watcher.web.app import create_app
    from watcher.web.security import session_secret

    web = app.settings.web
    host, port = parse_listen(listen or web.listen)
    password = web.password_hash.get_secret_value() if web.password_hash else None
    token = web.token_hash.get_secret_value() if web.token_hash else None
    for key, value in (("password_hash", password), ("token_hash", token)):
        if value:
            check_hash_format(value, key)
    require_protection(host, password_hash=password, token_hash=token)
    secret = session_secret(
        web.session_secret.get_secret_value() if web.session_secret else None,
        state_directory(database_url(app.settings), app),
    )
    return create_app(app, session_secret=secret, listen_host=host), host, port


def state_directory(url: str, app: App) -> Any:
    """Where the session secret is kept: beside a SQLite database, else the state directory."""
    from pathlib import Path

    from watcher.config import user_state_dir
    from watcher.store import db

    path = db.sqlite_path(url)
    if path is not None:
        return Path(path).parent
    settings = app.settings
    return settings.resolve_path(settings.state_dir) if settings.state_dir else user_state_dir()


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host (the daemon handles SIGTERM itself)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return None


def server(starlette: Starlette, host: str, port: int, *, embedded: bool) -> uvicorn.Server:
    """A uvicorn server for the app; `embedded` leaves signal handling to the caller."""
    config = uvicorn.Config(
        starlette,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # URLs hold tracking numbers; the journal does not need them
        server_header=False,
        proxy_headers=False,
        lifespan="off",
    )
    return (EmbeddedServer if embedded else uvicorn.Server)(config)
