"""Blind spots per provider: one that keeps failing, or was paused because it rejected its key. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from watcher.domain.models import Action, Alert, Severity

#: How long a provider may fail before the owner hears about it (alert and `watcher status`).
PROVIDER_FAILING_ALERT_AFTER = timedelta(hours=6)
#: Marks a pause caused by a rejected key: the poller writes it, the alert reads it.
AUTH_REASON_PREFIX = "auth: "


def is_auth_pause(paused_reason: str | None) -> bool:
    """True when a provider's pause reason says its key was rejected."""
    return bool(paused_reason and paused_reason.startswith(AUTH_REASON_PREFIX))


def failing_too_long(failing_since: datetime | None, now: datetime) -> bool:
    """True once a provider has failed for PROVIDER_FAILING_ALERT_AFTER or longer."""
    return failing_since is not None and now - failing_since >= PROVIDER_FAILING_ALERT_AFTER


def provider_alerts(
    name: str,
    *,
    failing_since: datetime | None,
    paused_reason: str | None,
    last_error: str | None,
    now: datetime,
) -> list[Alert]:
    """The open alert of one provider's state at `now`: none, or one `provider_failing`."""
    paused = is_auth_pause(paused_reason)
    if not (paused or failing_too_long(failing_since, now)):
        return []
    failing_for = now - failing_since if failing_since else None
    return [provider_alert(name, failing_for, last_error, paused=paused)]


def provider_alert(
    name: str, failing_for: timedelta | None, last_error: str | None, *, paused: bool
) -> Alert:
    """The `provider_failing` alert: paused for its key, or failing for whole hours."""
    hours_failing = int(failing_for.total_seconds() // 3600) if failing_for else 0
    what = "rejected its key and is paused" if paused else f"has failed for {hours_failing} h"
    return Alert(
        tracking_number=f"provider:{name}",
        kind="provider_failing",
        action=Action.CHECK_PROVIDER,
        severity=Severity.WARNING,
        message=(
            f"{name} {what}: check the key, base_url and network. "
            f"Last error: {last_error or 'unknown'}."
        ),
        key="provider",
    )
