"""Load a tests/scenarios/<name>/ directory into rule inputs, without the store or the CLI."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from watcher.domain.models import (
    Destination,
    Leg,
    ProviderEvent,
    ShipmentView,
    Status,
    StoredEvent,
    Timeline,
)
from watcher.rules import CaseState, CaseStep, Evaluation, RuleContext, evaluate, resolve_profile
from watcher.timeline.build import build_timeline
from watcher.timeline.classify import classify_text
from watcher.timeline.zones import resolve_time

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@dataclass(frozen=True, slots=True)
class Check:
    """One moment of a scenario and the alerts expected then, as (tracking, kind, action, act_by)."""

    now: datetime
    alerts: frozenset[tuple[str, str, str, str | None]]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed scenario directory."""

    name: str
    config: dict[str, Any]
    shipments: tuple[ShipmentView, ...]
    events: dict[str, tuple[StoredEvent, ...]]
    checks: tuple[Check, ...]  # the first is the top-level "now" the CLI test also uses
    #: Case steps per tracking number (marks with command "case"), shared by an order's parcels.
    cases: dict[str, tuple[CaseStep, ...]] = dataclasses.field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.get("timezone", "UTC"))

    def evaluate(self, shipment: ShipmentView, now: datetime) -> Evaluation:
        """Evaluate one shipment with only the events known at `now`."""
        known = [e for e in self.events.get(shipment.tracking_number, ()) if e.time <= now]
        # Legs found later are unknown now, and so are their events (the poller asks only then).
        legs = tuple(leg for leg in shipment.legs if leg.added_at <= now)
        shipment = replace(shipment, legs=legs)
        return evaluate(
            self.context(
                shipment,
                now,
                build_timeline(known, destination_country=shipment.destination.country),
            )
        )

    def context(self, shipment: ShipmentView, now: datetime, timeline: Timeline) -> RuleContext:
        """The rule context for one shipment at `now`."""
        profile = resolve_profile(self.config.get("profiles", {}), shipment.marketplace, shipment)
        steps = [s for s in self.cases.get(shipment.tracking_number, ()) if s.at <= now]
        return RuleContext(
            shipment=shipment,
            timeline=timeline,
            now=now,
            profile=profile,
            tz=self.tz,
            case=CaseState.of(steps),
        )


def scenario_names() -> list[str]:
    """Every scenario directory name."""
    return sorted(p.name for p in SCENARIOS.iterdir() if (p / "expected.json").is_file())


def load(name: str) -> Scenario:
    """Parse watcher.toml, replay/*.json and expected.json of one scenario."""
    root = SCENARIOS / name
    config = tomllib.loads((root / "watcher.toml").read_text())
    expected = json.loads((root / "expected.json").read_text())
    marks = {
        (m["tracking_number"], m["command"]): _aware(m["at"])
        for m in expected.get("marks", ())
        if m["command"] != "case"
    }
    legs = _legs(expected)
    shipments = tuple(_shipment(raw, marks, legs) for raw in config.get("shipments", ()))
    cases = _cases(shipments, [m for m in expected.get("marks", ()) if m["command"] == "case"])
    replay = root / config["providers"]["replay"]["path"]
    events = {
        s.tracking_number: tuple(
            sorted(
                (
                    event
                    for number in (s.tracking_number, *(leg.tracking_number for leg in s.legs))
                    for event in _events(replay / f"{number}.json", number)
                ),
                key=lambda event: event.time,
            )
        )
        for s in shipments
    }
    checks = [_check(expected), *(_check(item) for item in expected.get("also", ()))]
    return Scenario(name, config, shipments, events, tuple(checks), cases)


def _cases(
    shipments: tuple[ShipmentView, ...], marks: list[dict[str, Any]]
) -> dict[str, tuple[CaseStep, ...]]:
    """Each parcel's case steps: a step on one parcel of an order counts for all of them."""

    def order(s: ShipmentView) -> tuple[str, str]:
        return (s.marketplace, s.order_id) if s.order_id else ("parcel", s.tracking_number)

    by_number = {s.tracking_number: s for s in shipments}
    steps: dict[tuple[str, str], list[CaseStep]] = {}
    for mark in marks:
        step = CaseStep(
            step=mark["step"],
            at=_aware(mark["at"]),
            until=_date(mark.get("until")),
            by=mark.get("by"),
            detail=mark.get("amount"),
        )
        steps.setdefault(order(by_number[mark["tracking_number"]]), []).append(step)
    return {s.tracking_number: tuple(steps.get(order(s), ())) for s in shipments}


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"{text}: scenario times need an offset"
    return value


def _check(raw: dict[str, Any]) -> Check:
    alerts = frozenset(
        (a["tracking_number"], a["kind"], a["action"], a["act_by"]) for a in raw["alerts"]
    )
    return Check(now=_aware(raw["now"]), alerts=alerts)


def _legs(expected: dict[str, Any]) -> dict[str, tuple[Leg, ...]]:
    """expected.json "legs": {tracking number: [{"number", "added_at"}]}: follow-on numbers and
    when the poller found them (the CLI test's `check` finds them at its `now`)."""
    return {
        number: tuple(Leg(item["number"], _aware(item["added_at"])) for item in items)
        for number, items in expected.get("legs", {}).items()
    }


def _shipment(
    raw: dict[str, Any],
    marks: dict[tuple[str, str], datetime],
    legs: dict[str, tuple[Leg, ...]],
) -> ShipmentView:
    number = raw["tracking_number"]
    dest = raw.get("destination", {})
    return ShipmentView(
        tracking_number=number,
        label=raw.get("label"),
        marketplace=raw.get("marketplace", "aliexpress"),
        order_id=raw.get("order_id"),
        ordered_at=_date(raw.get("ordered_at")),
        protection_ends=_date(raw.get("protection_ends")),
        max_delivery_days=raw.get("max_delivery_days"),
        destination=Destination(
            country=dest.get("country"), city=dest.get("city"), postcode=dest.get("postcode")
        ),
        received_at=marks.get((number, "received")),
        not_received_at=marks.get((number, "not-received")),
        insured=raw.get("insured", False),
        legs=legs.get(number, ()),
    )


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value is not None else None


def _events(path: Path, number: str) -> tuple[StoredEvent, ...]:
    """Replay events as the store would hold them (a missing file means no events yet)."""
    if not path.is_file():
        return ()
    return tuple(_stored(item, number) for item in json.loads(path.read_text())["events"])


def _stored(item: dict[str, Any], number: str) -> StoredEvent:
    location = item.get("location")
    tail = location.rsplit(",", 1)[-1].strip() if location else ""
    event = ProviderEvent(
        time=datetime.fromisoformat(item["time"]),
        description=item["description"],
        location=location,
        country=item.get("country")
        or (tail.upper() if len(tail) == 2 and tail.isalpha() else None),
        status=Status(item["status"]) if item.get("status") else None,
        substatus=item.get("substatus"),
    )
    time, assumed = resolve_time(event)
    guess = classify_text(event.description)
    return StoredEvent(
        time=time,
        status=event.status or guess.status,
        description=event.description,
        provider="replay",
        tracking_number=number,
        location=location,
        country=event.country,
        substatus=event.substatus or (guess.substatus if event.status is None else None),
        tz_assumption=assumed,
        unclassified=event.status is None and not guess.matched,
    )
