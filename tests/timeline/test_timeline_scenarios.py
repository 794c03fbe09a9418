"""Table-driven tests: realistic multi-provider timelines from tests/timeline/data."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from tests.kits.timeline import load, minute, scenario_files, stored_events, summary
from watcher.domain.models import Milestones
from watcher.domain.numbers import follow_on_numbers_from_text
from watcher.timeline.build import build_timeline


@pytest.fixture(params=scenario_files())
def scenario(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)


def test_scenario_files_exist() -> None:
    assert len(scenario_files()) >= 5


def test_merged_events(scenario: dict[str, Any]) -> None:
    timeline = build_timeline(
        stored_events(scenario), destination_country=scenario["destination_country"]
    )
    assert [summary(e) for e in timeline.events] == scenario["expect"]["events"]


def test_current_status(scenario: dict[str, Any]) -> None:
    timeline = build_timeline(
        stored_events(scenario), destination_country=scenario["destination_country"]
    )
    expect = scenario["expect"]
    assert (str(timeline.status), timeline.substatus) == (expect["status"], expect["substatus"])
    assert timeline.moved_after_delivery is expect["moved_after_delivery"]


def test_milestones(scenario: dict[str, Any]) -> None:
    timeline = build_timeline(
        stored_events(scenario), destination_country=scenario["destination_country"]
    )
    got = {f.name: minute(getattr(timeline.milestones, f.name)) for f in fields(Milestones)}
    assert got == scenario["expect"]["milestones"]


def test_every_input_event_is_kept_as_a_source(scenario: dict[str, Any]) -> None:
    events = list(stored_events(scenario))
    timeline = build_timeline(events, destination_country=scenario["destination_country"])
    kept = {
        (s.provider, s.tracking_number, s.description, s.time)
        for e in timeline.events
        for s in e.sources
    }
    assert kept == {(e.provider, e.tracking_number, e.description, e.time) for e in events}


def test_follow_on_numbers(scenario: dict[str, Any]) -> None:
    found = [n for e in stored_events(scenario) for n in follow_on_numbers_from_text(e.description)]
    assert found == scenario["expect"]["follow_on_numbers"]
