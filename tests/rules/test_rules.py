"""Rule behaviour not covered by the scenario tables: quiet shipments, anomalies, evaluate(), advice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from watcher.domain.models import (
    Action,
    Alert,
    Destination,
    Milestones,
    Severity,
    ShipmentView,
    Status,
    Timeline,
    TimelineEvent,
)
from watcher.rules import Evaluation, RuleContext, default_rules, evaluate, resolve_profile
from watcher.rules.advice import evidence_checklist, render_advice

T0 = datetime(2026, 10, 3, 4, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SHIPMENT = ShipmentView(
    "LP00000000000001",
    label="USB hub",
    order_id="8190000000000000",
    ordered_at=date(2026, 10, 1),
    destination=Destination(country="DE", city="Berlin"),
)


def _event(
    days: float,
    status: Status,
    description: str,
    location: str | None = None,
    substatus: str | None = None,
    flags: frozenset[str] = frozenset(),
) -> TimelineEvent:
    country = location.rsplit(", ", 1)[-1] if location else None
    return TimelineEvent(
        T0 + timedelta(days=days), status, description, location, country, substatus, flags=flags
    )


def _timeline(*events: TimelineEvent, **extra: object) -> Timeline:
    return Timeline(
        events=events,
        status=events[-1].status if events else Status.PENDING,
        substatus=events[-1].substatus if events else None,
        **extra,
    )


def _ctx(timeline: Timeline, now: datetime, shipment: ShipmentView = SHIPMENT) -> RuleContext:
    return RuleContext(
        shipment, timeline, now, resolve_profile({}, shipment.marketplace, shipment), BERLIN
    )


STALLED = _timeline(_event(0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN"))
DELIVERED = _timeline(
    _event(0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN"),
    _event(15, Status.IN_TRANSIT, "Arrived", "Frankfurt, DE", "in_transit.arrived_destination"),
    _event(18, Status.DELIVERED, "Delivered", "Berlin, DE"),
)


def _kinds(evaluation: Evaluation) -> list[str]:
    return [a.kind for a in evaluation.alerts]


def test_received_parcel_raises_nothing() -> None:
    """`watcher received` silences every rule, even past the deadline."""
    shipment = replace(SHIPMENT, received_at=T0 + timedelta(days=20))
    assert evaluate(_ctx(STALLED, T0 + timedelta(days=90), shipment)) == Evaluation((), None)


def test_archived_parcel_raises_nothing() -> None:
    shipment = replace(SHIPMENT, archived=True)
    assert evaluate(_ctx(STALLED, T0 + timedelta(days=90), shipment)).alerts == ()


def test_scans_after_delivery_are_suspicious() -> None:
    """The timeline's moved_after_delivery flag (or an event flagged after_delivery) is a sign."""
    moved = replace(DELIVERED, moved_after_delivery=True)
    alerts = evaluate(_ctx(moved, T0 + timedelta(days=19))).alerts
    assert [(a.kind, a.action) for a in alerts] == [
        ("delivered_suspicious", Action.CONTACT_COURIER)
    ]
    assert "scanned again after the delivery" in alerts[0].message
    flagged = _timeline(
        *DELIVERED.events,
        _event(19, Status.IN_TRANSIT, "Sorting", "Berlin, DE", flags=frozenset({"after_delivery"})),
    )
    assert "delivered_suspicious" in _kinds(evaluate(_ctx(flagged, T0 + timedelta(days=20))))


def test_last_mile_check_can_be_switched_off() -> None:
    direct = _timeline(
        _event(0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN"),
        _event(18, Status.DELIVERED, "Delivered"),
    )
    now = T0 + timedelta(days=19)
    assert _kinds(evaluate(_ctx(direct, now))) == ["delivered_suspicious"]
    relaxed = RuleContext(
        SHIPMENT,
        direct,
        now,
        resolve_profile({"aliexpress": {"require_last_mile": False}}, "aliexpress"),
        BERLIN,
    )
    assert _kinds(evaluate(relaxed)) == []


def test_not_received_replaces_delivered_alerts() -> None:
    shipment = replace(SHIPMENT, not_received_at=T0 + timedelta(days=25))
    assert _kinds(evaluate(_ctx(DELIVERED, T0 + timedelta(days=26), shipment))) == ["not_received"]


def test_milestones_mark_arrival_without_substatus() -> None:
    """A timeline that only gives Milestones.arrived_destination still switches to last-mile thresholds."""
    events = (
        _event(0, Status.IN_TRANSIT, "Accepted", "Shenzhen, CN"),
        _event(15, Status.IN_TRANSIT, "Hub"),
    )
    timeline = _timeline(*events, milestones=Milestones(arrived_destination=events[1].time))
    alerts = evaluate(_ctx(timeline, events[1].time + timedelta(days=7))).alerts
    assert [(a.kind, a.action) for a in alerts] == [("stalled", Action.CONTACT_COURIER)]


def test_no_deadline_means_no_dates() -> None:
    """Without order date, protection date or created_at, alerts still come, without an act_by."""
    shipment = ShipmentView("LP00000000000001")
    alerts = evaluate(_ctx(STALLED, T0 + timedelta(days=11), shipment)).alerts
    assert [(a.kind, a.action, a.act_by) for a in alerts] == [
        ("stalled", Action.CONTACT_SELLER, None)
    ]


class _Fixed:
    """A test rule returning fixed alerts and a fixed next change."""

    def __init__(self, name: str, alerts: list[Alert], moment: datetime | None) -> None:
        self.name, self._alerts, self._moment = name, alerts, moment

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        return self._alerts

    def next_change(self, ctx: RuleContext) -> datetime | None:
        return self._moment


def test_evaluate_keeps_one_alert_per_key_and_the_earliest_future_look() -> None:
    now = T0
    first = Alert(
        SHIPMENT.tracking_number,
        "stalled",
        Action.CONTACT_SELLER,
        Severity.WARNING,
        "a",
        key="stalled",
    )
    second = replace(first, message="b")
    rules = [
        _Fixed("a", [first], now + timedelta(days=3)),
        _Fixed("b", [second], now - timedelta(days=1)),
        _Fixed("c", [], now + timedelta(days=2)),
        _Fixed("d", [], None),
    ]
    result = evaluate(_ctx(STALLED, now), rules)
    assert result == Evaluation((first,), now + timedelta(days=2))


def test_default_rules_have_unique_names() -> None:
    names = [rule.name for rule in default_rules()]
    assert len(names) == len(set(names))


def test_next_look_is_the_stall_moment_for_a_healthy_parcel() -> None:
    assert evaluate(_ctx(STALLED, T0 + timedelta(days=1))).next_look_at == T0 + timedelta(days=10)


def test_evidence_checklist_names_the_shipment() -> None:
    items = evidence_checklist("not_received", SHIPMENT)
    assert items[0] == "order number: 8190000000000000"
    assert "timeline export (`watcher show LP00000000000001 --json`)" in items
    assert any("police report" in item for item in items)


def test_advice_shows_summary_next_step_and_what_watcher_holds() -> None:
    now = T0 + timedelta(days=11)
    ctx = _ctx(STALLED, now)
    alerts = evaluate(ctx).alerts
    text = render_advice(
        SHIPMENT,
        STALLED,
        alerts,
        now=now,
        profile=ctx.profile,
        tz=BERLIN,
        held={"timeline": True, "order_id": True},
    )
    assert "USB hub (LP00000000000001)" in text
    assert "Protection ends Mon 2026-11-30" in text
    assert "Last event: 2026-10-03 06:00 Shenzhen, CN: Accepted (11 days ago)" in text
    assert "[warning] stalled: contact the seller by 2026-11-23" in text
    assert "Next step: Contact the seller by Mon 2026-11-23." in text
    assert "[x] order number: 8190000000000000" in text
    assert "[x] timeline export" in text
    assert "[ ] your messages with the seller (screenshots)" in text


def test_advice_for_a_quiet_parcel() -> None:
    ctx = _ctx(Timeline(), T0)
    text = render_advice(SHIPMENT, Timeline(), (), now=T0, profile=ctx.profile, tz=BERLIN, held={})
    assert "no tracking events yet" in text
    assert "Open alerts: none" in text
    assert "[ ] timeline export" in text
