"""Alert commands: `check` (one full cycle), `alerts` and `advise`."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from watcher.cli.common import EXIT_OK, clock_for, load, opened_app, print_json

if TYPE_CHECKING:
    from watcher.service.app import App


def cmd_check(*, config: str | None, now: str | None, as_json: bool, poll: bool, send: bool) -> int:
    """`watcher check`: sync the config, poll, evaluate every parcel, print the open alerts."""
    import asyncio

    from watcher.cli.render import alert_json, alert_text
    from watcher.store import alert_states

    settings = load(config)
    with opened_app(settings, clock=clock_for(now, settings)) as app:
        app.sync_config()
        report = asyncio.run(check_cycle(app, poll=poll, send=send))
        with app.sessions() as session:
            alerts = alert_states.open_alerts(session)
            data = [alert_json(row) for row in alerts]
            text = [alert_text(row) for row in alerts]
    if as_json:
        print_json(data)
    else:
        for line in report.poll.errors:
            print(f"provider error: {line}", file=sys.stderr)
        print("\n".join(text) if text else "No open alerts.")
    return EXIT_OK


async def check_cycle(app: App, *, poll: bool, send: bool) -> Any:
    """One forced cycle over every parcel, then the provider clients closed."""
    try:
        return await app.cycle(force=True, everything=True, send=send, poll=poll)
    finally:
        await app.aclose_providers()


def cmd_alerts(*, config: str | None, days: int, as_json: bool) -> int:
    """`watcher alerts`: open alerts and those resolved in the last `days` days."""
    from watcher.cli.render import alert_json, alert_text
    from watcher.store import alert_states

    with opened_app(load(config)) as app, app.sessions() as session:
        rows = alert_states.recent_alerts(session, app.clock.now() - timedelta(days=days))
    if as_json:
        print_json([alert_json(row) for row in rows])
    else:
        print("\n".join(alert_text(row) for row in rows) if rows else "No alerts.")
    return EXIT_OK


def cmd_advise(*, config: str | None, tracking_number: str, now: str | None) -> int:
    """`watcher advise`: what to do about one parcel, by when, with which evidence."""
    from zoneinfo import ZoneInfo

    from watcher.cli.shipments import shipment_and_timeline
    from watcher.rules import evaluate
    from watcher.rules.advice import render_advice
    from watcher.service.evaluator import rule_context
    from watcher.store import shipments

    settings = load(config)
    clock = clock_for(now, settings)
    with opened_app(settings, clock=clock) as app:
        row, timeline, _events, _legs, _stored = shipment_and_timeline(app, tracking_number)
        with app.sessions() as session:
            legs = shipments.legs_by_shipment(session, [row.id]).get(row.id, [])
    # Advice is about "now" (or --now): evaluate afresh rather than trusting the last cycle's alerts.
    tz = ZoneInfo(settings.timezone)
    ctx = rule_context(row, timeline, clock.now(), profiles=settings.profiles, tz=tz, legs=legs)
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
