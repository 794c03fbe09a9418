"""The poller: asks providers about due shipments and stores what they say.

One provider's failure never blocks the others; errors are sorted (auth pauses the provider,
rate limits and transient failures back off per shipment) and the loop never dies.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings
from watcher.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
)
from watcher.domain.models import Status
from watcher.domain.numbers import origin_country_of
from watcher.domain.redact import redact
from watcher.providers.base import RemembersNumbers, TrackingProvider
from watcher.providers.registry import load_provider_class, provider_config
from watcher.providers.retry import call_with_retry
from watcher.service.routing import providers_for
from watcher.service.schedule import (
    next_poll_after_failure,
    next_poll_at,
    provider_pause,
    pushed_at,
)
from watcher.service.storing import (
    PollReport,
    Wanted,
    store_isolated,
)
from watcher.store import (
    claims,
    provider_states,
    shipments,
    tracking_events,
)
from watcher.store.tables import ShipmentRow

_LOGGER = logging.getLogger(__name__)

#: Largest fraction added at random to a failed shipment's backoff, so retries do not bunch up.
RETRY_JITTER = 0.1


class ProviderPool:
    """Builds the configured adapters on first use and closes them at the end."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._providers: dict[str, TrackingProvider] = {}
        self._recalled: dict[str, set[str]] = {}  # numbers looked up for `recall_answered`

    def get(self, name: str) -> TrackingProvider:
        if name not in self._providers:
            cls = load_provider_class(name)
            config = provider_config(name, self._settings.providers.get(name))
            self._providers[name] = cls(config, name=name, config_dir=self._settings.config_dir)
        return self._providers[name]

    def loaded(self) -> dict[str, TrackingProvider]:
        return dict(self._providers)

    def recall_answered(
        self, name: str, wanted: Sequence[Wanted], sessions: sessionmaker[Session]
    ) -> None:
        """Tell an adapter that remembers numbers which of `wanted` it answered in earlier runs.

        Looked up once per number and process, from the events it reported: after a restart,
        17TRACK's adapter would otherwise `register` every number again before reading it.
        """
        provider = self._providers.get(name)
        if not isinstance(provider, RemembersNumbers):
            return
        recalled = self._recalled.setdefault(name, set())
        todo = [w for w in wanted if w.number not in recalled]
        if not todo:
            return
        with sessions() as session:
            answered = tracking_events.numbers_with_events(
                session, name, {w.shipment_id for w in todo}
            )
        provider.remember_answered([w.number for w in todo if w.number in answered])
        recalled.update(w.number for w in todo)

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()
        self._recalled.clear()


#: What `plan_requests` reads of a claimed shipment.
PLAN_COLUMNS = (
    ShipmentRow.id,
    ShipmentRow.tracking_number,
    ShipmentRow.providers,
    ShipmentRow.dest_country,
)
#: What `schedule_next_polls` reads: `shipments.to_view` and the poll state.
SCHEDULE_COLUMNS = (
    ShipmentRow.id,
    ShipmentRow.poll_failures,
    ShipmentRow.status,
    ShipmentRow.last_event_at,
    *shipments.VIEW_COLUMNS,
    # Push-aware polling (service/schedule.py `pushed_at`).
    ShipmentRow.last_push_at,
    ShipmentRow.providers,
)


async def poll_due(
    now: datetime,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    providers: ProviderPool,
    force: bool = False,
    owner: str = "local",
    progress: Callable[[PollReport], None] | None = None,
) -> PollReport:
    """Poll every due shipment (all active ones when `force`), store new events.

    Due shipments are claimed for `owner` with a lease, so other instances skip them; the
    lease is cleared when the next poll time is stored. `progress` hears after every batch.
    """
    report = PollReport()
    with sessions() as session:
        rows = (
            shipments.active_shipments(session)
            if force
            else claims.claim_shipments(
                session,
                owner=owner,
                now=now,
                lease=timedelta(seconds=settings.service.instance_lease_seconds),
                limit=settings.polling.max_shipments_per_cycle,
                columns=PLAN_COLUMNS,
            )
        )
        plan = plan_requests(session, rows, settings)
        paused = {
            state.name
            for state in provider_states.provider_states(session)
            if state.paused_until and state.paused_until > now
        }
    report.shipments = len(rows)
    if not rows:
        return report
    outcomes: dict[int, list[bool]] = defaultdict(list)  # shipment id -> success per provider
    retry_after: dict[int, float] = {}
    report.planned = sum(len(w) for name, w in plan.items() if name not in paused)
    tasks = [
        _poll_provider(
            name,
            wanted,
            now,
            settings=settings,
            sessions=sessions,
            providers=providers,
            report=report,
            outcomes=outcomes,
            retry_after=retry_after,
            progress=progress,
        )
        for name, wanted in plan.items()
        if name not in paused
    ]
    for name in plan.keys() & paused:
        _LOGGER.debug("provider %s is paused; skipping", name)
    limit = settings.polling.max_poll_seconds
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), limit)
    except TimeoutError:
        # Parcels not answered by now count as failed polls: they back off and come back soon.
        left = [row.id for row in rows if not outcomes.get(row.id)]
        for shipment_id in left:
            outcomes[shipment_id].append(False)
        report.errors.append(f"polling stopped after {limit:g}s")
        _LOGGER.warning(
            "polling stopped after %gs ([polling] max_poll_seconds); %d parcels wait for the "
            "next cycle",
            limit,
            len(left),
        )
    schedule_next_polls(
        sessions, rows, outcomes, retry_after, now, settings, owner=None if force else owner
    )
    return report


def plan_requests(
    session: Session, rows: Sequence[Any], settings: Settings
) -> dict[str, list[Wanted]]:
    """Group (shipment, number) pairs by provider."""
    plan: dict[str, list[Wanted]] = defaultdict(list)
    # One query, not one per row.
    legs = shipments.leg_numbers_by_shipment(session, [row.id for row in rows])
    for row in rows:
        numbers = (row.tracking_number, *legs.get(row.id, ()))
        origin = origin_country_of(row.tracking_number)
        destination = getattr(row, "dest_country", None)
        for name in providers_for(row, settings):
            plan[name].extend(
                Wanted(row.id, number, origin, destination, numbers) for number in numbers
            )
    return dict(plan)


async def _poll_provider(
    name: str,
    wanted: list[Wanted],
    now: datetime,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    providers: ProviderPool,
    report: PollReport,
    outcomes: dict[int, list[bool]],
    retry_after: dict[int, float],
    progress: Callable[[PollReport], None] | None = None,
) -> None:
    """Ask one provider about its share in batches, a few at a time; store each batch as it arrives.

    The adapter's rate limiter spaces the requests, the semaphore bounds the work in flight.
    """
    try:
        provider = providers.get(name)
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the others
        _note_failure(name, redact(f"cannot start: {exc}"), now, sessions, report)
        return
    providers.recall_answered(name, wanted, sessions)
    size = max(1, provider.batch_size)
    limit = asyncio.Semaphore(
        max(1, int(getattr(getattr(provider, "config", None), "max_concurrency", 4)))
    )
    paused = asyncio.Event()
    # Once one batch recorded the provider's success at `now`, the next ones would write the
    # same values again (a query and a flush per batch): only a failure in between undoes it.
    success_recorded = False

    async def one_batch(batch: list[Wanted]) -> None:
        try:
            await ask(batch)
        finally:
            report.asked += len(batch)
            if progress is not None:
                progress(report)

    async def ask(batch: list[Wanted]) -> None:
        nonlocal success_recorded
        async with limit:
            if paused.is_set():
                return  # the key was rejected meanwhile: do not hammer the provider
            numbers = list(dict.fromkeys(w.number for w in batch))
            report.requests += 1
            try:
                results = await call_with_retry(
                    lambda: provider.fetch(numbers), attempts=settings.polling.retry_attempts
                )
            except ProviderError as exc:
                if isinstance(exc, ProviderAuthError):
                    paused.set()
                success_recorded = False
                handle_provider_error(exc, batch, now, sessions, report, outcomes, retry_after)
                return
            except Exception as exc:  # an adapter bug is reported, not fatal
                _LOGGER.exception(
                    "provider %s crashed on a batch of %d numbers", name, len(numbers)
                )
                success_recorded = False
                handle_provider_error(
                    ProviderError(name, f"adapter error: {type(exc).__name__}"),
                    batch,
                    now,
                    sessions,
                    report,
                    outcomes,
                    retry_after,
                )
                return
            stored = store_isolated(
                name, batch, results, now, sessions, report, record_success=not success_recorded
            )
            success_recorded = True
            report.answered += 1
            for item in batch:
                outcomes[item.shipment_id].append(item.shipment_id in stored)

    await asyncio.gather(*(one_batch(wanted[i : i + size]) for i in range(0, len(wanted), size)))


def handle_provider_error(
    exc: ProviderError,
    batch: Sequence[Wanted],
    now: datetime,
    sessions: sessionmaker[Session],
    report: PollReport,
    outcomes: dict[int, list[bool]],
    retry_after: dict[int, float],
) -> None:
    """Sort a failure: auth pauses the provider, others back it off and the batch's shipments."""
    _note_failure(exc.provider, exc.detail, now, sessions, report, error=exc)
    for item in batch:
        outcomes[item.shipment_id].append(False)
        if isinstance(exc, ProviderRateLimited) and exc.retry_after is not None:
            retry_after[item.shipment_id] = max(
                retry_after.get(item.shipment_id, 0.0), exc.retry_after
            )


def _note_failure(
    name: str,
    detail: str,
    now: datetime,
    sessions: sessionmaker[Session],
    report: PollReport,
    *,
    error: ProviderError | None = None,
) -> None:
    report.errors.append(f"{name}: {detail}")
    with sessions.begin() as session:
        state = provider_states.record_provider_failure(session, name, detail, now)
        failures = state.consecutive_failures
        state.paused_until, state.paused_reason = provider_pause(error, failures, now)
    # Log the first failure loudly, repeats quietly (the provider alert reports long outages).
    auth = isinstance(error, ProviderAuthError)
    log = _LOGGER.warning if failures == 1 or auth else _LOGGER.debug
    log("provider %s failed: %s%s", name, detail, " (paused: check its api_key)" if auth else "")


def schedule_next_polls(
    sessions: sessionmaker[Session],
    rows: Sequence[Any],
    outcomes: Mapping[int, list[bool]],
    retry_after: Mapping[int, float],
    now: datetime,
    settings: Settings,
    *,
    owner: str | None = None,
) -> None:
    """Store each polled shipment's next poll time (success: adaptive; failure: backoff), ending `owner`'s lease.

    Reads the rows afresh as plain rows and writes every next poll time with one executemany:
    ORM objects and their flush were a fifth of polling time (bench/RESULTS.md, throughput).
    """
    from watcher.rules import deadline_for
    from watcher.rules.profiles import resolve_profile

    with sessions.begin() as session:
        schedule: list[tuple[int, int, datetime | None]] = []  # (id, poll failures, next poll)
        for row in shipments.shipments_by_id(session, [r.id for r in rows], SCHEDULE_COLUMNS):
            results = outcomes.get(row.id, [])
            if results and not any(results):
                failures = (row.poll_failures or 0) + 1
                # The jitter is drawn here, at the edge: the schedule itself stays pure.
                retry_at = next_poll_after_failure(
                    now,
                    failures,
                    polling=settings.polling,
                    retry_after=retry_after.get(row.id),
                    jitter=random.uniform(0, RETRY_JITTER),
                )
                schedule.append((row.id, failures, retry_at))
                continue
            view = shipments.to_view(row)
            deadline = deadline_for(view, resolve_profile(settings.profiles, row.marketplace, view))
            schedule.append(
                (
                    row.id,
                    0,
                    next_poll_at(
                        now,
                        status=Status(row.status),
                        polling=settings.polling,
                        last_event_at=row.last_event_at,
                        received_at=row.received_at,
                        deadline=deadline,
                        # Pushed parcels: polled only as a safety net.
                        pushed_at=pushed_at(row, settings),
                        push=settings.push,
                    ),
                )
            )
        shipments.store_poll_schedule(session, schedule, now, owner=owner)
