"""Alerts as stored: opened, escalated, updated and resolved to match what the rules say now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from watcher.domain.models import Alert
from watcher.store.tables import AlertRow


def open_alerts(session: Session, subject: str | None = None) -> list[AlertRow]:
    """Alerts not resolved (of one subject when given), oldest first."""
    query = (
        select(AlertRow)
        .where(AlertRow.resolved_at.is_(None))
        .order_by(AlertRow.opened_at, AlertRow.id)
    )
    if subject is not None:
        query = query.where(AlertRow.subject == subject)
    return list(session.scalars(query))


def open_alerts_by_subject(session: Session, subjects: Sequence[str]) -> dict[str, list[AlertRow]]:
    """Open alerts of many subjects in one query (same order as `open_alerts`)."""
    query = (
        select(AlertRow)
        .where(AlertRow.resolved_at.is_(None), AlertRow.subject.in_(list(subjects)))
        .order_by(AlertRow.opened_at, AlertRow.id)
    )
    found: dict[str, list[AlertRow]] = {subject: [] for subject in subjects}
    for row in session.scalars(query):
        found[row.subject].append(row)
    return found


def recent_alerts(session: Session, since: datetime) -> list[AlertRow]:
    """Open alerts and those resolved since `since`, oldest first."""
    query = (
        select(AlertRow)
        .where(or_(AlertRow.resolved_at.is_(None), AlertRow.resolved_at >= since))
        .order_by(AlertRow.opened_at, AlertRow.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class AlertChange:
    """What happened to one alert in one evaluation."""

    row: AlertRow
    change: str  # "opened", "escalated", "updated", "resolved"


def apply_alerts(
    session: Session,
    subject: str,
    shipment_id: int | None,
    alerts: Sequence[Alert],
    now: datetime,
    *,
    open_rows: Sequence[AlertRow] | None = None,
) -> list[AlertChange]:
    """Open, update or resolve the subject's alerts to match what the rules say now.

    `open_rows` are the subject's open alerts when the caller loaded them already (in bulk).
    """
    current = {
        row.key: row for row in (open_alerts(session, subject) if open_rows is None else open_rows)
    }
    changes: list[AlertChange] = []
    seen: set[str] = set()
    for alert in alerts:
        key = alert.alert_key
        seen.add(key)
        row = current.get(key)
        if row is None:
            row = AlertRow(subject=subject, shipment_id=shipment_id, key=key, opened_at=now)
            fill_alert(row, alert, now)
            session.add(row)
            changes.append(AlertChange(row, "opened"))
        elif row.state_key != alert.state_key or row.kind != alert.kind:
            fill_alert(row, alert, now)
            changes.append(AlertChange(row, "escalated"))
        elif row.message != alert.message:
            fill_alert(row, alert, now)
            changes.append(AlertChange(row, "updated"))
    for key, row in current.items():
        if key not in seen:
            row.resolved_at = now
            row.updated_at = now
            changes.append(AlertChange(row, "resolved"))
    if changes:
        session.flush()  # new alerts need their ids (outbox dedupe keys); otherwise flush at commit
    return changes


def fill_alert(row: AlertRow, alert: Alert, now: datetime) -> None:
    """Copy what the rules say about an alert onto its row."""
    row.kind = alert.kind
    row.action = alert.action.value
    row.severity = alert.severity.value
    row.message = alert.message
    row.act_by = alert.act_by
    row.evidence = list(alert.evidence)
    row.state_key = alert.state_key
    row.updated_at = now
