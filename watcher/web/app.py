"""The Starlette application of `watcher serve`: routes, sessions, login, and the security layers.

Layers, outermost first: security headers, request size limit, host check (open loopback mode
only, against DNS rebinding), signed session cookie, then the login gate. Without a password or
token the pages are open, which `serve` allows on loopback only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from watcher.web import api, pages
from watcher.web.security import BodyLimit, LoginLimiter, SecurityHeaders, verify_secret
from watcher.web.webhooks import webhook_routes

if TYPE_CHECKING:
    from watcher.config import WebConfig
    from watcher.service.app import App

_LOGGER = logging.getLogger(__name__)
HERE = Path(__file__).parent
#: Paths open without login: the login form itself, static files, provider webhooks (signed).
PUBLIC_PREFIXES = ("/login", "/static/", "/webhooks/")
SESSION_COOKIE = "watcher_session"


class Gate:
    """Who is asking: a logged-in session, a bearer token, or nobody (open mode lets all in)."""

    def __init__(self, web: WebConfig, secret: str) -> None:
        self.password_hash = web.password_hash.get_secret_value() if web.password_hash else None
        self.token_hash = web.token_hash.get_secret_value() if web.token_hash else None
        self.open = not (self.password_hash or self.token_hash)
        # Changing the password or token ends every session made with the old one.
        material = f"{self.password_hash}|{self.token_hash}".encode()
        self.fingerprint = hmac.new(secret.encode(), material, hashlib.sha256).hexdigest()[:32]
        self._good_tokens: set[bytes] = set()  # digests of tokens already verified (scrypt is slow)

    def check_login(self, secret: str) -> bool:
        """The login form's password (or the API token, when only a token is set)."""
        return any(verify_secret(secret, h) for h in (self.password_hash, self.token_hash) if h)

    def bearer_ok(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token or not self.token_hash:
            return False
        digest = hashlib.sha256(token.encode()).digest()
        if digest in self._good_tokens:
            return True
        if verify_secret(token, self.token_hash):
            self._good_tokens.add(digest)
            return True
        return False

    def session_ok(self, request: Request) -> bool:
        stored = request.session.get("auth")
        return isinstance(stored, str) and hmac.compare_digest(stored, self.fingerprint)


class LoginGate:
    """ASGI middleware: pages redirect to /login, the API answers 401, unless allowed in."""

    def __init__(self, app: Any, gate: Gate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.gate.open or scope["path"].startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if self.gate.session_ok(request):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            if self.gate.bearer_ok(request):
                scope["watcher.bearer"] = True
                await self.app(scope, receive, send)
                return
            response: Response = JSONResponse(
                {"error": "log in first, or send Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        else:
            response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)


def create_app(app: App, *, session_secret: str, listen_host: str = "127.0.0.1") -> Starlette:
    """The web application over `app` (its settings' `[web]` section decides the protection)."""
    web = app.settings.web
    gate = Gate(web, session_secret)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    zone = ZoneInfo(app.settings.timezone)
    templates.env.filters.update(
        when=lambda value: pages.local_time(value, zone), day=pages.long_day
    )
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            BodyLimit,
            limit=web.max_body_bytes,
            prefixes={"/webhooks/": app.settings.push.max_body_bytes},
        ),
    ]
    if gate.open:
        hosts = ["127.0.0.1", "localhost", "[::1]", "::1", listen_host, "testserver"]
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=hosts))
    middleware += [
        Middleware(
            SessionMiddleware,
            secret_key=session_secret,
            session_cookie=SESSION_COOKIE,
            max_age=int(web.session_hours * 3600),
            same_site="strict",
            https_only=web.secure_cookies,
        ),
        Middleware(LoginGate, gate=gate),
    ]
    routes: list[BaseRoute] = [
        *pages.routes(),
        *api.routes(),
        *webhook_routes(app),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    starlette = Starlette(routes=routes, middleware=middleware)
    starlette.state.app = app
    starlette.state.gate = gate
    starlette.state.templates = templates
    starlette.state.limiter = LoginLimiter(
        attempts=web.login_attempts,
        window=timedelta(minutes=web.login_window_minutes),
        now=app.clock.now,
    )
    return starlette
