"""Property-based tests: the merge is order-independent, idempotent and loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kits.timeline import rebuild
from watcher.domain.models import Status, StoredEvent
from watcher.timeline.build import build_timeline

T0 = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)

# A small vocabulary so generated events collide often: duplicates, shifts and near misses.
TEMPLATES = [
    (Status.IN_TRANSIT, "in_transit.arrived_destination", "Arrived at destination country"),
    (Status.IN_TRANSIT, "in_transit.arrived_destination_country", "Arrival in destination country"),
    (Status.IN_TRANSIT, "in_transit.arrived", "Arrived at sorting center"),
    (Status.IN_TRANSIT, "in_transit.departed", "Departed sorting center"),
    (Status.IN_TRANSIT, None, "Processed at facility"),
    (Status.IN_TRANSIT, None, "到达分拣中心"),
    (Status.CUSTOMS, "customs.started", "Customs clearance started"),
    (Status.IN_TRANSIT, "customs.released", "Released by customs"),
    (Status.CUSTOMS, "customs.cleared", "Import customs clearance completed"),
    (Status.OUT_FOR_DELIVERY, None, "Out for delivery"),
    (Status.DELIVERED, None, "Delivered"),
    (Status.DELIVERED, "delivered.picked_up", "Picked up by recipient"),
    (Status.INFO_RECEIVED, None, "Shipment information received"),
    (Status.EXCEPTION, "exception.lost", "Parcel lost"),
    (Status.RETURNING, None, "Returning to sender"),
]
OFFSETS = [
    0,
    20,
    59,
    61,
    130,
    3600,
    3600 * 6 + 30,
    3600 * 8,
    3600 * 3 + 1800,
    86400,
    86400 + 3600 * 7,
]


@st.composite
def stored_event(draw: st.DrawFn) -> StoredEvent:
    status, sub, text = draw(st.sampled_from(TEMPLATES))
    day = draw(st.integers(min_value=0, max_value=3))
    return StoredEvent(
        time=T0 + timedelta(days=day, seconds=draw(st.sampled_from(OFFSETS))),
        status=status,
        substatus=sub,
        description=draw(st.sampled_from([text, text.upper(), text + ", Leipzig"])),
        provider=draw(st.sampled_from(["17track", "cainiao", "dhl"])),
        tracking_number=draw(st.sampled_from(["LP00123456789012", "RR123456785DE"])),
        location=draw(st.sampled_from([None, "Leipzig, DE", "Frankfurt", "深圳"])),
        country=draw(st.sampled_from([None, "DE", "CN"])),
        raw_status=draw(st.sampled_from([None, "X1"])),
        tz_assumption=draw(st.sampled_from([None, "Asia/Shanghai (provider convention)"])),
        unclassified=draw(st.booleans()),
    )


events_lists = st.lists(stored_event(), max_size=24)
destinations = st.sampled_from([None, "DE", "CN"])
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(events=events_lists, destination=destinations, data=st.data())
def test_any_permutation_gives_the_same_timeline(
    events: list[StoredEvent], destination: str | None, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert build_timeline(shuffled, destination_country=destination) == build_timeline(
        events, destination_country=destination
    )


@SETTINGS
@given(events=events_lists, destination=destinations)
def test_feeding_the_timeline_back_changes_nothing(
    events: list[StoredEvent], destination: str | None
) -> None:
    timeline = build_timeline(events, destination_country=destination)
    assert build_timeline(rebuild(timeline), destination_country=destination) == timeline


@SETTINGS
@given(events=events_lists, destination=destinations)
def test_merge_keeps_every_report_and_orders_by_time(
    events: list[StoredEvent], destination: str | None
) -> None:
    timeline = build_timeline(events, destination_country=destination)
    times = [e.time for e in timeline.events]
    assert times == sorted(times)
    kept = {
        (s.provider, s.tracking_number, s.description, s.time)
        for e in timeline.events
        for s in e.sources
    }
    assert kept == {(e.provider, e.tracking_number, e.description, e.time) for e in events}
    assert len(timeline.events) <= len(events)
    # The delivery flags are exclusive, and only "after_delivery" means the parcel moved again.
    assert not any({"late_report", "after_delivery"} <= e.flags for e in timeline.events)
    assert timeline.moved_after_delivery == any(
        "after_delivery" in e.flags for e in timeline.events
    )


@SETTINGS
@given(events=events_lists)
def test_a_late_origin_scan_never_undoes_a_delivery(events: list[StoredEvent]) -> None:
    delivered = StoredEvent(
        T0 + timedelta(days=5), Status.DELIVERED, "Delivered", "17track", "RR123456785DE"
    )
    late = StoredEvent(
        T0 + timedelta(days=6),
        Status.IN_TRANSIT,
        "Departed from departure country",
        "cainiao",
        "LP00123456789012",
        substatus="in_transit.departed_origin",
    )
    before = [e for e in events if e.time < delivered.time and e.status is not Status.DELIVERED]
    timeline = build_timeline([*before, delivered, late], destination_country="DE")
    assert timeline.status is Status.DELIVERED or timeline.status in (
        Status.RETURNING,
        Status.RETURNED,
    )
    assert "late_report" in timeline.events[-1].flags
