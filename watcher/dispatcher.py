"""The outbox dispatcher: delivers queued notifications, retrying failures with backoff."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from watcher.config import Settings
from watcher.notify import Notifier
from watcher.store import claims, repo
from watcher.store.tables import NotificationRow

_LOGGER = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, ... capped at an hour."""
    return min(RETRY_CAP, RETRY_BASE * (2 ** max(0, attempts - 1)))


async def dispatch_due(
    now: datetime, *, settings: Settings, sessions: sessionmaker[Session], notifier: Notifier, owner: str = "local"
) -> DispatchReport:
    """Send every due outbox message once; record success or schedule a retry."""
    report = DispatchReport()
    with sessions() as session:
        # Claimed with a lease, so another instance never sends the same row (store/claims.py).
        lease = timedelta(seconds=settings.service.instance_lease_seconds)
        due = claims.claim_notifications(session, owner=owner, now=now, lease=lease)
    for message in due:
        delivery = await asyncio.to_thread(notifier.send, message.target, message.title, message.body)
        with sessions.begin() as session:
            row = session.get(NotificationRow, message.id)
            if row is None or row.sent_at is not None:
                continue
            record_attempt(row, delivery.ok, delivery.error, now, settings)
            claims.release(row, owner)
        if delivery.ok:
            report.sent += 1
            _LOGGER.info("notification sent to %s: %s", message.target, message.title)
        else:
            report.failed += 1
            _LOGGER.warning("notification to %s failed (attempt %d): %s", message.target, message.attempts + 1, delivery.error)
    return report


def record_attempt(row: NotificationRow, ok: bool, error: str | None, now: datetime, settings: Settings) -> None:
    row.attempts = (row.attempts or 0) + 1
    row.last_attempt_at = now
    if ok:
        row.sent_at = now
        row.last_error = None
        return
    row.last_error = error
    if now - row.created_at >= timedelta(hours=settings.notify.retry_max_hours):
        row.failed_at = now  # give up; `watcher notifications` shows it
    else:
        row.due_at = now + retry_delay(row.attempts)
