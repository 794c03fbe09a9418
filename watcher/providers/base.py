"""The one small interface every tracking adapter implements, plus shared HTTP glue.

An adapter turns a batch of tracking numbers into `TrackingResult`s. It never sleeps, never
loops on retries and never touches the database: the poller decides when to ask again.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from watcher.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
)
from watcher.models import TrackingResult


class ProviderConfig(BaseModel):
    """Keys every `[providers.NAME]` table accepts. Adapters may subclass to add their own."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    api_key: SecretStr | None = None
    base_url: str | None = None
    timeout: float = Field(default=20.0, gt=0)
    #: Override the adapter's documented limits (None = the adapter's default).
    requests_per_second: float | None = Field(default=None, gt=0)
    requests_per_day: int | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, gt=0)
    max_concurrency: int = Field(default=4, gt=0)


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


class ProviderFactory(Protocol):
    """What the `watcher.providers` entry point must resolve to (usually the adapter class)."""

    config_model: ClassVar[type[ProviderConfig]]

    def __call__(
        self, config: Any, *, name: str, config_dir: Path, transport: httpx.AsyncBaseTransport | None = None
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


class HttpProvider:
    """Base for HTTP adapters: one client, error mapping to the documented exception tree."""

    name: str = "http"
    batch_size: int = 1
    default_base_url: ClassVar[str] = ""
    config_model: ClassVar[type[ProviderConfig]] = ProviderConfig

    def __init__(
        self,
        config: ProviderConfig,
        *,
        name: str | None = None,
        config_dir: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name or self.name
        self.config = config
        self.batch_size = config.batch_size or self.batch_size
        self._client = httpx.AsyncClient(
            base_url=config.base_url or self.default_base_url,
            timeout=config.timeout,
            headers={"User-Agent": "watcher/0.1 (+self-hosted parcel tracker)", **self.auth_headers()},
            transport=transport,
        )

    def auth_headers(self) -> dict[str, str]:
        """Headers carrying the key; never logged."""
        return {}

    def api_key(self) -> str:
        if self.config.api_key is None or not self.config.api_key.get_secret_value():
            raise ProviderAuthError(self.name, "no api_key configured")
        return self.config.api_key.get_secret_value()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request; map transport errors and HTTP error statuses to ProviderErrors."""
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(self.name, f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise ProviderUnavailable(self.name, f"connection failed ({type(exc).__name__})") from None
        self.raise_for_status(response)
        return response

    def raise_for_status(self, response: httpx.Response) -> None:
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
            raise ProviderUnavailable(self.name, f"HTTP {code}: {excerpt(response.text)}")

    def json(self, response: httpx.Response) -> Any:
        """Decode a JSON body or raise ProviderResponseError with a short excerpt."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ProviderResponseError(
                self.name, f"HTTP {response.status_code}: not JSON: {excerpt(response.text)!r}"
            ) from None
