"""Who may use the web pages: password and token hashes, listen addresses, CSRF tokens, login limits.

Pure helpers plus two small ASGI middlewares (security headers, request size). Secrets are only
ever compared as hashes and never logged or rendered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from watcher.domain.errors import ConfigError

#: scrypt cost: 16 MiB of memory and about 50 ms per check; login is rare, guessing is costly.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """A `scrypt$N$r$p$salt$hash` string for `[web] password_hash` or `token_hash`."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches a stored scrypt or pbkdf2_sha256 hash (constant-time compare)."""
    parts = stored.strip().split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, expected = _unb64(parts[4]), _unb64(parts[5])
            digest = hashlib.scrypt(
                secret.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**26
            )
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            salt, expected = _unb64(parts[2]), _unb64(parts[3])
            digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, int(parts[1]))
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def check_hash_format(stored: str, key: str) -> None:
    """Refuse a `[web]` hash that can never match (a password pasted in clear, a typo)."""
    parts = stored.strip().split("$")
    if not (
        (parts[0] == "scrypt" and len(parts) == 6)
        or (parts[0] == "pbkdf2_sha256" and len(parts) == 4)
    ):
        raise ConfigError(f"web.{key}: not a hash (make one with `watcher serve --hash-password`)")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------- listen address


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (IPv6 in brackets) as (host, port); ConfigError when malformed."""
    host, sep, port_text = value.strip().rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"--listen: expected HOST:PORT, e.g. 127.0.0.1:8750 (got {value!r})")
    return host.strip("[]"), int(port_text)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_protection(host: str, *, password_hash: str | None, token_hash: str | None) -> None:
    """Refuse to listen beyond loopback without a password or token (ConfigError, exit 2)."""
    if not is_loopback(host) and not (password_hash or token_hash):
        raise ConfigError(
            f"refusing to listen on {host} without a password or token: set [web] password_hash"
            " or token_hash (`watcher serve --hash-password`), or listen on 127.0.0.1"
        )


def session_secret(configured: str | None, state_dir: Path) -> str:
    """The configured session secret, else one kept in `state_dir` (made on first use)."""
    if configured:
        return configured
    path = state_dir / "web-session-secret"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(32)
    state_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="ascii")
    return secret


# ---------------------------------------------------------------- CSRF


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use (one per session)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def csrf_ok(session: dict[str, Any], submitted: str | None) -> bool:
    """True when a form's token is the session's own."""
    token = session.get("csrf")
    return (
        isinstance(token, str) and bool(submitted) and hmac.compare_digest(token, submitted or "")
    )


# ---------------------------------------------------------------- login rate limit


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per client per `window`; `now` is injectable."""

    attempts: int
    window: timedelta
    now: Callable[[], datetime]
    failures: dict[str, list[datetime]] = field(default_factory=dict)
    max_clients: int = 10_000  # memory bound against address spraying

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it may try now."""
        recent = self._recent(client)
        if len(recent) < self.attempts:
            return None
        wait = recent[0] + self.window - self.now()
        return max(1, math.ceil(wait.total_seconds()))

    def failed(self, client: str) -> None:
        if len(self.failures) >= self.max_clients and client not in self.failures:
            self._prune()
        self.failures[client] = [*self._recent(client), self.now()]

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)

    def _recent(self, client: str) -> list[datetime]:
        since = self.now() - self.window
        return [t for t in self.failures.get(client, ()) if t > since]

    def _prune(self) -> None:
        for client in list(self.failures):
            if not self._recent(client):
                del self.failures[client]
        while len(self.failures) >= self.max_clients:
            self.failures.pop(next(iter(self.failures)))


# ---------------------------------------------------------------- middleware

#: No inline script anywhere (there is no script at all); styles only from our own file.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: browsers then send a real Origin on our own form POSTs.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

ASGIApp = Callable[..., Any]


class SecurityHeaders:
    """Adds the security headers to every response (and no-store to everything but static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, declared or streamed.

    `prefixes` maps path prefixes to their own limit (provider webhooks carry whole histories).
    """

    def __init__(self, app: ASGIApp, limit: int, prefixes: dict[str, int] | None = None) -> None:
        self.app, self.default_limit, self.prefixes = app, limit, dict(prefixes or {})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next(
            (n for prefix, n in self.prefixes.items() if path.startswith(prefix)),
            self.default_limit,
        )
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Any, limit: int) -> None:
    body = f'{{"error": "request body over {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
