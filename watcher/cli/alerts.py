"""Alert commands: `check` (one full cycle), `alerts` and `advise`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from watcher.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    clock_for,
    load,
    opened_app,
    print_json,
    quiet_alert_logs,
)
from watcher.cli.renderer import is_terminal

if TYPE_CHECKING:
    from watcher.service.app import App


def cmd_check(*, config: str | None, now: str | None, as_json: bool, poll: bool, send: bool) -> int:
    """`watcher check`: sync the config, poll, evaluate every parcel, print the open alerts once.

    The cycle is recorded like a daemon's (so `watcher status` sees it); exit 1 when every poll
    failed, since "no open alerts" would then mean "nothing could be checked".
    """
    import asyncio
    from zoneinfo import ZoneInfo

    from watcher.cli.operations import require_providers
    from watcher.cli.render import alert_json, alert_text
    from watcher.store import alert_states

    settings = load(config)
    if poll:
        require_providers(settings)
    quiet_alert_logs()
    with opened_app(settings, clock=clock_for(now, settings)) as app:
        app.sync_config()
        count = active_count(app)
        with busy(f"checking {count} parcel{'' if count == 1 else 's'}") as show:
            report = asyncio.run(check_cycle(app, poll=poll, send=send, progress=show))
        failed = poll and every_poll_failed(report.poll)
        app.heartbeat(
            cycle_done=not failed,
            stopped=True,
            error="every poll failed" if failed else None,
        )
        with app.sessions() as session:
            alerts = alert_states.open_alerts(session)
            data = [alert_json(row) for row in alerts]
            moment, tz = app.clock.now(), ZoneInfo(settings.timezone)
            text = [alert_text(row, now=moment, tz=tz) for row in alerts]
    if as_json:
        print_json(data)
    else:
        for line in report.poll.errors if poll else ():
            print(f"provider error: {line}", file=sys.stderr)
        print("\n".join(text) if text else "No open alerts.")
    if failed:
        print(
            f"watcher: error: every poll failed ({len(report.poll.errors)} errors):"
            " nothing was checked; see `watcher providers`",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def every_poll_failed(poll: Any) -> bool:
    """Parcels were polled, and not one request was answered."""
    return bool(poll.shipments and poll.errors and not poll.answered)


def active_count(app: App) -> int:
    """How many parcels a check polls."""
    from watcher.store import shipments

    with app.sessions() as session:
        return len(shipments.active_shipments(session))


@contextmanager
def busy(label: str) -> Iterator[Callable[[Any], None] | None]:
    """A "checking N parcels… 120/650 numbers asked" line on stderr (terminals only).

    Yields the progress callback for `App.cycle` (None when stderr is not a terminal).
    """
    live = is_terminal(sys.stderr)

    def show(report: Any) -> None:
        sys.stderr.write(f"\r\033[K{label}… {report.asked}/{report.planned} numbers asked")
        sys.stderr.flush()

    if live:
        sys.stderr.write(f"{label}…")
        sys.stderr.flush()
    try:
        yield show if live else None
    finally:
        if live:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


async def check_cycle(
    app: App, *, poll: bool, send: bool, progress: Callable[[Any], None] | None = None
) -> Any:
    """One forced cycle over every parcel, then the provider clients closed."""
    try:
        return await app.cycle(force=True, everything=True, send=send, poll=poll, progress=progress)
    finally:
        await app.aclose_providers()


def cmd_alerts(*, config: str | None, days: int, as_json: bool) -> int:
    """`watcher alerts`: open alerts and those resolved in the last `days` days."""
    from zoneinfo import ZoneInfo

    from watcher.cli.render import alert_json, alert_text
    from watcher.store import alert_states

    settings = load(config)
    with opened_app(settings) as app, app.sessions() as session:
        now = app.clock.now()
        rows = alert_states.recent_alerts(session, now - timedelta(days=days))
    if as_json:
        print_json([alert_json(row) for row in rows])
    else:
        tz = ZoneInfo(settings.timezone)
        print("\n".join(alert_text(row, now=now, tz=tz) for row in rows) if rows else "No alerts.")
    return EXIT_OK


def cmd_advise(*, config: str | None, tracking_number: str, now: str | None) -> int:
    """`watcher advise`: what to do about one parcel, by when, with which evidence."""

    from watcher.cli.common import normalize_number
    from watcher.rules import evaluate
    from watcher.rules.advice import render_advice
    from watcher.service.cases import case_context

    settings = load(config)
    clock = clock_for(now, settings)
    with opened_app(settings, clock=clock) as app:
        # Advice is about "now" (or --now), with the buyer's case: evaluate afresh.
        ctx, row, _parcels, _history = case_context(app, normalize_number(tracking_number))
    timeline = ctx.timeline
    alerts = evaluate(ctx).alerts
    held = {
        "timeline": bool(timeline.events),
        "order_id": bool(row.order_id),
        "tracking_number": True,
    }
    advice = render_advice(
        ctx.shipment, timeline, list(alerts), now=ctx.now, profile=ctx.profile, tz=ctx.tz, held=held
    )
    print(advice)
    return EXIT_OK
