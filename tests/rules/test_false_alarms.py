"""Issue 16's false alarms, rule by rule: hand-over legs, express services, "likely lost"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from watcher.domain.models import Leg, ShipmentView, Status, StoredEvent
from watcher.rules import RuleContext, evaluate, resolve_profile
from watcher.rules.delivery import fastest_days, is_express
from watcher.rules.stall import is_likely_lost, silent_legs, waiting_for_leg
from watcher.timeline.build import build_timeline

T0 = datetime(2026, 10, 3, 4, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SHIPMENT = ShipmentView("LP00000000000001", ordered_at=T0.date())


def _stored(days: float, status: Status, text: str, number: str, sub: str | None = None):
    country = "NL" if days > 5 else "CN"
    return StoredEvent(
        time=T0 + timedelta(days=days),
        status=status,
        description=text,
        provider="replay",
        tracking_number=number,
        location=f"Somewhere, {country}",
        country=country,
        substatus=sub,
    )


MAIN = [
    _stored(0, Status.IN_TRANSIT, "Accepted", SHIPMENT.tracking_number),
    _stored(
        9, Status.IN_TRANSIT, "Arrived", SHIPMENT.tracking_number, "in_transit.arrived_destination"
    ),
    _stored(10, Status.IN_TRANSIT, "Handed over, number RR123456785NL", SHIPMENT.tracking_number),
]


def _ctx(
    shipment: ShipmentView, events: list[StoredEvent], now: datetime, **profile
) -> RuleContext:
    timeline = build_timeline(events, destination_country="NL")
    base = resolve_profile({"aliexpress": profile} if profile else {}, "aliexpress", shipment)
    return RuleContext(shipment, timeline, now, base, BERLIN)


def _kinds(ctx: RuleContext) -> list[tuple[str, str]]:
    return [(a.kind, a.action.value) for a in evaluate(ctx).alerts]


def test_no_stall_while_the_new_leg_has_not_reported() -> None:
    found = T0 + timedelta(days=18)  # the hand-over was seen late: already 8 days of silence
    shipment = replace(SHIPMENT, legs=(Leg("RR123456785NL", found),))
    ctx = _ctx(shipment, MAIN, found)
    assert waiting_for_leg(ctx) == shipment.legs[0]
    assert _kinds(ctx) == []
    # The first look after the grace period is exactly when the stall may open.
    assert evaluate(ctx).next_look_at == found + timedelta(days=3)
    later = _ctx(shipment, MAIN, found + timedelta(days=3))
    assert _kinds(later) == [("stalled", "contact_courier")]
    assert "RR123456785NL has shown nothing since" in evaluate(later).alerts[0].message


def test_a_reporting_leg_counts_in_the_timeline() -> None:
    shipment = replace(SHIPMENT, legs=(Leg("RR123456785NL", T0 + timedelta(days=10)),))
    leg_event = _stored(16, Status.IN_TRANSIT, "Sorted", "RR123456785NL")
    ctx = _ctx(shipment, [*MAIN, leg_event], T0 + timedelta(days=18))
    assert silent_legs(ctx) == [] and waiting_for_leg(ctx) is None
    assert _kinds(ctx) == []  # 2 days since the leg's last scan


def test_grace_zero_restores_the_old_behaviour() -> None:
    found = T0 + timedelta(days=18)
    shipment = replace(SHIPMENT, legs=(Leg("RR123456785NL", found),))
    assert _kinds(_ctx(shipment, MAIN, found, handover_grace_days=0)) == [
        ("stalled", "contact_courier")
    ]


@pytest.mark.parametrize(
    ("silence", "count", "lost"),
    [
        (timedelta(days=8), 2, False),  # two moderate silences
        (timedelta(days=13, hours=23), 2, False),
        (timedelta(days=14), 2, True),  # a repeated stall at twice the 7-day threshold
        (timedelta(days=14), 1, False),  # a first stall needs likely_lost_days
        (timedelta(days=60), 1, True),
    ],
)
def test_likely_lost_threshold(silence: timedelta, count: int, lost: bool) -> None:
    ctx = _ctx(SHIPMENT, MAIN, T0)
    assert is_likely_lost(silence, timedelta(days=7), count, ctx) is lost


@pytest.mark.parametrize(
    ("number", "express"),
    [
        ("EA123456785CN", True),  # S10 service indicator E: EMS
        ("1Z999AA10123456784", True),
        ("1234567890", True),
        ("SF1234567890123", True),
        ("LP00000000000001", False),
        ("RR123456785CN", False),  # registered letter post
        ("UA123456785CN", False),
    ],
)
def test_express_by_number(number: str, express: bool) -> None:
    assert is_express(_ctx(ShipmentView(number), [], T0)) is express


def test_express_by_profile_or_leg() -> None:
    assert is_express(_ctx(SHIPMENT, [], T0, express=True))
    with_leg = replace(SHIPMENT, legs=(Leg("1Z999AA10123456784", T0),))
    assert is_express(_ctx(with_leg, [], T0))


def test_fast_routes_replace_the_country_table() -> None:
    ctx = _ctx(SHIPMENT, [], T0)
    assert fastest_days(ctx, "CN", "KR") == 1
    assert fastest_days(ctx, "CN", "HK") == 0
    assert fastest_days(ctx, "CN", "DE") == 3
    assert fastest_days(ctx, "CN", "US") == 4
    custom = _ctx(SHIPMENT, [], T0, fast_routes={"*-ES": 2})
    assert fastest_days(custom, "TR", "ES") == 2


def test_bad_express_pattern_is_a_config_error() -> None:
    from watcher.domain.errors import ConfigError
    from watcher.rules.profiles import validate_profiles

    with pytest.raises(ConfigError, match=r"profiles.aliexpress: express_number_patterns: bad"):
        validate_profiles({"aliexpress": {"express_number_patterns": ["(["]}}, [], "watcher.toml")
