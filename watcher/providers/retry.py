"""Request retries for provider calls: one call is retried a few times within a poll.

Transient failures only; when a shipment is polled again after a failed poll is decided by
`watcher.service.schedule`. `retry_delay` is pure: `call_with_retry`, the I/O edge, draws its jitter.
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


def retry_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before the `attempt`-th retry (1-based) of one call, with "equal jitter" in [0, 1)."""
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
        return retry_delay(state.attempt_number, base=base, cap=cap, jitter=rng())

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
