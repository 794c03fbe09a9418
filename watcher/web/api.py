"""The JSON API under /api/v1, answering in the CLI's `--json` shapes (see `openapi.py`).

Errors are `{"error": "..."}` with the CLI's one-line reason: 400 bad input, 404 unknown parcel,
409 already watched, 415 a write without a JSON body. A write must be JSON: browsers cannot send
that across sites without asking first, which (with SameSite=Strict cookies) stops CSRF.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from watcher.domain.errors import InputError
from watcher.web import data
from watcher.web.forms import flag, optional_text, parse_day, parse_positive
from watcher.web.openapi import openapi_document

Handler = Callable[[Request], Awaitable[Response]]
PREFIX = "/api/v1"


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/openapi.json", openapi),
        Route(f"{PREFIX}/shipments", list_shipments, methods=["GET"]),
        Route(f"{PREFIX}/shipments", add_shipment, methods=["POST"]),
        Route(f"{PREFIX}/shipments/{{number}}", show_shipment, methods=["GET"]),
        Route(f"{PREFIX}/shipments/{{number}}", patch_shipment, methods=["PATCH"]),
        Route(f"{PREFIX}/shipments/{{number}}/case", show_case, methods=["GET"]),
        Route(f"{PREFIX}/shipments/{{number}}/case/steps", add_step, methods=["POST"]),
        Route(f"{PREFIX}/shipments/{{number}}/case/steps/{{step}}", undo, methods=["DELETE"]),
        Route(f"{PREFIX}/shipments/{{number}}/evidence", evidence, methods=["GET"]),
        Route(f"{PREFIX}/alerts", alerts),
        Route(f"{PREFIX}/notifications", notifications),
        Route(f"{PREFIX}/status", status),
    ]


def error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def answer(
    func: Callable[..., Any], *args: Any, status: int = 200, **kwargs: Any
) -> Response:
    """Run `func` in a thread and answer its result as JSON, or its InputError as 4xx."""
    try:
        result = await run_in_threadpool(func, *args, **kwargs)
    except data.NotWatched as exc:
        return error(str(exc), 404)
    except data.AlreadyWatched as exc:
        return error(str(exc), 409)
    except InputError as exc:
        return error(str(exc), 400)
    return JSONResponse(result, status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    """A write's JSON object body; InputError (400/415) otherwise."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise _Unsupported
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise InputError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    return body


class _Unsupported(Exception):
    pass


def write(handler: Callable[[Request, dict[str, Any]], Awaitable[Response]]) -> Handler:
    """A write endpoint: JSON body checked first (415 / 400)."""

    async def endpoint(request: Request) -> Response:
        try:
            body = await json_body(request)
        except _Unsupported:
            return error("send the body as application/json", 415)
        except InputError as exc:
            return error(str(exc), 400)
        return await handler(request, body)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def app_of(request: Request) -> Any:
    return request.app.state.app


# ---------------------------------------------------------------- endpoints


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def list_shipments(request: Request) -> Response:
    """`watcher list --json` (`?archived=true` includes archived parcels, `?limit=N`)."""
    try:
        limit = parse_positive(request.query_params.get("limit"), "limit")
    except InputError as exc:
        return error(str(exc), 400)
    archived = request.query_params.get("archived", "").lower() in ("1", "true", "yes")
    return await answer(
        data.shipment_records, app_of(request), include_archived=archived, limit=limit
    )


@write
async def add_shipment(request: Request, body: dict[str, Any]) -> Response:
    """Start watching a parcel; answers its `show --json` with 201."""

    def add_and_show(app: Any) -> dict[str, Any]:
        number = data.add_parcel(app, body)
        return data.parcel_json(app, number)

    response = await answer(add_and_show, app_of(request), status=201)
    if response.status_code == 201:
        number = json.loads(bytes(response.body))["tracking_number"]
        response.headers["Location"] = f"{PREFIX}/shipments/{number}"
    return response


async def show_shipment(request: Request) -> Response:
    """`watcher show --json`, plus the case."""
    return await answer(data.parcel_json, app_of(request), request.path_params["number"])


@write
async def patch_shipment(request: Request, body: dict[str, Any]) -> Response:
    """Change a parcel's facts or archive it; answers its `show --json`."""

    def change_and_show(app: Any, number: str) -> dict[str, Any]:
        return data.parcel_json(app, data.update_parcel(app, number, body))

    return await answer(change_and_show, app_of(request), request.path_params["number"])


async def show_case(request: Request) -> Response:
    from watcher.service.cases import case_json

    return await answer(_known(case_json), app_of(request), request.path_params["number"])


@write
async def add_step(request: Request, body: dict[str, Any]) -> Response:
    """Record a case step (`received` and `not-received` included); answers the case with 201."""
    from watcher.service.cases import record_step

    def record(app: Any, number: str) -> dict[str, Any]:
        number = data.known_number(app, number)
        unknown = sorted(set(body) - {"step", "at", "until", "note", "by", "detail", "force"})
        if unknown:
            raise InputError(f"{unknown[0]}: not a case step field")
        now = app.clock.now()
        return record_step(
            app,
            number,
            optional_text(body.get("step"), "step") or "",
            at=_time(body.get("at"), app),
            until=parse_day(body.get("until"), "until", now),
            note=optional_text(body.get("note"), "note"),
            by=optional_text(body.get("by"), "by"),
            detail=optional_text(body.get("detail"), "detail"),
            force=flag(body.get("force"), "force"),
        )

    return await answer(record, app_of(request), request.path_params["number"], status=201)


async def undo(request: Request) -> Response:
    """Undo the latest recorded `step`; answers the case."""
    from watcher.service.cases import undo_step

    return await answer(
        _known(undo_step),
        app_of(request),
        request.path_params["number"],
        request.path_params["step"],
    )


async def evidence(request: Request) -> Response:
    """`watcher evidence`'s report as JSON (the same dict the CLI writes)."""
    return await answer(data.evidence_report, app_of(request), request.path_params["number"])


async def alerts(request: Request) -> Response:
    """`watcher alerts --json` (`?days=N`, default 14)."""
    try:
        days = parse_positive(request.query_params.get("days"), "days") or 14
    except InputError as exc:
        return error(str(exc), 400)
    return await answer(data.alerts_json, app_of(request), days)


async def notifications(request: Request) -> Response:
    """`watcher notifications --json` (`?limit=N`, default 30)."""
    try:
        limit = parse_positive(request.query_params.get("limit"), "limit") or 30
    except InputError as exc:
        return error(str(exc), 400)
    return await answer(data.notifications_json, app_of(request), limit)


async def status(request: Request) -> Response:
    """`watcher status --json`."""
    return await answer(data.status_json, app_of(request))


def _known(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func(app, number, ...)` after a 404 check, so an unknown parcel is never a 400."""

    def wrapped(app: Any, number: str, *args: Any) -> Any:
        return func(app, data.known_number(app, number), *args)

    return wrapped


def _time(value: Any, app: Any) -> datetime | None:
    """An ISO time from the body (naive: the configured zone), as the CLI's `--at`."""
    from zoneinfo import ZoneInfo

    from watcher.domain.userinput import parse_when

    return parse_when(value, "at", app.clock.now(), ZoneInfo(app.settings.timezone))
