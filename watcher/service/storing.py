"""Storing what a provider answered: events (normalized), estimates, verdicts and hand-over legs.

Polling and provider pushes store through the same `store_batch`, so a pushed answer and a polled
one are the same rows; `store_isolated` falls back to one parcel at a time when a batch fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from watcher.domain.models import TrackingResult
from watcher.domain.numbers import follow_on_numbers_from_text, number_in_field
from watcher.domain.redact import describe_exception
from watcher.service.intake import sane_result
from watcher.store import delivery_estimates, failures, provider_states, shipments, tracking_events
from watcher.store.tables import ShipmentRow
from watcher.timeline.normalize import normalize_events

_LOGGER = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one polling pass did."""

    shipments: int = 0
    requests: int = 0
    answered: int = 0  # requests a provider answered (`check` fails when none was)
    planned: int = 0  # numbers to ask about, over every provider
    asked: int = 0  # of those, asked so far (answered or not)
    new_events: int = 0
    changed: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Wanted:
    """One number to ask one provider about, for one shipment, with the shipment's context."""

    shipment_id: int
    number: str
    #: The shipment's countries (origin from its main number): they place offset-less times.
    origin: str | None = None
    destination: str | None = None
    #: Every number the shipment already has (main and legs): known hand-overs are skipped.
    known: tuple[str, ...] = ()


def store_batch(
    name: str,
    batch: Sequence[Wanted],
    results: Mapping[str, TrackingResult],
    now: datetime,
    sessions: sessionmaker[Session],
    report: PollReport,
    *,
    record_success: bool = True,
) -> None:
    """Store one batch's events, estimates and follow-on numbers in one transaction.

    Each step covers the whole batch at once (one INSERT of events, one query of estimates):
    per shipment, they were most of the polling time (bench/RESULTS.md, throughput).
    `record_success=False` skips the provider's health row (already recorded at `now`).
    """
    recovered = 0
    answered = [
        (item, sane_result(name, results[item.number], now))
        for item in batch
        if item.number in results
    ]
    with sessions.begin() as session:
        by_id = shipments.shipment_names(session, {item.shipment_id for item, _ in answered})
        answered = [(item, result) for item, result in answered if item.shipment_id in by_id]
        new = tracking_events.store_events_many(
            session,
            name,
            [
                (
                    item.shipment_id,
                    item.number,
                    normalize_events(
                        result.events,
                        origin=result.origin_country or item.origin,
                        destination=item.destination or result.destination_country,
                    ),
                )
                for item, result in answered
            ],
            now,
        )
        events_stored = sum(new)  # `new` goes on to count every change (estimates, verdicts, legs)
        dated = [
            (i, item.shipment_id, result.estimated_delivery)
            for i, (item, result) in enumerate(answered)
            if result.estimated_delivery is not None
        ]
        moves = delivery_estimates.record_estimates(
            session, name, [(shipment_id, estimate) for _, shipment_id, estimate in dated], now
        )
        for (i, shipment_id, estimate), moved in zip(dated, moves, strict=True):
            if moved == "later":
                _LOGGER.info(
                    "%s: %s moved its delivery estimate later, to %s",
                    describe(by_id[shipment_id]),
                    name,
                    estimate.isoformat(),
                )
            new[i] += moved is not None
        verdict_changed = shipments.store_verdicts(
            session,
            [
                (item.shipment_id, item.number, name, verdict_fields(result))
                for item, result in answered
                if result.verdict is not None
            ],
            now,
        )
        for i, (item, result) in enumerate(answered):
            new[i] += item.shipment_id in verdict_changed
            follow_ons = [n for n in follow_on_numbers(result) if n not in item.known]
            shipment = session.get(ShipmentRow, item.shipment_id) if follow_ons else None
            for follow_on in follow_ons:
                if shipment is not None and shipments.add_leg(
                    session, shipment, follow_on, name, now
                ):
                    _LOGGER.info(
                        "%s: new leg %s reported by %s", describe(shipment), follow_on, name
                    )
                    new[i] += 1
        changed = {
            item.shipment_id for (item, _), count in zip(answered, new, strict=True) if count
        }
        shipments.mark_for_evaluation(session, changed, now)
        failures.clear_failures(session, {item.shipment_id for item in batch}, "storing")
        if record_success:
            recovered = provider_states.provider_state(session, name).consecutive_failures
            provider_states.record_provider_success(session, name, now)
    # Counted once committed: a batch that fails here is stored again parcel by parcel.
    report.new_events += events_stored
    report.changed |= changed
    if recovered:
        _LOGGER.info("provider %s recovered after %d failed attempts", name, recovered)


def verdict_fields(result: TrackingResult) -> dict[str, str | None]:
    """What `shipments.verdicts` keeps of a provider's verdict."""
    verdict = result.verdict
    assert verdict is not None
    return {"status": verdict.status.value, "substatus": verdict.substatus, "raw": verdict.raw}


def store_isolated(
    name: str,
    batch: Sequence[Wanted],
    results: Mapping[str, TrackingResult],
    now: datetime,
    sessions: sessionmaker[Session],
    report: PollReport,
    *,
    record_success: bool = True,
) -> set[int]:
    """`store_batch`, falling back to one parcel at a time when the batch fails; ids stored.

    A parcel whose answer cannot be stored gets the failure recorded on it (shown by `show`,
    counted by `status`) and backs off like a failed poll; the others are stored.
    """
    try:
        store_batch(name, batch, results, now, sessions, report, record_success=record_success)
        return {item.shipment_id for item in batch}
    except Exception:  # noqa: BLE001 - find the parcel that broke it, store the rest
        # Each parcel once more on its own, without the provider's health row (two instances
        # creating that row at once is a passing conflict, not this parcel's fault).
        _LOGGER.debug("storing a batch from %s failed; storing its parcels one by one", name)
    stored: set[int] = set()
    for item in batch:
        try:
            store_batch(name, [item], results, now, sessions, report, record_success=False)
            stored.add(item.shipment_id)
        except Exception:  # noqa: BLE001 - recorded on the parcel
            _record_store_failure(name, item, now, sessions, report)
    return stored


def _record_store_failure(
    name: str, item: Wanted, now: datetime, sessions: sessionmaker[Session], report: PollReport
) -> None:
    import sys

    error = describe_exception(sys.exc_info()[1] or Exception())
    _LOGGER.error(
        "%s: cannot store what %s answered: %s", item.number, name, error,
        exc_info=_LOGGER.isEnabledFor(logging.DEBUG),
    )  # fmt: skip
    report.errors.append(f"{name}: {item.number}: {error}")
    with sessions.begin() as session:
        failures.record_failure(session, item.shipment_id, f"storing {name}: {error}", now)


def follow_on_numbers(result: TrackingResult) -> list[str]:
    """Further legs: numbers the provider reports, and numbers hand-over events announce.

    Provider fields go through the same validation as typed numbers (`number_in_field`): a
    label before the number, line breaks or path-like values never become a leg.
    """
    found = [n for n in map(number_in_field, result.follow_on_numbers) if n]
    for event in result.events:
        found += _announced_numbers(event.description)
    return [number for number in dict.fromkeys(found) if number != result.tracking_number]


@lru_cache(maxsize=4096)
def _announced_numbers(description: str) -> tuple[str, ...]:
    """`follow_on_numbers_from_text`, once per distinct description (carriers repeat theirs)."""
    return follow_on_numbers_from_text(description)


def describe(row: Any) -> str:
    """'LP00123456789012 (USB hub)' for log lines."""
    return (
        f"{row.tracking_number} ({row.label})"
        if getattr(row, "label", None)
        else row.tracking_number
    )
