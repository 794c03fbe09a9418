"""Table-driven scenario tests: each tests/scenarios/<name>/ gives config, replay events, a now and the alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.kits.scenarios import Scenario, load, scenario_names
from watcher.rules.base import dispute_by
from watcher.timeline.build import build_timeline

NAMES = scenario_names()
ALL_KINDS = {
    "not_shipped",
    "stalled",
    "customs_hold",
    "delivery_failed",
    "returning",
    "exception",
    "delivered_unconfirmed",
    "delivered_suspicious",
    "not_received",
    "deadline_near",
    "deadline_passed",
    "dispute",
}
ALL_ACTIONS = {
    "wait",
    "contact_seller",
    "open_dispute",
    "escalate_dispute",
    "contact_courier",
    "file_courier_claim",
    "collect_parcel",
    "confirm_receipt",
    "contact_support",
    "request_chargeback",
}


def _alerts_at(scenario: Scenario, index: int) -> set[tuple[str, str, str, str | None]]:
    check = scenario.checks[index]
    found = set()
    for shipment in scenario.shipments:
        for alert in scenario.evaluate(shipment, check.now).alerts:
            act_by = alert.act_by.isoformat() if alert.act_by else None
            found.add((alert.tracking_number, alert.kind, alert.action.value, act_by))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_scenario_top_level(name: str) -> None:
    """At the scenario's `now` exactly the expected alerts are open (what `check --json` must print)."""
    scenario = load(name)
    assert _alerts_at(scenario, 0) == set(scenario.checks[0].alerts)


@pytest.mark.parametrize("name", [n for n in NAMES if len(load(n).checks) > 1])
def test_scenario_other_moments(name: str) -> None:
    """Threshold edges and escalation steps listed under 'also' (events after that moment unseen)."""
    scenario = load(name)
    for index in range(1, len(scenario.checks)):
        assert _alerts_at(scenario, index) == set(scenario.checks[index].alerts), scenario.checks[
            index
        ].now


@pytest.mark.parametrize("name", NAMES)
def test_top_level_now_sees_every_event(name: str) -> None:
    """The CLI replays all events, so the top-level now must not precede any of them."""
    scenario = load(name)
    for events in scenario.events.values():
        assert all(e.time <= scenario.checks[0].now for e in events)


@pytest.mark.parametrize("name", NAMES)
def test_nothing_changes_before_next_look(name: str) -> None:
    """Alerts stay the same until next_look_at: skipping evaluation until then misses nothing."""
    scenario = load(name)
    for check in scenario.checks:
        for shipment in scenario.shipments:
            now_eval = scenario.evaluate(shipment, check.now)
            if now_eval.next_look_at is None:
                continue
            assert now_eval.next_look_at > check.now
            before = scenario.evaluate(shipment, now_eval.next_look_at - timedelta(seconds=1))
            if any(e.time > check.now for e in scenario.events[shipment.tracking_number]):
                continue  # a new event arrives in between: the poller re-evaluates then anyway
            assert [a.state_key for a in before.alerts] == [a.state_key for a in now_eval.alerts]
            assert [a.alert_key for a in before.alerts] == [a.alert_key for a in now_eval.alerts]


@pytest.mark.parametrize("name", NAMES)
def test_alerts_are_actionable(name: str) -> None:
    """Every alert names its date in the message and lists evidence including the tracking number."""
    scenario = load(name)
    for check in scenario.checks:
        for shipment in scenario.shipments:
            for alert in scenario.evaluate(shipment, check.now).alerts:
                assert alert.message and alert.evidence
                assert any(shipment.tracking_number in item for item in alert.evidence)
                if alert.act_by:
                    assert alert.act_by.isoformat() in alert.message, alert.message


def test_scenarios_cover_every_kind_and_action() -> None:
    """Between them the scenarios produce every alert kind and every action a rule can recommend."""
    kinds, actions = set(), set()
    for name in NAMES:
        for check in load(name).checks:
            kinds |= {kind for _, kind, _, _ in check.alerts}
            actions |= {action for _, _, action, _ in check.alerts}
    assert kinds == ALL_KINDS
    # `wait` only once the dispute is escalated: the platform decides, the buyer has nothing to do.
    assert actions == ALL_ACTIONS


def test_at_least_ten_healthy_parcels() -> None:
    """Parcels moving within thresholds raise nothing."""
    healthy = [n for n in NAMES if not load(n).checks[0].alerts]
    assert len(healthy) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_act_by_is_never_in_the_past(name: str) -> None:
    """A closed window says so and gives what remains; it never shows a date already gone."""
    scenario = load(name)
    for check in scenario.checks:
        for shipment in scenario.shipments:
            today = check.now.astimezone(scenario.tz).date()
            for alert in scenario.evaluate(shipment, check.now).alerts:
                assert alert.act_by is None or alert.act_by >= today, (check.now, alert.message)


@pytest.mark.parametrize("name", NAMES)
def test_a_nearer_deadline_is_never_hidden(name: str) -> None:
    """With no dispute running, some alert's act_by is on or before the dispute date."""
    scenario = load(name)
    for check in scenario.checks:
        for shipment in scenario.shipments:
            timeline = build_timeline(
                [e for e in scenario.events[shipment.tracking_number] if e.time <= check.now],
                destination_country=shipment.destination.country,
            )
            ctx = scenario.context(shipment, check.now, timeline)
            alerts = scenario.evaluate(shipment, check.now).alerts
            dispute = dispute_by(ctx)
            dated = [a.act_by for a in alerts if a.act_by is not None]
            if ctx.case.dispute_open or dispute is None or not dated:
                continue
            if (ctx.deadline - ctx.today).days <= ctx.profile.deadline_near_days:
                assert min(dated) <= dispute, (check.now, [a.message for a in alerts])
