"""Provider alerts: failing for hours, or paused because the key was rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.rules.providers import (
    AUTH_REASON_PREFIX,
    PROVIDER_FAILING_ALERT_AFTER,
    failing_too_long,
    provider_alerts,
)

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failing_since", "paused_reason", "message"),
    [
        (None, None, None),
        (T0 - timedelta(hours=5, minutes=59), None, None),
        (T0 - timedelta(hours=5), "backing off after 4 failures", None),
        (
            T0 - timedelta(hours=6),
            None,
            "replay has failed for 6 h: check the key, base_url and network. Last error: boom.",
        ),
        (
            T0 - timedelta(minutes=1),
            AUTH_REASON_PREFIX + "401",
            "replay rejected its key and is paused: check",
        ),
        (None, AUTH_REASON_PREFIX + "401", "replay rejected its key and is paused: check"),
    ],
)
def test_provider_alerts(
    failing_since: datetime | None, paused_reason: str | None, message: str | None
) -> None:
    alerts = provider_alerts(
        "replay",
        failing_since=failing_since,
        paused_reason=paused_reason,
        last_error="boom",
        now=T0,
    )
    if message is None:
        assert alerts == []
        return
    [alert] = alerts
    assert (alert.tracking_number, alert.kind, alert.key) == (
        "provider:replay",
        "provider_failing",
        "provider",
    )
    assert alert.message.startswith(message)


def test_failing_too_long_is_the_alert_threshold() -> None:
    assert failing_too_long(T0 - PROVIDER_FAILING_ALERT_AFTER, T0)
    assert not failing_too_long(T0 - PROVIDER_FAILING_ALERT_AFTER + timedelta(seconds=1), T0)
    assert not failing_too_long(None, T0)
