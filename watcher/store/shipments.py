"""Shipments and their legs: adding, finding, listing; their poll and evaluation state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, case, null, select
from sqlalchemy.orm import Session

from watcher.domain.errors import InputError
from watcher.domain.models import Destination, Leg, ShipmentView, Status
from watcher.store.tables import LegRow, ShipmentRow

# fmt: off
_CONFIG_FIELDS = (
    "label", "marketplace", "order_id", "ordered_at", "protection_ends", "max_delivery_days",
    "insured",
)
# fmt: on


class PlaceFacts(Protocol):
    """Where a declared shipment should arrive (as `ShipmentFacts.destination`)."""

    @property
    def country(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def postcode(self) -> str | None: ...


class ShipmentFacts(Protocol):
    """What the config or the CLI declares about a shipment (`config.ShipmentConfig` is one)."""

    @property
    def tracking_number(self) -> str: ...
    @property
    def label(self) -> str | None: ...
    @property
    def marketplace(self) -> str: ...
    @property
    def order_id(self) -> str | None: ...
    @property
    def ordered_at(self) -> date | None: ...
    @property
    def protection_ends(self) -> date | None: ...
    @property
    def max_delivery_days(self) -> int | None: ...
    @property
    def insured(self) -> bool: ...
    @property
    def destination(self) -> PlaceFacts: ...
    @property
    def providers(self) -> Sequence[str] | None: ...


@dataclass(frozen=True, slots=True)
class SyncReport:
    """How many config-declared shipments a sync added and updated."""

    added: int = 0
    updated: int = 0


def shipment_values(data: ShipmentFacts) -> dict[str, Any]:
    """Column values for a shipment declared in the config or on the CLI."""
    values: dict[str, Any] = {name: getattr(data, name) for name in _CONFIG_FIELDS}
    values.update(
        dest_country=data.destination.country,
        dest_city=data.destination.city,
        dest_postcode=data.destination.postcode,
        providers=list(data.providers) if data.providers else None,
    )
    return values


def sync_config_shipments(
    session: Session, shipments: Sequence[ShipmentFacts], now: datetime
) -> SyncReport:
    """Add or update config-declared shipments; never deletes anything."""
    wanted = {s.tracking_number: s for s in shipments}
    existing = (
        {
            row.tracking_number: row
            for row in session.scalars(
                select(ShipmentRow).where(ShipmentRow.tracking_number.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    added = updated = 0
    for number, data in wanted.items():
        values = shipment_values(data)
        row = existing.get(number)
        if row is None:
            session.add(new_shipment_row(number, values, now, source="config"))
            added += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            row.next_eval_at = now  # facts changed: the rules must look again
            updated += 1
    return SyncReport(added, updated)


def new_shipment_row(
    number: str, values: dict[str, Any], now: datetime, *, source: str
) -> ShipmentRow:
    """A shipment row due for its first poll and evaluation at `now`."""
    return ShipmentRow(
        tracking_number=number,
        source=source,
        created_at=now,
        updated_at=now,
        status=Status.PENDING.value,
        next_poll_at=now,
        next_eval_at=now,
        poll_failures=0,
        **values,
    )


def add_shipment(session: Session, data: ShipmentFacts, now: datetime) -> ShipmentRow:
    """Start watching a parcel from the CLI."""
    if find_shipment(session, data.tracking_number) is not None:
        raise InputError(
            f"{data.tracking_number}: already watched (see `watcher show {data.tracking_number}`)"
        )
    row = new_shipment_row(data.tracking_number, shipment_values(data), now, source="cli")
    session.add(row)
    session.flush()
    return row


def find_shipment(session: Session, number: str) -> ShipmentRow | None:
    """A shipment by its tracking number or by one of its legs' numbers."""
    row = session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == number))
    if row is not None:
        return row
    leg = session.scalar(select(LegRow).where(LegRow.tracking_number == number))
    return session.get(ShipmentRow, leg.shipment_id) if leg else None


def require_shipment(session: Session, number: str) -> ShipmentRow:
    """`find_shipment`, or an `InputError` that says how to add it."""
    row = find_shipment(session, number)
    if row is None:
        raise InputError(f"{number}: not watched (add it with `watcher add {number}`)")
    return row


def list_shipments(session: Session, *, include_archived: bool = False) -> list[ShipmentRow]:
    """Every shipment (archived ones only when asked), oldest first."""
    query = select(ShipmentRow).order_by(ShipmentRow.created_at, ShipmentRow.id)
    if not include_archived:
        query = query.where(ShipmentRow.archived_at.is_(None))
    return list(session.scalars(query))


def to_view(row: ShipmentRow, legs: Sequence[Leg] = ()) -> ShipmentView:
    """The read-only snapshot rules work on (`legs`: the shipment's further numbers)."""
    return ShipmentView(
        legs=tuple(legs),
        tracking_number=row.tracking_number,
        label=row.label,
        marketplace=row.marketplace,
        order_id=row.order_id,
        ordered_at=row.ordered_at,
        protection_ends=row.protection_ends,
        max_delivery_days=row.max_delivery_days,
        destination=Destination(row.dest_country, row.dest_city, row.dest_postcode),
        created_at=row.created_at,
        received_at=row.received_at,
        not_received_at=row.not_received_at,
        archived=row.archived_at is not None,
        insured=bool(row.insured),
    )


#: What `to_view` reads.
# fmt: off
VIEW_COLUMNS = tuple(
    getattr(ShipmentRow, name)
    for name in (
        "tracking_number", "label", "marketplace", "order_id", "ordered_at", "protection_ends",
        "max_delivery_days", "dest_country", "dest_city", "dest_postcode", "created_at",
        "received_at", "not_received_at", "archived_at", "insured",
    )
)
# fmt: on


# ---------------------------------------------------------------- legs


def leg_numbers(session: Session, shipment_id: int) -> list[str]:
    """The shipment's follow-on tracking numbers, in the order they were found."""
    return list(
        session.scalars(
            select(LegRow.tracking_number)
            .where(LegRow.shipment_id == shipment_id)
            .order_by(LegRow.id)
        )
    )


def leg_numbers_by_shipment(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[str]]:
    """`leg_numbers` of many shipments (in a few queries), for the poller's request plan."""
    found: dict[int, list[str]] = {}
    ids = list(shipment_ids)
    for i in range(0, len(ids), 10_000):
        query = (
            select(LegRow.shipment_id, LegRow.tracking_number)
            .where(LegRow.shipment_id.in_(ids[i : i + 10_000]))
            .order_by(LegRow.shipment_id, LegRow.id)
        )
        for shipment_id, number in session.execute(query):
            found.setdefault(shipment_id, []).append(number)
    return found


def legs_by_shipment(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[Leg]]:
    """Every leg (number and when it was found) of many shipments, for the rules."""
    found: dict[int, list[Leg]] = {}
    ids = list(shipment_ids)
    for i in range(0, len(ids), 10_000):
        query = (
            select(LegRow.shipment_id, LegRow.tracking_number, LegRow.added_at)
            .where(LegRow.shipment_id.in_(ids[i : i + 10_000]))
            .order_by(LegRow.shipment_id, LegRow.id)
        )
        for shipment_id, number, added_at in session.execute(query):
            found.setdefault(shipment_id, []).append(Leg(number, added_at))
    return found


def add_leg(
    session: Session, shipment: ShipmentRow, number: str, provider: str | None, now: datetime
) -> bool:
    """Link a follow-on tracking number; True when it is new."""
    if number == shipment.tracking_number or number in leg_numbers(session, shipment.id):
        return False
    session.add(
        LegRow(shipment_id=shipment.id, tracking_number=number, provider=provider, added_at=now)
    )
    return True


# ---------------------------------------------------------------- polling


def active_query() -> Select[tuple[ShipmentRow]]:
    """Shipments not archived, by id."""
    return select(ShipmentRow).where(ShipmentRow.archived_at.is_(None)).order_by(ShipmentRow.id)


def active_shipments(session: Session) -> list[ShipmentRow]:
    """Every shipment not archived, by id."""
    return list(session.scalars(active_query()))


def shipments_by_id(
    session: Session, shipment_ids: Sequence[int], columns: Sequence[Any] = ()
) -> list[Any]:
    """Plain read-only rows of these shipments by id: every column, or `columns` (with the id)."""
    ids = sorted(set(shipment_ids))
    table = ShipmentRow.__table__
    found: list[Any] = []
    with session.no_autoflush:
        for i in range(0, len(ids), 10_000):
            query = select(*columns) if columns else select(table)
            found.extend(
                session.execute(
                    query.where(table.c.id.in_(ids[i : i + 10_000])).order_by(table.c.id)
                )
            )
    return found


def shipment_names(session: Session, shipment_ids: Iterable[int]) -> dict[int, Any]:
    """Plain (id, tracking_number, label) rows of the shipments that still exist, by id."""
    columns = (ShipmentRow.id, ShipmentRow.tracking_number, ShipmentRow.label)
    return {row.id: row for row in shipments_by_id(session, list(shipment_ids), columns)}


def mark_for_evaluation(session: Session, shipment_ids: Iterable[int], now: datetime) -> None:
    """Have the rules look at these shipments at `now` (something new was stored for them)."""
    ids = sorted(set(shipment_ids))
    table = ShipmentRow.__table__
    for i in range(0, len(ids), 10_000):
        session.execute(
            table.update().where(table.c.id.in_(ids[i : i + 10_000])).values(next_eval_at=now)
        )


def store_poll_schedule(
    session: Session,
    schedule: Sequence[tuple[int, int, datetime | None]],
    now: datetime,
    *,
    owner: str | None,
) -> None:
    """After a poll: (id, poll failures, next poll time) per shipment, in one executemany.

    Also sets `last_polled_at` and ends the lease as `claims.release` does: always without an
    `owner`, else only `owner`'s own (decided in SQL, on the row's current lease).
    """
    if not schedule:
        return
    table = ShipmentRow.__table__
    c = table.c
    if owner is None:
        lease: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    else:
        mine = c.lease_owner == owner
        lease = {
            "lease_owner": case((mine, null()), else_=c.lease_owner),
            "lease_until": case((mine, null()), else_=c.lease_until),
        }
    statement = (
        table.update()
        .where(c.id == bindparam("_id"))
        .values(
            last_polled_at=now,
            poll_failures=bindparam("_failures", type_=c.poll_failures.type),
            next_poll_at=bindparam("_next", type_=c.next_poll_at.type),
            **lease,
        )
    )
    with session.no_autoflush:
        session.execute(statement, [{"_id": i, "_failures": f, "_next": n} for i, f, n in schedule])


# ---------------------------------------------------------------- evaluation


def due_for_evaluation_ids(session: Session, now: datetime) -> list[int]:
    """Ids of shipments that changed or came due, by id, found through the next_eval_at index.

    (Paging through the due rows `ORDER BY id` made SQLite walk the primary key instead, scanning
    every shipment per chunk: a third of a 1%-due cycle at 100,000 shipments, bench/RESULTS.md.)
    """
    t = ShipmentRow.__table__.c
    query = select(t.id).where(
        t.next_eval_at.is_not(None), t.next_eval_at <= now, t.archived_at.is_(None)
    )
    return sorted(session.scalars(query))


def active_rows_after(session: Session, after_id: int, limit: int) -> list[Any]:
    """The next `limit` active shipments after `after_id`, as plain rows (not ORM objects:
    building and flushing 500 ORM rows per chunk was a fifth of a due cycle, bench/RESULTS.md)."""
    t = ShipmentRow.__table__.c
    query = select(ShipmentRow.__table__).where(t.archived_at.is_(None), t.id > after_id)
    return list(session.execute(query.order_by(t.id).limit(limit)))


#: What an evaluation writes back to a shipment (`save_evaluations`).
EVALUATION_FIELDS = ("status", "substatus", "last_event_at", "next_eval_at")


def save_evaluations(session: Session, outcomes: Sequence[dict[str, Any]]) -> None:
    """Store evaluation outcomes ({"id": ..., **EVALUATION_FIELDS}) with one executemany."""
    if not outcomes:
        return
    t = ShipmentRow.__table__
    statement = (
        t.update()
        .where(t.c.id == bindparam("shipment_id"))
        .values({name: bindparam(f"new_{name}") for name in EVALUATION_FIELDS})
    )
    params = [
        {"shipment_id": o["id"], **{f"new_{n}": o[n] for n in EVALUATION_FIELDS}} for o in outcomes
    ]
    session.execute(statement, params)


# ---------------------------------------------------------------- provider verdicts


def verdict_key(number: str, provider: str, stored: dict[str, Any]) -> str:
    """Where a provider's verdict on `number` lives in `shipments.verdicts`.

    The number itself; a second provider with a verdict on the same number gets
    "NUMBER@provider", so two providers never overwrite each other on every poll.
    """
    first = stored.get(number)
    if first is None or first.get("provider") == provider:
        return number
    return f"{number}@{provider}"


def store_verdicts(
    session: Session, updates: Sequence[tuple[int, str, str, dict[str, Any]]], now: datetime
) -> set[int]:
    """Record provider verdicts ((shipment id, number, provider, verdict fields)); return the
    ids whose verdicts changed. One read and, for changed shipments only, one executemany."""
    if not updates:
        return set()
    t = ShipmentRow.__table__
    ids = sorted({shipment_id for shipment_id, *_ in updates})
    current = {
        row.id: dict(row.verdicts or {})
        for row in shipments_by_id(session, ids, (t.c.id, t.c.verdicts))
    }
    changed: set[int] = set()
    for shipment_id, number, provider, fields in updates:
        stored = current.get(shipment_id)
        if stored is None:
            continue  # deleted meanwhile
        key = verdict_key(number, provider, stored)
        before = stored.get(key) or {}
        value = {"number": number, "provider": provider, **fields}
        if {k: before.get(k) for k in value} == value:
            continue
        stored[key] = {**value, "seen_at": now.isoformat()}
        changed.add(shipment_id)
    if changed:
        statement = (
            t.update().where(t.c.id == bindparam("_id")).values(verdicts=bindparam("_verdicts"))
        )
        session.execute(statement, [{"_id": i, "_verdicts": current[i]} for i in sorted(changed)])
    return changed
