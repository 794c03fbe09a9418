"""Hand-over legs join the shipment and are polled; delivery estimates are kept and moves recorded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.kits.common import T0, write_replay
from watcher.cli.main import main
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import delivery_estimates, shipments

NUMBER = "LP00123456789012"
LEG = "RR123456785DE"
CONFIG = f"""
[[shipments]]
tracking_number = "{NUMBER}"
label = "Lamp"
destination = {{ country = "DE" }}
"""


def test_handover_number_in_event_text_becomes_a_polled_leg(
    make_config, replay_dir: Path, capsys
) -> None:
    write_replay(
        replay_dir,
        NUMBER,
        [
            {
                "time": "2026-10-20T10:00:00+08:00",
                "description": "Departed from origin country",
                "location": "Shenzhen, CN",
            },
            {
                "time": "2026-10-28T09:00:00+01:00",
                "description": f"Handed over to Deutsche Post, new tracking number {LEG}",
                "location": "Leipzig, DE",
            },
        ],
    )
    write_replay(
        replay_dir,
        LEG,
        [
            {
                "time": "2026-10-30T08:30:00+01:00",
                "description": "Out for delivery",
                "location": "Berlin, DE",
            },
        ],
    )
    config = make_config(CONFIG)
    app = App(load_settings(config), clock=FrozenClock(T0), notifier=RecordingNotifier())
    app.sync_config()
    asyncio.run(app.cycle(force=True))  # learns the leg
    asyncio.run(app.cycle(force=True))  # polls it
    with app.sessions() as session:
        row = shipments.find_shipment(session, NUMBER)
        assert row is not None
        assert shipments.leg_numbers(session, row.id) == [LEG]
        assert shipments.find_shipment(session, LEG).id == row.id, (
            "the leg's number finds the shipment"
        )
    assert main(["show", "--config", str(config), LEG, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tracking_number"] == NUMBER and data["legs"] == [LEG]
    assert data["status"] == "out_for_delivery"
    assert {e["description"] for e in data["events"]} >= {
        "Out for delivery",
        "Departed from origin country",
    }


def test_estimate_moving_later_is_recorded_and_shown(make_config, replay_dir: Path, capsys) -> None:
    events = [
        {
            "time": "2026-10-20T10:00:00+08:00",
            "description": "Departed from origin country",
            "location": "Shenzhen, CN",
        }
    ]
    path = write_replay(replay_dir, NUMBER, events)
    config = make_config(CONFIG)
    clock = FrozenClock(T0)
    app = App(load_settings(config), clock=clock, notifier=RecordingNotifier())
    app.sync_config()
    path.write_text(
        json.dumps({"events": events, "estimated_delivery": "2026-11-04"}), encoding="utf-8"
    )
    asyncio.run(app.cycle(force=True))
    clock.advance(days=1)
    path.write_text(
        json.dumps({"events": events, "estimated_delivery": "2026-11-12"}), encoding="utf-8"
    )
    asyncio.run(app.cycle(force=True))
    asyncio.run(app.cycle(force=True))
    with app.sessions() as session:
        history = delivery_estimates.estimates(session, 1)
    assert [e.date.isoformat() for e in history] == ["2026-11-04", "2026-11-12"]
    assert main(["show", "--config", str(config), NUMBER, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["estimated_delivery"]["date"] == "2026-11-12"
    assert data["estimated_delivery"]["source"] == "replay"
    assert main(["show", "--config", str(config), NUMBER]) == 0
    shown = capsys.readouterr().out
    assert "estimated delivery: 2026-11-12 (" in shown and "(from replay)" in shown
