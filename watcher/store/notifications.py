"""The notification outbox's write side: one row per message, deduplicated by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.store.tables import NotificationRow


def enqueue_notification(
    session: Session,
    *,
    target: str,
    event: str,
    title: str,
    body: str,
    dedupe_key: str,
    now: datetime,
    due_at: datetime | None = None,
    alert_id: int | None = None,
    severity: str = "info",
    payload: dict[str, Any] | None = None,
) -> bool:
    """Write a message to the outbox unless the same one was already written (True if new)."""
    if session.scalar(select(NotificationRow.id).where(NotificationRow.dedupe_key == dedupe_key)):
        return False
    session.add(
        NotificationRow(
            alert_id=alert_id,
            target=target,
            event=event,
            severity=severity,
            title=title,
            body=body,
            dedupe_key=dedupe_key,
            created_at=now,
            due_at=due_at or now,
            attempts=0,
            payload=payload,
        )
    )
    return True
