"""`watcher serve`: the web pages and JSON API (see docs/web.md); `--hash-password` makes a hash."""

from __future__ import annotations

import sys

from watcher.cli.common import EXIT_OK, load, opened_app
from watcher.domain.errors import InputError


def cmd_serve(*, config: str | None, listen: str | None, hash_password: bool) -> int:
    """Serve until stopped; refuses (exit 2) to listen beyond loopback without a password."""
    if hash_password:
        return print_hash()
    import asyncio

    from watcher.web.server import build, server

    with opened_app(load(config)) as app:
        app.sync_config()
        starlette, host, port = build(app, listen)
        shown = f"[{host}]" if ":" in host else host
        print(f"watcher: serving on http://{shown}:{port}/ (Ctrl-C stops)", file=sys.stderr)
        asyncio.run(server(starlette, host, port, embedded=False).serve())
    return EXIT_OK


def print_hash() -> int:
    """Read a password (prompted on a terminal, else the first line of stdin); print its hash."""
    from watcher.web.security import hash_secret

    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass("password: ")
        if getpass.getpass("again: ") != secret:
            raise InputError("the two passwords differ")
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    if len(secret) < 8:
        raise InputError("password: use at least 8 characters")
    print(hash_secret(secret))
    return EXIT_OK
