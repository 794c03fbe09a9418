"""call_with_retry and retry_delay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from watcher.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
    TrackingNotFound,
)
from watcher.providers.retry import call_with_retry, retry_delay


def flaky(*errors: Exception) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """A call failing with `errors` in turn, then returning "ok"; and its call counter."""
    calls = [0]

    async def fn() -> str:
        calls[0] += 1
        if calls[0] <= len(errors):
            raise errors[calls[0] - 1]
        return "ok"

    return fn, calls


def run(fn: Callable[[], Awaitable[str]], sleeps: list[float], **kwargs: float) -> str:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    options = {"attempts": 3, "base": 1.0, "cap": 30.0, **kwargs}
    return asyncio.run(call_with_retry(fn, sleep=sleep, rng=lambda: 0.5, **options))  # type: ignore[arg-type]


def test_retries_unavailable_with_jittered_exponential_backoff() -> None:
    fn, calls = flaky(ProviderUnavailable("p", "timeout"), ProviderUnavailable("p", "502"))
    sleeps: list[float] = []
    assert run(fn, sleeps) == "ok"
    assert calls[0] == 3
    assert sleeps == [0.75, 1.5]  # ceilings 1 and 2, equal jitter with rng 0.5


def test_rate_limited_waits_exactly_retry_after() -> None:
    fn, _ = flaky(ProviderRateLimited("p", "429", retry_after=7))
    sleeps: list[float] = []
    assert run(fn, sleeps) == "ok"
    assert sleeps == [7]


def test_rate_limited_beyond_cap_is_left_to_the_poller() -> None:
    fn, calls = flaky(ProviderRateLimited("p", "429", retry_after=3600))
    with pytest.raises(ProviderRateLimited):
        run(fn, [])
    assert calls[0] == 1


@pytest.mark.parametrize(
    "error",
    [
        ProviderAuthError("p", "401"),
        ProviderResponseError("p", "html"),
        TrackingNotFound("p", "X1"),
    ],
)
def test_permanent_errors_are_not_retried(error: Exception) -> None:
    fn, calls = flaky(error)
    with pytest.raises(type(error)):
        run(fn, [])
    assert calls[0] == 1


def test_gives_up_after_attempts_and_reraises_last_error() -> None:
    fn, calls = flaky(*(ProviderUnavailable("p", str(i)) for i in range(5)))
    with pytest.raises(ProviderUnavailable, match="p: 2"):
        run(fn, [], attempts=3)
    assert calls[0] == 3


def test_retry_delay_is_capped() -> None:
    assert retry_delay(10, base=1, cap=30, jitter=0.999) < 30
    assert retry_delay(1, base=4, cap=30, jitter=0) == 2
