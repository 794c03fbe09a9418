"""The sections of watcher's settings (`[polling]`, `[notify]`, `[web]`, ...): pydantic models.

Every key is documented in `config/watcher.example.toml` and docs/configuration.md; every number
has a range, so a value that validates can be used.
"""

from __future__ import annotations

import json
import os
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)
from pydantic_settings import NoDecode

from watcher.domain.errors import InputError

DEFAULT_MARKETPLACE = "aliexpress"


class _Strict(BaseModel):
    # inf and nan pass `gt=0` but overflow every timedelta made from them.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _today_window(value: date | None) -> date | None:
    """A config date must lie in 2000-01-01 .. now + 2 years (see watcher/domain/bounds.py)."""
    from watcher.domain.bounds import date_in_window, window_text
    from watcher.domain.clock import SystemClock

    now = SystemClock().now()
    if value is not None and not date_in_window(value, now):
        raise ValueError(f"{value.isoformat()} is not {window_text(now)}")
    return value


class DestinationConfig(_Strict):
    """Where a parcel should arrive (used to spot deliveries elsewhere)."""

    country: str | None = Field(default=None, min_length=2, max_length=2)
    city: str | None = None
    postcode: str | None = None

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class ShipmentConfig(_Strict):
    """One `[[shipments]]` entry. Field names are a contract other tools rely on."""

    tracking_number: str
    label: str | None = None
    marketplace: str = DEFAULT_MARKETPLACE
    order_id: str | None = None
    ordered_at: date | None = None
    protection_ends: date | None = None
    max_delivery_days: int | None = Field(default=None, gt=0, le=365)
    destination: DestinationConfig = Field(default_factory=DestinationConfig)
    providers: list[str] | None = None
    insured: bool = False

    _dates = field_validator("ordered_at", "protection_ends")(_today_window)

    @field_validator("tracking_number")
    @classmethod
    def _normalize(cls, value: str) -> str:
        from watcher.domain.numbers import normalize_tracking_number

        try:
            return normalize_tracking_number(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None


class PollingConfig(_Strict):
    """When shipments are polled. Hours unless the key says otherwise."""

    # Ranges (documented in docs/configuration.md): wide enough for any sane use, narrow enough
    # that no value overflows the date arithmetic or the database later.
    tick_seconds: float = Field(default=60, gt=0, le=86_400)
    interval_hours: float = Field(default=6, gt=0, le=720)
    out_for_delivery_interval_hours: float = Field(default=1, gt=0, le=720)
    near_deadline_interval_hours: float = Field(default=2, gt=0, le=720)
    long_leg_interval_hours: float = Field(default=12, gt=0, le=720)
    pre_shipment_interval_hours: float = Field(default=12, gt=0, le=720)
    delivered_grace_days: float = Field(default=3, ge=0, le=365)
    max_backoff_hours: float = Field(default=24, gt=0, le=720)
    max_shipments_per_cycle: int = Field(default=5000, gt=0, le=1_000_000)
    retry_attempts: int = Field(default=3, ge=1, le=10)
    # A cycle stops polling after this long; the parcels left are polled next cycle.
    max_poll_seconds: float = Field(default=600, gt=0, le=86_400)


SeverityName = Literal["info", "warning", "critical"]
#: Apprise URLs: a list, or (environment, credential files) JSON or one URL per line.
UrlList = Annotated[list[SecretStr], NoDecode]


def _url_lines(value: Any) -> Any:
    """A string of URLs (a credential file, one environment variable) becomes a list."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            pass  # not JSON after all: validation says what is wrong
    if isinstance(value, str):
        return [
            line.strip()
            for line in value.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
    return value


class QuietHoursConfig(_Strict):
    """`quiet_hours = { start = "22:00", end = "07:00" }`, in the owner's time zone."""

    start: time
    end: time
    # Critical messages (a deadline about to pass) still go out at night unless this is false.
    allow_critical: bool = True


class DigestConfig(_Strict):
    """A daily message that groups the target's non-urgent messages."""

    at: time = time(8, 0)  # local time of the daily digest
    severities: list[SeverityName] = Field(default_factory=lambda: ["info"])


class NotifyTargetConfig(_Strict):
    """`[notify.targets.NAME]`: one destination (apprise URLs) and what it takes."""

    urls: UrlList = Field(default_factory=list)
    # A file with one apprise URL per line; relative paths are looked up in
    # $CREDENTIALS_DIRECTORY (systemd LoadCredential=) first, then next to the config file.
    urls_file: str | None = None
    # apprise's own configuration (YAML or TEXT file, or URL), and the apprise tags that pick
    # entries from it (none = every entry).
    config_file: str | None = None
    tags: list[str] = Field(default_factory=list)
    severities: list[SeverityName] = Field(default_factory=lambda: ["info", "warning", "critical"])
    kinds: list[str] = Field(default_factory=list)  # alert kinds (glob patterns); empty = all
    exclude_kinds: list[str] = Field(default_factory=list)
    quiet_hours: QuietHoursConfig | None = None
    digest: DigestConfig | None = None
    format: Literal["auto", "text", "html"] = "auto"  # auto: HTML for email, text elsewhere
    resolved: bool = True  # say when a problem the target heard about goes away
    reminders: bool = True

    _split_urls = field_validator("urls", mode="before")(_url_lines)


class NotifyConfig(_Strict):
    """Where alerts go: apprise targets, routing, quiet hours, digests, reminders."""

    # Backward compatible: these URLs form the target named "default".
    urls: UrlList = Field(default_factory=list)
    retry_max_hours: float = Field(default=48, gt=0, le=8760)
    targets: dict[str, NotifyTargetConfig] = Field(default_factory=dict)
    # Days before an alert's act_by date on which to remind again, per severity.
    reminders: dict[SeverityName, list[int]] = Field(
        default_factory=lambda: {"critical": [7, 3, 1], "warning": [3, 1], "info": []}
    )
    remind_at: time = time(9, 0)  # local time reminders go out
    recent_events: int = Field(default=3, ge=0, le=50)  # timeline events quoted in a message
    templates_dir: str | None = None  # files here override the built-in message templates

    _split_urls = field_validator("urls", mode="before")(_url_lines)

    @field_validator("reminders")
    @classmethod
    def _days(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        for days in value.values():
            if any(day < 0 or day > 365 for day in days):
                raise ValueError("reminder days must be between 0 and 365")
        return value


class LoggingConfig(_Strict):
    """Log output on stderr."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["text", "json"] = "text"


class ServiceConfig(_Strict):
    """How a daemon instance shares work and reports that it is alive (seconds)."""

    # A claimed shipment or outbox row stays with its instance this long; if the instance
    # dies mid-cycle, another (or the restarted one) takes the work over after it expires.
    instance_lease_seconds: float = Field(default=300, gt=0, le=86_400)
    # How often a running daemon writes its heartbeat, and when `watcher status` calls it dead.
    heartbeat_seconds: float = Field(default=30, gt=0, le=86_400)
    heartbeat_stale_seconds: float = Field(default=300, gt=0, le=864_000)
    # A cycle running (or none starting) this long means the loop hangs: stop the watchdog pings.
    stall_seconds: float = Field(default=900, gt=0, le=864_000)


class PushConfig(_Strict):
    """`[push]`: provider webhooks (17TRACK, AfterShip) and how pushed parcels are polled."""

    # AfterShip's webhook secret (its dashboard, Webhooks); 17TRACK signs with the API key of
    # `[providers.17track]`. Better from $WATCHER_PUSH__AFTERSHIP_SECRET or a credential file.
    aftership_secret: SecretStr | None = None
    # A parcel whose providers all push is polled only this often, as a safety net.
    safety_net_hours: float = Field(default=24, gt=0)
    # How long after its last push a parcel still counts as pushed (pushes come only on news).
    trust_days: float = Field(default=14, gt=0)
    # Largest webhook body accepted (bytes); 17TRACK items with long histories stay well below.
    max_body_bytes: int = Field(default=1_048_576, gt=0)


class MqttConfig(_Strict):
    """`[mqtt]`: publish parcels to Home Assistant through MQTT discovery."""

    enabled: bool = False
    host: str = "localhost"
    port: int = Field(default=1883, gt=0, lt=65536)
    username: str | None = None
    password: SecretStr | None = None  # better from $WATCHER_MQTT__PASSWORD or a credential
    tls: bool = False
    client_id: str = "watcher"
    discovery_prefix: str = "homeassistant"  # Home Assistant's default
    base_topic: str = "watcher"  # states and availability live under this topic
    # How often states are refreshed from the database (they also follow every daemon cycle).
    interval_seconds: float = Field(default=60, gt=0)


def system_timezone() -> str:
    """The system's IANA zone name ($TZ, /etc/localtime, /etc/timezone), else "UTC"."""
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidates.append(handle.read().strip())
    except OSError:
        pass
    for name in candidates:
        if not name or name.startswith("/"):
            continue
        try:
            ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            continue
        return name
    return "UTC"


class WebConfig(_Strict):
    """`[web]`: the web pages and JSON API of `watcher serve` (and of the daemon when enabled)."""

    # Serve the pages inside `watcher run` too (one process for a container or a small server).
    enabled: bool = False
    listen: str = "127.0.0.1:8750"  # HOST:PORT; anything but loopback needs a password or token
    # Hashes made by `watcher serve --hash-password` (scrypt); never the password itself.
    password_hash: SecretStr | None = None  # the login form's password
    token_hash: SecretStr | None = None  # `Authorization: Bearer TOKEN` for the JSON API
    # Signs the session cookie; empty: a random one kept in the state directory.
    session_secret: SecretStr | None = None
    session_hours: float = Field(default=168, gt=0)  # how long a login lasts
    secure_cookies: bool = False  # set true behind HTTPS (the cookie is then never sent in clear)
    max_body_bytes: int = Field(default=65536, ge=1024)  # larger requests get 413
    login_attempts: int = Field(default=5, ge=1)  # failed logins per client per window, then 429
    login_window_minutes: float = Field(default=15, gt=0)
