"""Stall advice names the hand-over: which carrier to ask about which number (issue 15)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from watcher.domain.models import (
    Action,
    Destination,
    Leg,
    Milestones,
    ShipmentView,
    Status,
    Timeline,
    TimelineEvent,
)
from watcher.rules import RuleContext, evaluate, resolve_profile

T0 = datetime(2026, 10, 3, 4, tzinfo=UTC)
SHIPMENT = ShipmentView(
    "LP00000000000001",
    ordered_at=date(2026, 10, 1),
    destination=Destination(country="DE", city="Berlin"),
)


def _stalled(shipment: ShipmentView, *, arrived: bool) -> list:
    first = TimelineEvent(T0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN", "CN")
    hub = TimelineEvent(T0 + timedelta(days=15), Status.IN_TRANSIT, "Hub", "Leipzig, DE", "DE")
    events = (first, hub) if arrived else (first,)
    milestones = Milestones(arrived_destination=hub.time) if arrived else Milestones()
    timeline = Timeline(events=events, status=Status.IN_TRANSIT, milestones=milestones)
    now = events[-1].time + timedelta(days=9 if arrived else 16)
    profile = resolve_profile({}, shipment.marketplace, shipment)
    ctx = RuleContext(shipment, timeline, now, profile, ZoneInfo("Europe/Berlin"))
    return [a for a in evaluate(ctx).alerts if a.kind == "stalled"]


def test_last_mile_stall_names_the_destination_post_and_number() -> None:
    (alert,) = _stalled(replace(SHIPMENT, legs=(Leg("RR123456785DE", T0),)), arrived=True)
    assert alert.action == Action.CONTACT_COURIER
    assert "Ask Deutsche Post about RR123456785DE where the parcel is" in alert.message


def test_origin_stall_mentions_the_handover_next_to_the_seller() -> None:
    (alert,) = _stalled(replace(SHIPMENT, legs=(Leg("RC000000003EE", T0),)), arrived=False)
    assert alert.action == Action.CONTACT_SELLER
    assert "you can also ask Omniva about RC000000003EE" in alert.message


def test_without_a_handover_the_advice_stays_generic() -> None:
    (alert,) = _stalled(SHIPMENT, arrived=True)
    assert "Ask the local post office or courier where the parcel is" in alert.message


def test_a_stall_after_the_seller_was_contacted_says_so() -> None:
    """The next rung is worded from where the buyer stands, not "too little time" (issue 16)."""
    from watcher.rules.case import CaseState, CaseStep

    contacted = CaseStep("seller-contacted", T0 + timedelta(days=20))
    first = TimelineEvent(T0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN", "CN")
    timeline = Timeline(
        events=(first,), status=Status.IN_TRANSIT, milestones=Milestones(accepted=T0)
    )
    ctx = RuleContext(
        shipment=SHIPMENT,
        timeline=timeline,
        now=T0 + timedelta(days=30),
        profile=resolve_profile({}, "aliexpress", SHIPMENT),
        tz=ZoneInfo("Europe/Berlin"),
        case=CaseState((contacted,)),
    )
    stalled = [a for a in evaluate(ctx).alerts if a.kind == "stalled"]
    assert stalled and stalled[0].action == Action.OPEN_DISPUTE
    assert "The seller was contacted on 2026-10-23" in stalled[0].message
    assert "Too little time" not in stalled[0].message
