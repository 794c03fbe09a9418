"""Each provider's health as stored: last success, failures in a row, pauses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.domain.redact import redact
from watcher.store.tables import ProviderStateRow


def provider_state(session: Session, name: str) -> ProviderStateRow:
    """The provider's row, added (no failures yet) on first use."""
    row = session.get(ProviderStateRow, name)
    if row is None:
        row = ProviderStateRow(name=name, consecutive_failures=0)
        session.add(row)
    return row


def record_provider_success(session: Session, name: str, now: datetime) -> ProviderStateRow:
    """A successful request: the failure streak and any pause end."""
    row = provider_state(session, name)
    row.last_success_at = now
    row.consecutive_failures = 0
    row.failing_since = None
    row.paused_until = None
    row.paused_reason = None
    return row


def record_provider_failure(
    session: Session, name: str, error: str, now: datetime, *, paused_until: datetime | None = None
) -> ProviderStateRow:
    """A failed request: one more in the streak, and a pause when one is given."""
    row = provider_state(session, name)
    row.last_error_at = now
    row.last_error = redact(error)
    row.consecutive_failures = (row.consecutive_failures or 0) + 1
    row.failing_since = row.failing_since or now
    if paused_until is not None:
        row.paused_until = paused_until
        row.paused_reason = error
    return row


def provider_states(session: Session) -> list[ProviderStateRow]:
    """Every provider's row, by name."""
    return list(session.scalars(select(ProviderStateRow).order_by(ProviderStateRow.name)))
