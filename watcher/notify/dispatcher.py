"""The outbox dispatcher: delivers due notifications, retrying failures with backoff.

Delivery is at-least-once, and the window for a duplicate is kept small: a row is claimed (a
lease committed to the database) before it is sent, and its outcome is committed right after
its own send. A crash before the send leaves the lease to expire and the row is sent later
(nothing lost); only a crash after the service accepted the message but before the outcome was
committed (a few milliseconds) sends it again. Services that already have a message are
remembered per row, so a retry after a partial failure goes only where it failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings
from watcher.domain.clock import Clock
from watcher.domain.redact import truncate
from watcher.notify.messages import DigestItem, render_digest, render_test
from watcher.notify.outbox import enqueue_missed, enqueue_reminders
from watcher.notify.routing import Route, Router, after_quiet, rank
from watcher.notify.transport import Delivery, Notifier
from watcher.store import claims
from watcher.store.tables import NotificationRow

_LOGGER = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
#: Rows claimed per dispatch; what is left is due at the next tick.
CLAIM_LIMIT = 200


@dataclass
class DispatchReport:
    """What one dispatch did: messages sent, sends failed, reminders written."""

    sent: int = 0
    failed: int = 0
    reminders: int = 0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One send: a single row, or a target's digest members folded into one message."""

    ids: tuple[int, ...]
    target: str
    title: str
    body: str
    html: str | None
    done: frozenset[str]
    attempts: int
    severity: str = "info"  # or "resolved": apprise's notify type follows it


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, ... capped at an hour."""
    return min(RETRY_CAP, RETRY_BASE * (2 ** max(0, attempts - 1)))


async def dispatch_due(
    now: datetime,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    notifier: Notifier,
    owner: str = "local",
    targets: Sequence[str] | None = None,
) -> DispatchReport:
    """Write due reminders, then send every due outbox message; record success or schedule a retry."""
    router = (
        Router.coerce(targets)
        if targets is not None
        else Router.from_settings(settings, notifier.targets())
    )
    report = DispatchReport(reminders=write_reminders(now, sessions=sessions, router=router))
    with sessions() as session:
        # Claimed with a lease, so another instance never sends the same row (store/claims.py).
        lease = timedelta(seconds=settings.service.instance_lease_seconds)
        claimed = claims.claim_notifications(
            session, owner=owner, now=now, lease=lease, limit=CLAIM_LIMIT
        )
        batches = build_batches(claimed, now, router)
    for batch in batches:
        delivery = await asyncio.to_thread(
            notifier.send,
            batch.target,
            batch.title,
            batch.body,
            html=batch.html,
            skip=batch.done,
            severity=batch.severity,
        )
        with sessions.begin() as session:
            for row_id in batch.ids:
                row = session.get(NotificationRow, row_id)
                if row is None or row.sent_at is not None:
                    continue
                record_attempt(
                    row,
                    delivery,
                    now,
                    settings=settings,
                    route=router.route(batch.target),
                    tz=router.tz,
                )
                claims.release(row, owner)
        log_outcome(batch, delivery)
        if delivery.ok:
            report.sent += 1
        else:
            report.failed += 1
    return report


def write_reminders(now: datetime, *, sessions: sessionmaker[Session], router: Router) -> int:
    """Enqueue reminders that came due (a concurrent instance writing the same one is fine)."""
    try:
        with sessions.begin() as session:
            # Targets added later hear about what is still actionable (docs/notifications.md).
            return enqueue_missed(session, now, targets=router) + enqueue_reminders(
                session, now, targets=router
            )
    except IntegrityError:
        _LOGGER.debug("another instance wrote the same reminder; it is sent once")
        return 0


def build_batches(rows: Sequence[NotificationRow], now: datetime, router: Router) -> list[Outgoing]:
    """Single messages in due order, then one digest per target for the digest rows."""
    singles: list[Outgoing] = []
    digests: dict[str, list[NotificationRow]] = {}
    for row in rows:
        payload = row.payload or {}
        if payload.get("digest"):
            digests.setdefault(row.target, []).append(row)
            continue
        singles.append(
            Outgoing(
                (row.id,),
                row.target,
                row.title,
                row.body,
                payload.get("html"),
                _done(row),
                row.attempts or 0,
                "resolved" if row.event == "resolved" else row.severity,
            )
        )
    return singles + [
        digest_batch(target, members, now, router) for target, members in digests.items()
    ]


def digest_batch(
    target: str, members: Sequence[NotificationRow], now: datetime, router: Router
) -> Outgoing:
    """Fold a target's due digest rows into one message."""
    items = [
        DigestItem(row.title, str((row.payload or {}).get("line") or ""), row.severity)
        for row in members
    ]
    rendered = render_digest(items, router.today(now), router.templates)
    done = frozenset.intersection(*(_done(row) for row in members))
    attempts = max(row.attempts or 0 for row in members)
    return Outgoing(
        tuple(row.id for row in members),
        target,
        rendered.title,
        rendered.text,
        rendered.html,
        done,
        attempts,
        max((row.severity for row in members), key=rank),
    )


def _done(row: NotificationRow) -> frozenset[str]:
    return frozenset((row.payload or {}).get("done") or ())


def record_attempt(
    row: NotificationRow,
    delivery: Delivery,
    now: datetime,
    *,
    settings: Settings,
    route: Route | None = None,
    tz: ZoneInfo | None = None,
) -> None:
    """Store one attempt's outcome: sent, a retry time (outside quiet hours), or given up."""
    row.attempts = (row.attempts or 0) + 1
    row.last_attempt_at = now
    payload = dict(row.payload or {})
    if delivery.done:
        # A new dict: the JSON column only notices assignment, not mutation.
        payload["done"] = sorted(set(payload.get("done") or ()) | delivery.done)
        row.payload = payload
    if delivery.ok:
        row.sent_at = now
        row.last_error = None
        return
    row.last_error = truncate(delivery.error or "delivery failed", 1000)  # redacts, then cuts
    if now - row.created_at >= timedelta(hours=settings.notify.retry_max_hours):
        row.failed_at = now  # give up; `watcher notifications` and `watcher status` show it
        return
    retry_at = now + retry_delay(row.attempts)
    if route is not None and tz is not None:
        retry_at = after_quiet(route, retry_at, tz, urgent=bool(payload.get("urgent")))
    row.due_at = retry_at


def log_outcome(batch: Outgoing, delivery: Delivery) -> None:
    """Log a send: titles are fine to log, URLs are not (errors never contain them)."""
    what = f"digest of {len(batch.ids)}" if len(batch.ids) > 1 else "notification"
    if delivery.ok:
        _LOGGER.info("%s sent to %s: %s", what, batch.target, batch.title)
    else:
        _LOGGER.warning(
            "%s to %s failed (attempt %d): %s",
            what,
            batch.target,
            batch.attempts + 1,
            delivery.error,
        )


def send_test(
    names: Sequence[str],
    *,
    sessions: sessionmaker[Session],
    notifier: Notifier,
    router: Router,
    clock: Clock,
) -> list[tuple[str, Delivery]]:
    """Send a test message to each target now (not through the queue) and record the outcome."""
    from uuid import uuid4

    results: list[tuple[str, Delivery]] = []
    for name in names:
        now = clock.now()
        rendered = render_test(
            name, f"{now.astimezone(router.tz):%Y-%m-%d %H:%M %Z}", router.templates
        )
        delivery = notifier.send(name, rendered.title, rendered.text, html=rendered.html)
        results.append((name, delivery))
        log_outcome(
            Outgoing((0,), name, rendered.title, rendered.text, None, frozenset(), 0), delivery
        )
        if not delivery.ok:
            continue  # reported on screen; a failed test must not count as a lost message in `status`
        with sessions.begin() as session:
            # Kept in the outbox history so `watcher notifications` shows working tests too.
            session.add(
                NotificationRow(
                    target=name,
                    event="test",
                    severity="info",
                    title=rendered.title,
                    body=rendered.text,
                    dedupe_key=f"test:{name}:{now.isoformat()}:{uuid4().hex[:8]}",
                    created_at=now,
                    due_at=now,
                    attempts=1,
                    last_attempt_at=now,
                    sent_at=now,
                    payload={"v": 1, "test": True},
                )
            )
    return results
