"""`watcher demo`: the main job on bundled demo parcels, at a fixed moment, in a throw-away database."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from watcher.cli.common import opened_app
from watcher.cli.render import alert_json, alert_text, shipment_text
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.domain.errors import ConfigError
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.service.logs import setup_logging
from watcher.service.timelines import load_timeline
from watcher.store import alert_states, shipments

#: The demo's events are fixed, so its "now" is too: same result on any day.
DEMO_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def demo_config() -> Path:
    """The demo config: from the source tree, or from the installed package data."""
    candidates = (
        Path(__file__).resolve().parents[2] / "config" / "demo" / "watcher.toml",
        Path(__file__).resolve().parents[1] / "_demo" / "watcher.toml",
    )
    for path in candidates:
        if path.is_file():
            return path
    raise ConfigError("demo config not found (looked in config/demo and the installed package)")


def run_demo(*, as_json: bool = False) -> int:
    setup_logging("error")
    with tempfile.TemporaryDirectory(prefix="watcher-demo-") as tmp:
        settings = load_settings(demo_config())
        settings.database_url = SecretStr(f"sqlite:///{Path(tmp) / 'demo.db'}")
        notifier = RecordingNotifier(["demo"])
        with opened_app(settings, clock=FrozenClock(DEMO_NOW), notifier=notifier) as app:
            app.sync_config()
            record_demo_case(app)
            asyncio.run(_cycle(app))
            print_results(app, notifier, as_json=as_json)
            if not as_json:
                print_case(app, settings.timezone)
    return 0


#: The demo buyer's case: a late parcel, the seller asked, then a dispute opened.
DEMO_CASE = (
    "LP00455566677788",
    (
        ("seller-contacted", datetime(2026, 11, 8, 9, 0, tzinfo=UTC), "asked for news"),
        ("dispute-opened", datetime(2026, 11, 15, 18, 0, tzinfo=UTC), "not received"),
    ),
)


def record_demo_case(app: App) -> None:
    """Record the demo case's steps (each re-evaluates the parcel, as on the command line)."""
    from watcher.service import cases

    number, steps = DEMO_CASE
    for step, at, note in steps:
        cases.record_step(app, number, step, at=at, note=note)


def print_case(app: App, timezone: str) -> None:
    """`watcher case` for the demo's case."""
    from zoneinfo import ZoneInfo

    from watcher.cli.case import case_text
    from watcher.service import cases

    number = DEMO_CASE[0]
    print(f"\n$ watcher case {number}")
    print(case_text(cases.case_json(app, number), ZoneInfo(timezone)))


async def _cycle(app: App) -> None:
    try:
        await app.cycle(force=True, everything=True)
    finally:
        await app.aclose_providers()


def print_results(app: App, notifier: RecordingNotifier, *, as_json: bool) -> None:
    """The parcels, their alerts and the notifications, as of the demo's fixed moment."""
    import json
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(app.settings.timezone)

    with app.sessions() as session:
        alerts = alert_states.open_alerts(session)
        if as_json:
            print(json.dumps([alert_json(a) for a in alerts], indent=2))
            return
        print(
            f"watcher demo: {len(shipments.list_shipments(session))} parcels evaluated as of {DEMO_NOW:%Y-%m-%d %H:%M} UTC\n"
        )
        for row in shipments.list_shipments(session):
            timeline, _events = load_timeline(session, row)
            legs = shipments.leg_numbers(session, row.id)
            print(shipment_text(row, timeline, legs, [], now=DEMO_NOW, tz=tz))
            print()
    print(f"Alerts ({len(alerts)}):")
    for alert in alerts:
        print(alert_text(alert, indent="  ", now=DEMO_NOW, tz=tz))
    print(f"\nNotifications that would be sent ({len(notifier.sent)}):")
    for _target, title, _body in notifier.sent:
        print(f"  - {title}")
