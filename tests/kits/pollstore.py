"""Bulk polling store functions vs their one-shipment-at-a-time counterparts (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.kits.common import T0
from watcher.domain.models import NormalizedEvent, ProviderEvent, Status
from watcher.store import claims, delivery_estimates, shipments, tracking_events
from watcher.store.tables import EstimateRow, EventRow, ShipmentRow
from watcher.timeline.normalize import normalize_events

NUMBERS = ("LP00000000000001", "LP00000000000002", "LP00000000000003")
LEG = "RR123456785DE"


def events(offset: int = 0) -> list[ProviderEvent]:
    """A timeline with everything normalizing resolves: offsets, naive times, text-only statuses, repeats."""
    base = datetime(2026, 10, 20, 9, 15, tzinfo=T0.tzinfo)
    shown = [
        ProviderEvent(
            time=base + timedelta(hours=offset),
            description="Accepted by carrier",
            location="Shenzhen, CN",
            country="CN",
            status=Status.IN_TRANSIT,
            substatus="in_transit.accepted",
            raw_status="InTransit_PickedUp",
        ),
        ProviderEvent(
            time=(base + timedelta(days=1)).replace(tzinfo=None),
            description="Arrived at customs",
            location=" Frankfurt, DE ",
            tz_hint="Europe/Berlin",
        ),
        ProviderEvent(
            time=base + timedelta(days=2), description="Zustellung erfolgt heute"
        ),  # classified from text
        ProviderEvent(
            time=base + timedelta(days=2), description="Unintelligible scan 42"
        ),  # unclassified
        ProviderEvent(
            time=base + timedelta(days=3), description="Delivered", status=Status.DELIVERED
        ),
    ]
    return [*shown, shown[0]]  # the same report twice in one answer


def add_shipments(sessions: sessionmaker[Session]) -> list[int]:
    with sessions.begin() as session:
        rows = [shipments.new_shipment_row(number, {}, T0, source="cli") for number in NUMBERS]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def event_rows(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Every stored event's columns but the id, in a stable order."""
    table = EventRow.__table__
    columns = [c for c in table.c if c.name != "id"]
    with sessions() as session:
        return sorted(tuple(row) for row in session.execute(select(*columns)))


def batch_items(ids: list[int]) -> list[tuple[int, str, list[NormalizedEvent]]]:
    """Two shipments, one of them with a second number (a leg), as a poller batch holds them."""
    return [
        (ids[0], NUMBERS[0], normalize_events(events())),
        (ids[1], NUMBERS[1], normalize_events(events(1))),
        (ids[0], LEG, normalize_events(events(2))),
    ]


def bulk_and_single_store_the_same_rows(
    old: sessionmaker[Session], new: sessionmaker[Session]
) -> None:
    """`store_events_many` stores exactly the rows `store_events` stores, with the same counts."""
    old_ids, new_ids = add_shipments(old), add_shipments(new)
    assert old_ids == new_ids
    items = batch_items(old_ids)
    with old.begin() as session:
        single = [
            tracking_events.store_events(session, sid, number, "17track", evs, T0)
            for sid, number, evs in items
        ]
    with new.begin() as session:
        bulk = tracking_events.store_events_many(session, "17track", items, T0)
    assert bulk == single == [5, 5, 5]
    assert event_rows(new) == event_rows(old)
    unclassified = [c.name for c in EventRow.__table__.c if c.name != "id"].index("unclassified")
    assert {row[unclassified] for row in event_rows(new)} == {
        True,
        False,
    }  # the text classifier ran

    # Idempotent: a re-poll stores nothing; a new event among known ones is counted where it belongs.
    later = ProviderEvent(time=T0, description="Out for delivery", status=Status.OUT_FOR_DELIVERY)
    leg_events = normalize_events([*events(2), later])
    with new.begin() as session:
        again = tracking_events.store_events_many(
            session, "17track", [*items[:2], (items[2][0], LEG, leg_events)], T0
        )
    with old.begin() as session:
        single = [
            tracking_events.store_events(session, sid, number, "17track", evs, T0)
            for sid, number, evs in items[:2]
        ]
        single.append(
            tracking_events.store_events(session, items[2][0], LEG, "17track", leg_events, T0)
        )
    assert again == single == [0, 0, 1]
    assert event_rows(new) == event_rows(old)
    with new.begin() as session:
        assert tracking_events.store_events_many(session, "17track", [], T0) == []


def bulk_and_single_estimates_agree(old: sessionmaker[Session], new: sessionmaker[Session]) -> None:
    """`record_estimates` gives the moves and rows of one `record_estimate` call per report."""
    ids = add_shipments(old)
    assert add_shipments(new) == ids
    d = date(2026, 11, 4)
    rounds = [
        [(ids[0], d), (ids[1], d)],
        [
            (ids[0], d),
            (ids[1], d + timedelta(days=3)),
            (ids[0], d + timedelta(days=5)),
        ],  # same; later; later
        [
            (ids[0], d + timedelta(days=1)),
            (ids[0], d),
            (ids[1], d),
        ],  # earlier; back to a stored value twice
        [
            (ids[0], d),
            (ids[0], d + timedelta(days=9)),
            (ids[0], d),
        ],  # one batch moving back and forth
    ]
    for n, reports in enumerate(rounds):
        now = T0 + timedelta(hours=n)
        with old.begin() as session:
            single = [
                delivery_estimates.record_estimate(session, sid, "17track", estimate, now)
                for sid, estimate in reports
            ]
        with new.begin() as session:
            bulk = delivery_estimates.record_estimates(session, "17track", reports, now)
        assert bulk == single, n
    with new.begin() as session:
        assert delivery_estimates.record_estimates(session, "17track", [(ids[2], d)], T0) == ["new"]
        assert delivery_estimates.record_estimates(
            session, "other", [(ids[0], d + timedelta(days=1))], T0
        ) == ["new"]  # per provider
    with old.begin() as session:
        delivery_estimates.record_estimate(session, ids[2], "17track", d, T0)
        delivery_estimates.record_estimate(session, ids[0], "other", d + timedelta(days=1), T0)
    columns = [c for c in EstimateRow.__table__.c if c.name != "id"]
    rows = []
    for sessions in (old, new):
        with sessions() as session:
            rows.append(sorted(tuple(r) for r in session.execute(select(*columns))))
    assert rows[0] == rows[1]
    assert len(rows[0]) == 8


def estimate_moves_are_named(sessions: sessionmaker[Session]) -> None:
    ids = add_shipments(sessions)
    d = date(2026, 11, 4)
    with sessions.begin() as session:
        moves = delivery_estimates.record_estimates(
            session,
            "17track",
            [
                (ids[0], d),
                (ids[0], d),
                (ids[0], d + timedelta(days=2)),
                (ids[0], d),
                (ids[1], d - timedelta(days=1)),
            ],
            T0,
        )
    assert moves == ["new", None, "later", "earlier", "new"]


def schedule_ends_only_own_leases(sessions: sessionmaker[Session]) -> None:
    """`store_poll_schedule` sets the poll state and clears a lease like `claims.release`."""
    ids = add_shipments(sessions)
    later = T0 + timedelta(hours=6)
    with sessions() as session:
        claimed = claims.claim_shipments(
            session,
            owner="me",
            now=T0,
            lease=timedelta(minutes=5),
            limit=2,
            columns=(ShipmentRow.id,),
        )
    assert [row.id for row in claimed] == ids[:2]
    with sessions.begin() as session:
        session.get(ShipmentRow, ids[1]).lease_owner = "someone else"  # took over an expired lease
    with sessions.begin() as session:
        shipments.store_poll_schedule(
            session, [(ids[0], 0, later), (ids[1], 3, None)], T0, owner="me"
        )
    with sessions() as session:
        first, second, third = (session.get(ShipmentRow, i) for i in ids)
        assert (
            first.next_poll_at,
            first.poll_failures,
            first.last_polled_at,
            first.lease_owner,
            first.lease_until,
        ) == (later, 0, T0, None, None)
        assert (second.next_poll_at, second.poll_failures, second.lease_owner) == (
            None,
            3,
            "someone else",
        )
        assert second.lease_until is not None
        assert third.last_polled_at is None  # not in the schedule: untouched
    with sessions.begin() as session:
        shipments.store_poll_schedule(
            session, [(ids[1], 0, later)], T0, owner=None
        )  # `poll --force`: any lease ends
    with sessions() as session:
        assert session.get(ShipmentRow, ids[1]).lease_owner is None
