"""Estimates, follow-on numbers, rendering and the finer points of the merge rule."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from watcher.cli.timeline_text import render_milestones, render_raw
from watcher.domain.models import DeliveryEstimate, Milestones, Status, StoredEvent
from watcher.domain.numbers import follow_on_numbers_from_text
from watcher.timeline.build import build_timeline
from watcher.timeline.estimates import latest_estimate, track_estimate
from watcher.timeline.ranks import STATUS_RANK, progress_rank
from watcher.timeline.vocabulary import canonical

T0 = datetime(2026, 10, 13, 15, 45, tzinfo=UTC)


def ev(
    minutes: float = 0,
    status: Status = Status.IN_TRANSIT,
    text: str = "Arrived at hub",
    **kw: object,
) -> StoredEvent:
    base = {"provider": "17track", "tracking_number": "N1"}
    base.update(kw)  # type: ignore[arg-type]
    return StoredEvent(
        time=T0 + timedelta(minutes=minutes), status=status, description=text, **base
    )  # type: ignore[arg-type]


# --- estimates -------------------------------------------------------------------------------


def est(day: int, source: str = "17track", hour: int | None = 0) -> DeliveryEstimate:
    reported = None if hour is None else datetime(2026, 10, 1, hour, tzinfo=UTC)
    return DeliveryEstimate(date(2026, 11, day), source, reported)


def test_track_estimate_records_changes_and_says_when_it_moved_later() -> None:
    history, later = track_estimate([], est(4))
    assert history == [est(4)] and later is False
    history, later = track_estimate(history, est(4, hour=5))
    assert history == [est(4)] and later is False  # same date again: nothing new
    history, later = track_estimate(history, est(9, hour=6))
    assert history == [est(4), est(9, hour=6)] and later is True
    history, later = track_estimate(history, est(7, hour=7))
    assert len(history) == 3 and later is False  # earlier is good news, not "moved later"


def test_track_estimate_compares_a_source_only_with_itself() -> None:
    history, later = track_estimate([est(4, "seller")], est(20, "17track"))
    assert later is False and len(history) == 2


def test_latest_estimate_is_the_latest_reported() -> None:
    estimates = [est(9, hour=3), est(4, hour=8), est(12, hour=None)]
    assert latest_estimate(estimates) == est(4, hour=8)
    assert latest_estimate([]) is None
    timeline = build_timeline([ev()], estimates=list(reversed(estimates)))
    assert timeline.estimated_delivery == est(4, hour=8)
    assert build_timeline([ev()]).estimated_delivery is None


# --- follow-on numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Handed over to Deutsche Post, new tracking number RR123456785DE", ("RR123456785DE",)),
        ("Transferred to last mile, tracking no: 00340434161234567890", ("00340434161234567890",)),
        ("已交接至末端，转单号：rr123456785de", ("RR123456785DE",)),
        (
            "Neue Sendungsnummer: LP00123456789012 (RR123456785DE)",
            ("LP00123456789012", "RR123456785DE"),
        ),
        ("Handed over to Deutsche Post, new tracking number RR123456784DE", ()),  # bad check digit
        ("Arrived at sorting center RR123456785DE", ()),  # no hand-over cue
        ("Handed over to airline, flight CA1234", ()),
        ("Tracking number updated, call 0049301234567", ()),  # too short for a bare digit run
        ("", ()),
        (None, ()),
    ],
)
def test_follow_on_numbers(text: str | None, numbers: tuple[str, ...]) -> None:
    assert follow_on_numbers_from_text(text) == numbers


# --- rendering -------------------------------------------------------------------------------


def test_render_raw_groups_per_provider_and_leg_then_shows_the_merge() -> None:
    events = [
        ev(
            0,
            provider="cainiao",
            tracking_number="LP1",
            tz_assumption="Asia/Shanghai (provider convention)",
            raw_status="LH_ARRIVE",
            raw_description="到达",
        ),
        ev(0.5, provider="17track", tracking_number="LP1", location="Leipzig, DE"),
        ev(60 * 24, Status.DELIVERED, "Delivered", provider="dhl", tracking_number="RR123456785DE"),
    ]
    text = render_raw(events, build_timeline(events))
    lines = text.splitlines()
    headers = [line for line in lines if line.startswith("== ")]
    assert headers == [
        "== 17track LP1 (1 events)",
        "== cainiao LP1 (1 events)",
        "== dhl RR123456785DE (1 events)",
        "== merged (2 events, status delivered)",
    ]
    assert "2026-10-13T15:45Z" in text and "raw=LH_ARRIVE" in text and "original: 到达" in text
    assert "tz assumed Asia/Shanghai" in text
    merged = lines[lines.index("== merged (2 events, status delivered)") + 1]
    assert "<cainiao, 17track>" in merged and "@ Leipzig, DE" in merged


def test_render_milestones_lists_every_milestone_in_utc_minutes() -> None:
    lines = render_milestones(Milestones(accepted=T0, first_delivered=T0 + timedelta(seconds=59)))
    assert len(lines) == 8
    assert lines[0].split() == ["Accepted", "by", "carrier", "2026-10-13T15:45Z"]
    assert lines[1].endswith(" -")
    assert lines[5].endswith("2026-10-13T15:45Z")


# --- merge rule details ----------------------------------------------------------------------


def test_empty_input_is_pending() -> None:
    timeline = build_timeline([])
    assert (
        timeline.events == ()
        and timeline.status is Status.PENDING
        and timeline.milestones == Milestones()
    )


def test_rounded_seconds_from_two_providers_merge_and_keep_both_sources() -> None:
    timeline = build_timeline([ev(0, provider="a"), ev(0.9, provider="b", text="ARRIVED AT HUB.")])
    assert len(timeline.events) == 1
    assert timeline.events[0].providers == ("a", "b")
    assert timeline.events[0].time == T0 + timedelta(minutes=0.9)  # the un-rounded time is kept


def test_exact_repeats_of_one_event_keep_one_source() -> None:
    timeline = build_timeline([ev(), ev(), ev()])
    assert len(timeline.events) == 1 and len(timeline.events[0].sources) == 1


@pytest.mark.parametrize(
    "other",
    [
        ev(1, Status.CUSTOMS, "Arrived at hub", provider="b"),  # different status
        ev(1, provider="b", location="Frankfurt", country="DE"),  # different place
        ev(1, provider="b", country="FR"),  # different country
        ev(1, provider="b", text="Label printed for outbound flight"),  # different wording
        ev(60 * 6, provider="17track"),  # whole hours, but the same source: two scans
        ev(60 * 3.5, provider="b"),  # not a whole number of hours
        ev(60 * 15, provider="b"),  # more than 14 hours
    ],
)
def test_distinct_scans_survive(other: StoredEvent) -> None:
    base = ev(0, location="Leipzig", country="DE")
    assert len(build_timeline([base, other]).events) == 2


def test_whole_hour_shift_between_providers_is_one_moment_and_flagged() -> None:
    offset = ev(0, provider="17track")
    naive = ev(60 * 8 + 1, provider="cainiao", tz_assumption="Asia/Shanghai (provider convention)")
    (merged,) = build_timeline([naive, offset]).events
    assert merged.time == offset.time
    assert merged.flags == {"tz_shift"}


def test_provider_substatus_spellings_are_canonicalized() -> None:
    assert canonical(Status.IN_TRANSIT, "customs.released") == (Status.CUSTOMS, "customs.cleared")
    assert canonical(Status.ATTEMPT_FAILED, "attempt.nobody_home") == (
        Status.ATTEMPT_FAILED,
        "attempt_failed.nobody_home",
    )
    assert canonical(Status.IN_TRANSIT, "in_transit.picked_up") == (
        Status.IN_TRANSIT,
        "in_transit.accepted",
    )
    assert canonical(Status.DELIVERED, None) == (Status.DELIVERED, None)


def test_cleared_customs_reads_as_moving_on() -> None:
    timeline = build_timeline(
        [
            ev(0, Status.CUSTOMS, "Customs clearance started", substatus="customs.started"),
            ev(60, Status.IN_TRANSIT, "Released by customs", substatus="customs.released"),
        ]
    )
    assert timeline.events[-1].status is Status.CUSTOMS
    assert (timeline.status, timeline.substatus) == (Status.IN_TRANSIT, "customs.cleared")


def test_exception_after_delivery_is_real_news() -> None:
    timeline = build_timeline(
        [
            ev(0, Status.DELIVERED, "Delivered"),
            ev(60 * 30, Status.EXCEPTION, "Parcel damaged", substatus="exception.damaged"),
        ]
    )
    assert timeline.moved_after_delivery is True
    assert timeline.status is Status.EXCEPTION
    assert timeline.events[-1].flags == {"after_delivery"}


def test_delivery_reported_twice_is_not_movement() -> None:
    timeline = build_timeline(
        [
            ev(0, Status.DELIVERED, "Delivered"),
            ev(60 * 30, Status.DELIVERED, "Zugestellt", provider="dhl"),
        ]
    )
    assert timeline.moved_after_delivery is False
    assert timeline.milestones.first_delivered == T0
    assert timeline.milestones.last_delivered == T0 + timedelta(minutes=60 * 30)


def test_ties_order_by_rank_then_text() -> None:
    same_time = [
        ev(0, Status.DELIVERED, "Delivered", provider="x"),
        ev(0, Status.OUT_FOR_DELIVERY, "Out for delivery", provider="y"),
        ev(0, Status.IN_TRANSIT, "B arrived", provider="z", location="Köln"),
        ev(0, Status.IN_TRANSIT, "A arrived", provider="w", location="Bonn"),
    ]
    timeline = build_timeline(same_time)
    assert [e.description for e in timeline.events] == [
        "A arrived",
        "B arrived",
        "Out for delivery",
        "Delivered",
    ]
    assert timeline.status is Status.DELIVERED


def test_rank_order_is_total_and_increasing_along_the_journey() -> None:
    journey = [
        Status.PENDING,
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.CUSTOMS,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
        Status.RETURNING,
        Status.RETURNED,
    ]
    assert [STATUS_RANK[s] for s in journey] == sorted(STATUS_RANK[s] for s in journey)
    assert set(STATUS_RANK) == set(Status)
    assert progress_rank(Status.IN_TRANSIT, "in_transit.departed_origin") < progress_rank(
        Status.IN_TRANSIT, "in_transit.arrived_destination"
    )
    assert progress_rank(Status.IN_TRANSIT, None, in_destination=True) > progress_rank(
        Status.CUSTOMS, "customs.cleared"
    )


def test_twenty_events_merge_fast() -> None:
    events = [
        ev(i * 97, Status.IN_TRANSIT, f"Scan {i} at facility", provider=p, location=f"Hub {i % 7}")
        for i in range(10)
        for p in ("a", "b")
    ]
    build_timeline(events)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        build_timeline(events)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 0.002  # generous for slow CI; typically a few hundred microseconds


def test_country_codes_compare_in_any_case() -> None:
    delivered = ev(0, Status.DELIVERED, "Delivered", country="de")
    scan = ev(60 * 20, Status.IN_TRANSIT, "Processed at facility", country="De", provider="dhl")
    timeline = build_timeline([delivered, scan], destination_country="de")
    assert timeline.events[-1].flags == {"after_delivery"}
    assert timeline.events[-1].country == "DE"
