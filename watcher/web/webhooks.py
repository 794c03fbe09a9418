"""Provider push endpoints: `POST /webhooks/17track` and `POST /webhooks/aftership`.

The signature is checked on the raw body, in constant time, before anything is parsed; a bad
one is refused with 401, stores nothing, and is logged without the secret. A good push is
stored through the polling path (`watcher.service.push`) before the 200 goes out, so a
provider's retry after a failure never loses news; evaluation and dispatch follow at once in
the background, so the notification leaves within seconds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from watcher.service.push import FollowUp, PushItem, aftership_item, seventeentrack_item, store_push
from watcher.web.signatures import check_aftership, check_seventeentrack

if TYPE_CHECKING:
    from watcher.service.app import App

_LOGGER = logging.getLogger(__name__)


class Webhooks:
    """The webhook endpoints of one `App`, sharing one evaluation follow-up."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.follow_up = FollowUp(app)

    def routes(self) -> list[Route]:
        return [
            Route("/webhooks/17track", self.seventeentrack, methods=["POST"]),
            Route("/webhooks/aftership", self.aftership, methods=["POST"]),
        ]

    async def seventeentrack(self, request: Request) -> JSONResponse:
        """17TRACK: `sign` = hex SHA-256 of the raw body + "/" + the API key."""
        key = _secret((self.app.settings.providers.get("17track") or {}).get("api_key"))
        return await self._receive(
            request,
            provider="17TRACK",
            secret=key,
            setup="set [providers.17track] api_key",
            check=lambda body: check_seventeentrack(body, request.headers.get("sign"), key),
            parse=seventeentrack_item,
        )

    async def aftership(self, request: Request) -> JSONResponse:
        """AfterShip: `aftership-hmac-sha256` = base64 HMAC-SHA256 of the raw body."""
        secret = _secret(self.app.settings.push.aftership_secret)
        header = request.headers.get("aftership-hmac-sha256")
        return await self._receive(
            request,
            provider="AfterShip",
            secret=secret,
            setup="set [push] aftership_secret",
            check=lambda body: check_aftership(body, header, secret),
            parse=aftership_item,
        )

    async def _receive(
        self,
        request: Request,
        *,
        provider: str,
        secret: str,
        setup: str,
        check: Callable[[bytes], bool],
        parse: Callable[[Any], PushItem | None],
    ) -> JSONResponse:
        """Signature, parse, store, follow-up: the same steps for every provider."""
        client = request.client.host if request.client else "unknown"
        if not secret:
            _LOGGER.warning(
                "%s push from %s refused: push is not set up (%s)", provider, client, setup
            )
            return _error(404, f"{provider} push is not set up")
        # `BodyLimit` (web/app.py) has refused a body over `[push] max_body_bytes` with 413 already.
        body = await request.body()
        if not check(body):
            # Never the secret, nor the header: only that it did not match.
            _LOGGER.warning("%s push from %s refused: bad signature", provider, client)
            return _error(401, "bad signature")
        try:
            item = parse(json.loads(body))
        except ValueError:
            _LOGGER.warning("%s push from %s refused: body is not JSON", provider, client)
            return _error(400, "body is not JSON")
        if item is None:
            return JSONResponse({"ok": True, "ignored": "no tracking item"})
        now = self.app.clock.now()
        try:
            outcome = store_push(item, now, settings=self.app.settings, sessions=self.app.sessions)
        except Exception as exc:  # noqa: BLE001 - the provider retries a non-200: nothing is lost
            _LOGGER.error(
                "%s push not stored (%s); the provider will retry", provider, type(exc).__name__
            )
            return _error(503, "not stored, retry later")
        if outcome.ignored:
            _LOGGER.info("%s push for %s ignored: %s", provider, outcome.number, outcome.ignored)
        else:
            _LOGGER.info(
                "%s push for %s: %d new%s",
                provider,
                outcome.number,
                outcome.new,
                " (tracking stopped: polling resumes)" if item.stopped else "",
            )
        if outcome.new and outcome.shipment_id is not None:
            self.follow_up.request(outcome.shipment_id, now)
        return JSONResponse({"ok": True, **outcome.as_json()})


def webhook_routes(app: App) -> list[Route]:
    """The provider push routes, ready to mount in the web app."""
    return Webhooks(app).routes()


def _secret(value: Any) -> str:
    """A configured secret as text ('' when absent), whether plain or a pydantic SecretStr."""
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)
