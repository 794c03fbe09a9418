"""The exception tree. Every error a user can cause or a provider can raise is one of these.

WatcherError
├── ConfigError             bad config file, key or value (names file and key path)
├── InputError              bad CLI input (tracking number, date); exit code 2
├── StoreError              database unusable (locked by another instance, bad URL)
└── ProviderError           a tracking source failed; never kills the daemon
    ├── ProviderAuthError       401/403, bad or missing key: pause the provider
    ├── ProviderRateLimited     429/503; carries retry_after seconds when known
    ├── ProviderUnavailable     timeouts, connection errors, 5xx: transient
    ├── ProviderResponseError   malformed JSON, HTML page, changed schema
    └── TrackingNotFound        the provider does not know this number (yet)
"""

from __future__ import annotations


class WatcherError(Exception):
    """Base of every error watcher raises on purpose."""


class ConfigError(WatcherError):
    """The configuration is invalid; the message names the file and the key path."""


class InputError(WatcherError):
    """A command-line argument is invalid."""


class StoreError(WatcherError):
    """The database cannot be used."""


class ProviderError(WatcherError):
    """A tracking provider failed. `provider` names it."""

    def __init__(self, provider: str, message: str) -> None:
        from watcher.domain.redact import redact

        # Providers echo keys in error texts: redacted here, before anyone stores or cuts it.
        message = redact(message)
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.detail = message


class ProviderAuthError(ProviderError):
    """The provider rejected our credentials (or none were configured)."""


class ProviderRateLimited(ProviderError):
    """The provider asked us to slow down."""

    def __init__(self, provider: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(provider, message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """A transient failure: timeout, connection error, 5xx."""


class ProviderResponseError(ProviderError):
    """The provider answered something we cannot read."""


class TrackingNotFound(ProviderError):
    """The provider has no record of a tracking number."""

    def __init__(self, provider: str, tracking_number: str) -> None:
        super().__init__(provider, f"{tracking_number} not found")
        self.tracking_number = tracking_number
