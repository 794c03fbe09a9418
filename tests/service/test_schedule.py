"""The pure schedule: a failed shipment's backoff and a failing provider's pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.config import PollingConfig
from watcher.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
)
from watcher.service.schedule import failed_poll_delay, next_poll_after_failure, provider_pause

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "retry_after", "jitter", "expected"),
    [
        (0, None, 0.0, 60),
        (1, None, 0.0, 120),
        (3, None, 0.0, 480),
        (20, None, 0.0, 3600),  # capped
        (1, None, 0.1, 132),
        (20, None, 0.5, 3600),  # jitter never exceeds the cap
        (1, 900, 0.0, 900),  # Retry-After is a floor
        (1, 7200, 0.0, 7200),  # even above the cap
        (5, 10, 0.0, 1920),
    ],
)
def test_failed_poll_delay(
    failures: int, retry_after: float | None, jitter: float, expected: float
) -> None:
    assert failed_poll_delay(
        failures, base=60, cap=3600, retry_after=retry_after, jitter=jitter
    ) == pytest.approx(expected)


def test_next_poll_after_failure_starts_at_a_minute_and_caps_at_max_backoff_hours() -> None:
    polling = PollingConfig()
    assert next_poll_after_failure(
        T0, 1, polling=polling, retry_after=None, jitter=0.0
    ) == T0 + timedelta(minutes=2)
    far = next_poll_after_failure(T0, 50, polling=polling, retry_after=None, jitter=0.05)
    assert far == T0 + timedelta(hours=polling.max_backoff_hours)
    assert next_poll_after_failure(
        T0, 1, polling=polling, retry_after=600, jitter=0.0
    ) == T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("error", "failures", "until", "reason"),
    [
        (ProviderAuthError("p", "401"), 1, T0 + timedelta(hours=6), "auth: 401"),
        (
            ProviderRateLimited("p", "429", retry_after=90),
            1,
            T0 + timedelta(seconds=90),
            "rate limited",
        ),
        (
            ProviderUnavailable("p", "503"),
            1,
            T0 + timedelta(minutes=1),
            "backing off after 1 failures",
        ),
        (
            ProviderUnavailable("p", "503"),
            3,
            T0 + timedelta(minutes=4),
            "backing off after 3 failures",
        ),
        (
            ProviderUnavailable("p", "503"),
            30,
            T0 + timedelta(hours=1),
            "backing off after 30 failures",
        ),
        (
            # A long outage of a provider with one number per request: no OverflowError.
            ProviderUnavailable("p", "503"),
            5000,
            T0 + timedelta(hours=1),
            "backing off after 5000 failures",
        ),
        (ProviderResponseError("p", "bad json"), 5, None, None),
        (None, 1, None, None),
    ],
)
def test_provider_pause(
    error: Exception | None, failures: int, until: datetime | None, reason: str | None
) -> None:
    assert provider_pause(error, failures, T0) == (until, reason)  # type: ignore[arg-type]
