"""Retry and backoff policy for provider calls.

`call_with_retry` retries one call a few times within a poll (transient failures only);
`next_poll_delay` is the pure per-shipment backoff the poller stores between polls.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from watcher.domain.errors import ProviderRateLimited, ProviderUnavailable

T = TypeVar("T")


def is_retryable(exc: BaseException, *, cap: float = float("inf")) -> bool:
    """Transient failures only; a Retry-After longer than `cap` is left to the poller."""
    if isinstance(exc, ProviderRateLimited):
        return exc.retry_after is None or exc.retry_after <= cap
    # Auth, response and not-found errors are permanent for this call: retrying cannot help.
    return isinstance(exc, ProviderUnavailable)


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Exponential delay for the `attempt`-th retry (1-based) with "equal jitter" in [0, 1)."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    # Half fixed, half random: never zero (no hammering), never in lock-step with other tasks.
    return ceiling / 2 + ceiling / 2 * jitter


async def call_with_retry(
    fn: Callable[[], Awaitable[T]],
    *,
    attempts: int = 3,
    base: float = 1.0,
    cap: float = 60.0,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """Await `fn()`, retrying ProviderUnavailable and ProviderRateLimited up to `attempts` calls.

    Rate-limit errors wait exactly their `retry_after` when the provider gave one (429/503),
    otherwise the jittered exponential backoff. The last error is re-raised unchanged.
    """

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ProviderRateLimited) and exc.retry_after is not None:
            return exc.retry_after
        return backoff_delay(state.attempt_number, base=base, cap=cap, jitter=rng())

    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=retry_if_exception(lambda exc: is_retryable(exc, cap=cap)),
        sleep=sleep,
        reraise=True,
    )

    async def attempt() -> T:
        # tenacity awaits only coroutine functions; `fn` may be a lambda returning an awaitable.
        return await fn()

    return await retrying(attempt)


def next_poll_delay(
    failures: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    jitter: float = 0.0,
) -> float:
    """Seconds until a shipment is polled again after `failures` consecutive failures. Pure.

    `base` is the normal interval (failures=0); each failure doubles it up to `cap`. `jitter`
    is a caller-drawn fraction added on top (e.g. `random.uniform(0, 0.1)`), still within `cap`.
    A provider's `retry_after` is a floor: we never ask earlier than it said, even above `cap`.
    """
    delay = min(cap, base * 2 ** max(0, failures))
    delay = min(cap, delay * (1 + max(0.0, jitter)))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
