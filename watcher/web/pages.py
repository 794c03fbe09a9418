"""The HTML pages: parcels by urgency, one parcel with its case, add, alerts, notifications, health.

Every POST carries the session's CSRF token and comes from our own origin; each handler runs its
database work in a thread, so a page never blocks the daemon's loop.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from watcher.domain.errors import InputError
from watcher.web import data
from watcher.web.security import csrf_ok, csrf_token
from watcher.web.views import ACTION_TEXT

_LOGGER = logging.getLogger(__name__)


def routes() -> list[Route]:
    return [
        Route("/", index),
        Route("/shipments/new", new_form),
        Route("/shipments", add, methods=["POST"]),
        Route("/shipments/{number}", detail),
        Route("/shipments/{number}/case", case_step, methods=["POST"]),
        Route("/shipments/{number}/case/undo", case_undo, methods=["POST"]),
        Route("/shipments/{number}/archive", archive, methods=["POST"]),
        Route("/shipments/{number}/evidence", evidence),
        Route("/alerts", alerts),
        Route("/notifications", notifications),
        Route("/health", health),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


# ---------------------------------------------------------------- helpers


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A template with what every page shows: CSRF token, flash message, login state."""
    app = request.app.state.app
    templates = request.app.state.templates
    context = {
        "csrf": csrf_token(request.session),
        "flash": request.session.pop("flash", None),
        "logged_in": not request.app.state.gate.open,
        "action_text": ACTION_TEXT,
        "today": data.today(app),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def local_time(value: datetime | str | None, zone: ZoneInfo) -> str:
    """A stored UTC time in the owner's zone, short: "Mon 16 Nov 14:05"."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).strftime("%a %d %b %H:%M")


def long_day(value: date | str | None) -> str:
    """A date as "Mon 16 Nov 2026"."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%a %d %b %Y")


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after the CSRF token and the origin are checked (403 otherwise)."""
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "cross-origin form refused")
    form = await request.form()
    token = form.get("csrf")
    if not csrf_ok(request.session, token if isinstance(token, str) else None):
        raise HTTPException(403, "the form expired or did not come from this site: reload the page")
    return form


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def redirect(path: str, flash: str | None = None, request: Request | None = None) -> Response:
    if flash and request is not None:
        request.session["flash"] = flash
    return RedirectResponse(path, status_code=303)


async def in_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(func, *args, **kwargs)


# ---------------------------------------------------------------- pages


async def index(request: Request) -> Response:
    """Parcels, most urgent first."""
    include_archived = request.query_params.get("all") == "1"
    lines = await in_thread(
        data.parcel_lines, request.app.state.app, include_archived=include_archived
    )
    return render(request, "index.html", {"lines": lines, "all": include_archived})


async def new_form(request: Request) -> Response:
    return render(request, "add.html", {"values": {}, "error": None})


async def add(request: Request) -> Response:
    """Add a parcel from the form; on a mistake, the form again with the reason."""
    form = await checked_form(request)
    values = {
        key: text(form, key)
        for key in (
            "tracking_number",
            "label",
            "marketplace",
            "order_id",
            "ordered_at",
            "protection_ends",
        )
    }
    values["insured"] = form.get("insured") == "on"
    values["destination"] = {"country": text(form, "country"), "postcode": text(form, "postcode")}
    try:
        number = await in_thread(data.add_parcel, request.app.state.app, values)
    except InputError as exc:
        flat = {**values, **values.pop("destination")}
        return render(request, "add.html", {"values": flat, "error": str(exc)}, status=400)
    return redirect(f"/shipments/{number}", f"Watching {number}.", request)


async def detail(request: Request) -> Response:
    """One parcel: status, next action, alerts, case, timeline."""
    app = request.app.state.app
    try:
        parcel = await in_thread(data.parcel_json, app, request.path_params["number"])
    except data.NotWatched as exc:
        return render(request, "error.html", {"error": str(exc)}, status=404)
    except InputError as exc:
        return render(request, "error.html", {"error": str(exc)}, status=400)
    return render(request, "parcel.html", parcel_context(parcel, error=None))


def parcel_context(parcel: dict[str, Any], *, error: str | None) -> dict[str, Any]:
    from watcher.service.cases import STEPS

    steps = parcel["case"]["steps"] if parcel.get("case") else []
    taken = [s for s in steps if not s.get("undone_at")]
    return {
        "p": parcel,
        "steps": STEPS,
        "ladder": [s for s in STEPS if s not in ("received", "not-received")],
        "taken": taken,
        "taken_names": {s["step"] for s in taken},
        "events": list(reversed(parcel.get("events") or [])),
        "error": error,
    }


async def case_step(request: Request) -> Response:
    """Record the case step whose button was pressed (received and not-received included)."""
    from watcher.service.cases import record_step

    form = await checked_form(request)
    app = request.app.state.app
    number = await known(request)
    if isinstance(number, Response):
        return number
    step = text(form, "step") or ""
    try:
        now = app.clock.now()
        on = forms_day(text(form, "at"), "date", now)
        at = step_time(on, now, ZoneInfo(app.settings.timezone))
        until = forms_day(text(form, "until"), "until", now)
        await in_thread(
            record_step,
            app,
            number,
            step,
            at=at,
            until=until,
            note=text(form, "note"),
            force=form.get("force") == "on",
        )
    except data.NotWatched as exc:
        return render(request, "error.html", {"error": str(exc)}, status=404)
    except InputError as exc:
        parcel = await in_thread(data.parcel_json, app, number)
        return render(request, "parcel.html", parcel_context(parcel, error=str(exc)), status=400)
    return redirect(f"/shipments/{number}", f"Recorded: {step}.", request)


def step_time(on: date | None, now: datetime, zone: ZoneInfo) -> datetime | None:
    """A step's time: the chosen day at the current local time of day (None: now)."""
    local = now.astimezone(zone)
    if on is None or on == local.date():
        return None
    return datetime.combine(on, local.timetz()).astimezone(UTC)


def forms_day(value: str | None, what: str, now: datetime) -> date | None:
    from watcher.web.forms import parse_day

    return parse_day(value, what, now)


async def known(request: Request) -> str | Response:
    """The stored number of the page's parcel, or the 404 / 400 error page."""
    try:
        return await in_thread(
            data.known_number, request.app.state.app, request.path_params["number"]
        )
    except data.NotWatched as exc:
        return render(request, "error.html", {"error": str(exc)}, status=404)
    except InputError as exc:
        return render(request, "error.html", {"error": str(exc)}, status=400)


async def case_undo(request: Request) -> Response:
    from watcher.service.cases import undo_step

    form = await checked_form(request)
    number = await known(request)
    if isinstance(number, Response):
        return number
    step = text(form, "step") or ""
    try:
        await in_thread(undo_step, request.app.state.app, number, step)
    except InputError as exc:
        return redirect(f"/shipments/{number}", str(exc), request)
    return redirect(f"/shipments/{number}", f"Undone: {step}.", request)


async def archive(request: Request) -> Response:
    form = await checked_form(request)
    number = await known(request)
    if isinstance(number, Response):
        return number
    archived = form.get("archived") == "1"
    await in_thread(data.update_parcel, request.app.state.app, number, {"archived": archived})
    return redirect(f"/shipments/{number}", "Archived." if archived else "Watching again.", request)


async def evidence(request: Request) -> Response:
    """The evidence report as a download: printable HTML, or `?format=json` (`watcher evidence`)."""
    from watcher.report.evidence import render_html, render_json, report_stem

    fmt = request.query_params.get("format", "html")
    if fmt not in ("html", "json"):
        error = f"format: expected html or json, not {fmt!r}"
        return render(request, "error.html", {"error": error}, status=400)
    number = request.path_params["number"]
    try:
        report = await in_thread(data.evidence_report, request.app.state.app, number)
    except data.NotWatched as exc:
        return render(request, "error.html", {"error": str(exc)}, status=404)
    except InputError as exc:
        return render(request, "error.html", {"error": str(exc)}, status=400)
    if fmt == "json":
        body, media = render_json(report), "application/json"
    else:
        body, media = render_html(report), "text/html; charset=utf-8"
    name = f"{report_stem(report)}.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def alerts(request: Request) -> Response:
    rows = await in_thread(data.alerts_json, request.app.state.app, 14)
    rows.sort(key=lambda a: (a["resolved_at"] is not None, a["act_by"] or "9999"))
    return render(request, "alerts.html", {"alerts": rows})


async def notifications(request: Request) -> Response:
    rows = await in_thread(data.notifications_json, request.app.state.app, 50)
    return render(request, "notifications.html", {"rows": rows})


async def health(request: Request) -> Response:
    report = await in_thread(data.status_json, request.app.state.app)
    return render(request, "health.html", {"h": report})


# ---------------------------------------------------------------- login


async def login(request: Request) -> Response:
    """The login form; failures are limited per client address."""
    gate = request.app.state.gate
    if gate.open:
        return redirect("/")
    if request.method == "GET":
        return render(request, "login.html", {"error": None})
    form = await checked_form(request)
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        error = f"Too many failed logins: try again in {wait // 60 + 1} minutes."
        response = render(request, "login.html", {"error": error}, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    password = form.get("password")
    ok = isinstance(password, str) and await in_thread(gate.check_login, password)
    if not ok:
        limiter.failed(client)
        _LOGGER.warning("failed web login from %s", client)
        return render(request, "login.html", {"error": "Wrong password."}, status=401)
    limiter.succeeded(client)
    request.session.clear()  # a fresh session (and CSRF token) after login
    request.session["auth"] = gate.fingerprint
    return redirect("/")


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return redirect("/login" if not request.app.state.gate.open else "/")
