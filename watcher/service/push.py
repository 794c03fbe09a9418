"""Provider push: a pushed tracking item goes through the same parse → normalize → store path as a poll.

Storing is idempotent (events are de-duplicated by fingerprint, estimates record only moves,
legs only new numbers), so a provider that delivers the same push twice stores nothing new.
After a push the parcel is polled only as a safety net (`schedule.push_safety_net`), and
`FollowUp` runs evaluation and dispatch at once, so the notification leaves within seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings
from watcher.domain.errors import InputError
from watcher.domain.models import TrackingResult
from watcher.domain.numbers import normalize_tracking_number
from watcher.providers.aftership.adapter import parse_tracking
from watcher.providers.base import as_dict
from watcher.providers.seventeentrack.adapter import parse_track_item
from watcher.service.schedule import push_safety_net, pushed_at
from watcher.service.storing import PollReport, Wanted, store_batch
from watcher.store import shipments
from watcher.store.tables import ShipmentRow

if TYPE_CHECKING:
    from watcher.service.app import App

_LOGGER = logging.getLogger(__name__)

#: 17TRACK's events: news about a number, and "we stopped tracking it" (no more pushes).
UPDATED, STOPPED = "TRACKING_UPDATED", "TRACKING_STOPPED"
#: AfterShip's events that carry a tracking object in `msg`.
AFTERSHIP_EVENTS = frozenset({"tracking_update", "edd_revise", "tracking_pending_time"})


@dataclass(frozen=True, slots=True)
class PushItem:
    """What one push says: the provider's tracking result, and whether pushes stop now."""

    provider: str
    result: TrackingResult
    stopped: bool = False


@dataclass
class PushOutcome:
    """What storing one push did (the webhook's answer and log line)."""

    provider: str
    number: str
    shipment_id: int | None = None
    new: int = 0
    ignored: str | None = None  # why nothing was stored

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "tracking_number": self.number,
            "stored": self.new,
            **({"ignored": self.ignored} if self.ignored else {}),
        }


def seventeentrack_item(payload: Any) -> PushItem | None:
    """A 17TRACK push (`{"event", "data": <one gettrackinfo accepted item>}`); None if it carries none."""
    body = as_dict(payload)
    event = str(body.get("event") or "")
    data = as_dict(body.get("data"))
    if event not in (UPDATED, STOPPED) or not data.get("number"):
        return None
    return PushItem("17track", parse_track_item(data), stopped=event == STOPPED)


def aftership_item(payload: Any) -> PushItem | None:
    """An AfterShip push (`{"event", "msg": <tracking>, "ts", "event_id"}`); None if it carries none."""
    body = as_dict(payload)
    tracking = as_dict(body.get("msg"))
    tracking = as_dict(tracking.get("tracking")) or tracking  # v4 wraps it like its answers
    if str(body.get("event") or "") not in AFTERSHIP_EVENTS or not tracking.get("tracking_number"):
        return None
    return PushItem("aftership", parse_tracking(tracking))


def store_push(
    item: PushItem, now: datetime, *, settings: Settings, sessions: sessionmaker[Session]
) -> PushOutcome:
    """Store a pushed result for the parcel (or leg) it names; numbers not watched are ignored."""
    raw = item.result.tracking_number
    try:
        number = normalize_tracking_number(raw)
    except InputError:
        return PushOutcome(item.provider, raw[:40], ignored="not a tracking number")
    outcome = PushOutcome(item.provider, number)
    with sessions() as session:
        row = shipments.find_shipment(session, number)
        if row is None or row.archived_at is not None:
            outcome.ignored = "not watched"
            return outcome
        outcome.shipment_id = row.id
    report = PollReport()
    result = item.result if item.result.tracking_number == number else _renamed(item.result, number)
    store_batch(
        item.provider,
        [Wanted(outcome.shipment_id, number)],
        {number: result},
        now,
        sessions,
        report,
        record_success=False,  # provider health is about our polling, not their pushes
    )
    outcome.new = report.new_events
    _record_push(
        outcome.shipment_id, now, stopped=item.stopped, settings=settings, sessions=sessions
    )
    return outcome


def _renamed(result: TrackingResult, number: str) -> TrackingResult:
    from dataclasses import replace

    return replace(result, tracking_number=number)


def _record_push(
    shipment_id: int,
    now: datetime,
    *,
    stopped: bool,
    settings: Settings,
    sessions: sessionmaker[Session],
) -> None:
    """Note the push and move the next poll out to the safety net (a stop brings polling back)."""
    with sessions.begin() as session:
        row = session.get(ShipmentRow, shipment_id)
        if row is None:
            return
        if stopped:
            # No more pushes will come: the adaptive schedule takes over at the next poll.
            row.last_push_at = None
            return
        row.last_push_at = now
        # A parcel whose poll is claimed right now gets its next poll from the poller.
        if row.lease_owner is None:
            row.next_poll_at = push_safety_net(
                now, row.next_poll_at, pushed_at=pushed_at(row, settings), push=settings.push
            )


def unevaluated(
    sessions: sessionmaker[Session], shipment_ids: Iterable[int], since: datetime
) -> set[int]:
    """Those of `shipment_ids` still waiting for the evaluation a push asked for at `since`."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return set()
    t = ShipmentRow.__table__.c
    query = select(t.id).where(t.id.in_(ids), t.next_eval_at.is_not(None), t.next_eval_at <= since)
    with sessions() as session:
        return set(session.scalars(query))


class FollowUp:
    """Evaluates and dispatches right after pushes, one run at a time, bursts coalesced.

    When another instance holds the evaluation lock, its run may have started before the push
    was stored: the follow-up checks that the pushed parcels were evaluated and tries again.
    """

    #: Pause between tries while another instance is evaluating.
    RETRY_SECONDS = 0.2
    #: Tries before leaving the parcel to the daemon's next tick.
    ATTEMPTS = 25

    def __init__(self, app: App) -> None:
        self.app = app
        self._pending: dict[int, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def request(self, shipment_id: int, stored_at: datetime) -> None:
        """Ask for an evaluation of `shipment_id` (something new was stored at `stored_at`)."""
        self._pending[shipment_id] = max(stored_at, self._pending.get(shipment_id, stored_at))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._pending:
            pending, self._pending = self._pending, {}
            try:
                await self._settle(pending)
            except Exception as exc:  # noqa: BLE001 - the daemon's tick catches up
                _LOGGER.warning("evaluation after a push failed: %s", type(exc).__name__)

    async def _settle(self, pending: dict[int, datetime]) -> None:
        for attempt in range(self.ATTEMPTS):
            await self.app.cycle(poll=False)
            self.runs += 1
            left = {
                i
                for i in unevaluated(self.app.sessions, pending, max(pending.values()))
                if i in pending
            }
            if not left:
                return
            pending = {i: pending[i] for i in left}
            if attempt + 1 < self.ATTEMPTS:
                await asyncio.sleep(self.RETRY_SECONDS)
        _LOGGER.info("%d pushed parcels left for the next tick (evaluation busy)", len(pending))

    async def wait(self) -> None:
        """Until the follow-ups asked for so far are done (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
