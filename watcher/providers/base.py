"""The one small interface every tracking adapter implements, plus shared HTTP glue.

An adapter turns a batch of tracking numbers into `TrackingResult`s. It never sleeps, never
loops on retries and never touches the database: the poller decides when to ask again.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from watcher.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
)
from watcher.domain.models import TrackingResult
from watcher.providers.ratelimit import RateLimiter

if TYPE_CHECKING:
    import httpx  # imported where a client is made: `watcher status` and `list` need only the config models

T = TypeVar("T")


class ProviderConfig(BaseModel):
    """Keys every `[providers.NAME]` table accepts. Adapters may subclass to add their own."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    enabled: bool = True
    api_key: SecretStr | None = None
    base_url: str | None = None
    #: Seconds to connect, and between two pieces of an answer.
    timeout: float = Field(default=20.0, gt=0, le=600)
    #: Seconds for a whole request, connect and every read: a server trickling bytes ends here.
    total_timeout: float = Field(default=60.0, gt=0, le=3600)
    #: Override the adapter's documented limits (None = the adapter's default).
    requests_per_second: float | None = Field(default=None, gt=0, le=1_000_000)
    requests_per_day: int | None = Field(default=None, gt=0, le=1_000_000_000)
    batch_size: int | None = Field(default=None, gt=0, le=1000)
    max_concurrency: int = Field(default=4, gt=0, le=64)


@runtime_checkable
class TrackingProvider(Protocol):
    """A source of tracking events."""

    name: str
    #: How many numbers fit in one request.
    batch_size: int

    async def fetch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        """Return what the provider knows about each number.

        A number absent from the result, or present with `found=False`, is unknown to the
        provider (yet). A failure of the whole batch raises a `ProviderError` subclass.
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class RemembersNumbers(Protocol):
    """Optional: an adapter that saves requests for numbers it answered in an earlier run.

    The poller calls `remember_answered` once per number and process with the numbers this
    provider reported events for before (stored in the database, which adapters never touch).
    17TRACK uses it to skip `register` for numbers registered before a restart.
    """

    def remember_answered(self, numbers: Collection[str]) -> None:
        """Numbers this provider answered before (a subset of those about to be fetched)."""
        ...


class ProviderFactory(Protocol):
    """What the `watcher.providers` entry point must resolve to (usually the adapter class)."""

    config_model: ClassVar[type[ProviderConfig]]

    def __call__(
        self,
        config: Any,
        *,
        name: str,
        config_dir: Path,
    ) -> TrackingProvider: ...


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def excerpt(text: str, limit: int = 120) -> str:
    """A short one-line excerpt of a response body for log lines."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def batched(items: Sequence[T], size: int) -> list[list[T]]:
    """Split `items` into consecutive chunks of at most `size` (order kept, duplicates dropped)."""
    unique = list(dict.fromkeys(items))
    step = max(1, size)
    return [unique[i : i + step] for i in range(0, len(unique), step)]


def as_list(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty list (providers send null or objects instead)."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """A stripped non-empty string, or None."""
    if value is None:
        return None
    result = str(value).strip()
    return result or None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as datetime (aware when it carries an offset), else None."""
    raw = value.strip() if type(value) is str else text(value)  # inlined: called per event
    if not raw:
        return None
    if raw[-1] in "Zz":
        raw = raw[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")


def parse_offset(value: Any) -> timezone | None:
    """A fixed offset from "+02:00", "UTC+8", "GMT-3", "-0300", "Z" (None when absent or unreadable)."""
    raw = text(value)
    if raw is None:
        return None
    if raw.upper() in ("Z", "UTC", "GMT"):
        return UTC  # type: ignore[return-value]
    match = _OFFSET.match(raw)
    if not match:
        return None
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(-delta if match.group(1) == "-" else delta)


def parse_country(*values: Any) -> str | None:
    """ISO alpha-2 from the first of `values` that is an alpha-2/alpha-3 code or a known name.

    An unknown two-letter code is kept as it is (a provider may know more countries than we do).
    """
    from watcher.timeline.zones import country_code

    for value in values:
        raw = text(value)
        if raw is None:
            continue
        code = country_code(raw)
        if code is not None:
            return code
        if len(raw) == 2 and raw.isalpha():
            return raw.upper()
    return None


def parse_date(value: Any) -> date | None:
    """The calendar date of an ISO date or timestamp (the provider's local date), else None."""
    moment = parse_datetime(value)
    if moment is not None:
        return moment.date()
    raw = text(value)
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


class HttpProvider:
    """Base for HTTP adapters: one client, rate limiting, error mapping to the exception tree.

    Subclasses set `name`, `batch_size`, `default_base_url`, the documented rate budget and
    `config_model`, and implement `fetch_batch()` with pure `build_*`/`parse_*` helpers.
    `fetch()` splits larger inputs into batches. The api key is sent per request, redacted
    from every message, and never part of a repr.
    """

    name: str = "http"
    batch_size: int = 1
    default_base_url: ClassVar[str] = ""
    config_model: ClassVar[type[ProviderConfig]] = ProviderConfig
    #: Documented budget; `requests_per_second` / `requests_per_day` in the config override it.
    default_requests_per_second: ClassVar[float | None] = None
    default_requests_per_day: ClassVar[int | None] = None
    #: Longest wait for a request slot before giving up with ProviderRateLimited.
    max_rate_wait: ClassVar[float] = 120.0
    user_agent: ClassVar[str] = "watcher/0.1 (+self-hosted parcel tracker)"

    def __init__(
        self,
        config: ProviderConfig,
        *,
        name: str | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.name = name or self.name
        self.config = config
        self.config_dir = config_dir
        self.batch_size = config.batch_size or self.batch_size
        self.log = logging.getLogger(f"watcher.providers.{self.name}")
        self.limiter = self.make_limiter()
        # No auth headers on the client: they are added per request, so a missing key fails
        # the fetch (pausing this provider) instead of the daemon's start-up.
        import httpx

        self._client = httpx.AsyncClient(
            base_url=config.base_url or self.default_base_url,
            timeout=config.timeout,
            headers={"User-Agent": self.user_agent},
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} base_url={str(self._client.base_url)!r}>"

    def make_limiter(
        self, per_second: float | None = None, per_day: int | None = None
    ) -> RateLimiter:
        """A limiter with the configured (or given, or documented) budget."""
        return RateLimiter(
            per_second=self.config.requests_per_second
            or per_second
            or self.default_requests_per_second,
            per_day=self.config.requests_per_day or per_day or self.default_requests_per_day,
            name=self.name,
            max_wait=self.max_rate_wait,
        )

    def limiter_for(self, method: str, url: str) -> RateLimiter:
        """The limiter a request counts against (override for per-endpoint budgets)."""
        return self.limiter

    def all_limiters(self) -> list[RateLimiter]:
        """Every limiter requests of this provider's key count against."""
        extra = getattr(self, "limiters", None)
        found = [self.limiter, *(extra.values() if isinstance(extra, dict) else ())]
        return list({id(limiter): limiter for limiter in found}.values())

    def hold(self, seconds: float) -> None:
        """A Retry-After is about the key: hold every request of every endpoint until it passed."""
        for limiter in self.all_limiters():
            limiter.penalize(seconds)

    def auth_headers(self) -> dict[str, str]:
        """Headers carrying the key; never logged."""
        return {}

    def api_key(self) -> str:
        """The configured key, or ProviderAuthError when there is none."""
        if self.config.api_key is None or not self.config.api_key.get_secret_value():
            raise ProviderAuthError(self.name, "no api_key configured")
        return self.config.api_key.get_secret_value()

    def redact(self, message: str) -> str:
        """`message` without the api key or any other known secret (servers sometimes echo it)."""
        from watcher.domain.redact import redact

        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        return redact(message.replace(key, "***") if key else message)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        """Fetch any number of tracking numbers, `batch_size` per request, one batch at a time."""
        results: dict[str, TrackingResult] = {}
        for batch in batched(numbers, self.batch_size):
            results.update(await self.fetch_batch(batch))
        return results

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        """Fetch at most `batch_size` numbers (implemented by each adapter)."""
        raise NotImplementedError

    async def request(
        self, method: str, url: str, *, accept: Collection[int] = (200,), **kwargs: Any
    ) -> httpx.Response:
        """Send a request within the rate budget; map failures to ProviderErrors.

        Statuses in `accept` are returned for the adapter to read; 401/403, 429/503, other
        5xx and any other unexpected status raise the matching ProviderError.
        """
        import httpx

        limiter = self.limiter_for(method, url)
        await limiter.acquire()
        headers = {**kwargs.pop("headers", {}), **self.auth_headers()}
        deadline = self.config.total_timeout
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange.
            response = await asyncio.wait_for(
                self._client.request(method, url, headers=headers, **kwargs), deadline
            )
        except TimeoutError:
            raise ProviderUnavailable(
                self.name, f"timed out (no complete answer within {deadline:g}s)"
            ) from None
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(self.name, f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                self.name, f"connection failed ({type(exc).__name__})"
            ) from None
        if response.status_code in accept:
            return response
        try:
            self.raise_for_status(response)
        except ProviderRateLimited as exc:
            if exc.retry_after:
                self.hold(exc.retry_after)
            raise
        raise ProviderResponseError(
            self.name, f"HTTP {response.status_code}: {excerpt(self.redact(response.text))}"
        )

    def raise_for_status(self, response: httpx.Response) -> None:
        """Raise the ProviderError a transport-level HTTP status means (if any)."""
        code = response.status_code
        if code in (401, 403):
            raise ProviderAuthError(self.name, f"HTTP {code}: key rejected")
        if code in (429, 503):
            raise ProviderRateLimited(
                self.name,
                f"HTTP {code}: rate limited",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if code >= 500:
            raise ProviderUnavailable(
                self.name, f"HTTP {code}: {excerpt(self.redact(response.text))}"
            )

    def json(self, response: httpx.Response) -> Any:
        """Decode a JSON body or raise ProviderResponseError with a short excerpt."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ProviderResponseError(
                self.name,
                f"HTTP {response.status_code}: not JSON: {excerpt(self.redact(response.text))!r}",
            ) from None

    def json_object(self, response: httpx.Response) -> dict[str, Any]:
        """Decode a JSON object body; anything else is a ProviderResponseError."""
        data = self.json(response)
        if not isinstance(data, dict):
            raise ProviderResponseError(
                self.name, f"expected a JSON object, got {type(data).__name__}"
            )
        return data

    def safe_parse(self, parse: Callable[[], T], what: str) -> T | None:
        """Run one item's parser; a crash on a malformed item is logged and skipped, not fatal."""
        try:
            return parse()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self.log.warning("skipped malformed %s: %s: %s", what, type(exc).__name__, exc)
            return None
