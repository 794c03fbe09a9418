"""Settings: a TOML file plus `WATCHER_...` environment overrides, validated by pydantic-settings.

Every key is documented in `config/watcher.example.toml`. A bad file stops with one line that
names the file, the key path and the problem (`ConfigError`).
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from watcher.config.sections import (  # noqa: F401 - the settings' public names
    DEFAULT_MARKETPLACE,
    DestinationConfig,
    DigestConfig,
    LoggingConfig,
    MqttConfig,
    NotifyConfig,
    NotifyTargetConfig,
    PollingConfig,
    PushConfig,
    QuietHoursConfig,
    ServiceConfig,
    ShipmentConfig,
    WebConfig,
    _Strict,
    _today_window,
    _url_lines,
    system_timezone,
)
from watcher.domain.errors import ConfigError

CONFIG_FILENAME = "watcher.toml"
SYSTEM_CONFIG = Path("/etc/watcher/watcher.toml")


class Settings(BaseSettings):
    """The whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix="WATCHER_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
        allow_inf_nan=False,
    )

    database_url: SecretStr | None = None
    state_dir: Path | None = None
    # The buyer's zone: deadlines are calendar days there. Defaults to the system's zone.
    timezone: str = Field(default_factory=lambda: system_timezone())
    default_providers: list[str] = Field(default_factory=lambda: ["cainiao"])
    polling: PollingConfig = Field(default_factory=PollingConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    push: PushConfig = Field(default_factory=PushConfig)
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    providers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    shipments: list[ShipmentConfig] = Field(default_factory=list)

    # Not keys: where the settings came from (relative paths resolve against config_dir).
    config_file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        # After the fields: a bad key elsewhere is reported first, as it always was.
        if self.database_url is not None:
            try:
                check_database_url(self.database_url.get_secret_value())
            except ValueError as exc:
                raise ValueError(f"database_url: {exc}") from None
        seen: dict[str, int] = {}
        for index, shipment in enumerate(self.shipments):
            first = seen.setdefault(shipment.tracking_number, index)
            if first != index:
                raise ValueError(
                    f"shipments[{index}].tracking_number: {shipment.tracking_number} "
                    f"is already shipments[{first}] (each parcel once)"
                )
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats systemd credentials, which beat the file (it arrives as init kwargs).
        from watcher.config.credentials import CredentialsSource

        return (env_settings, CredentialsSource(settings_cls), file_secret_settings, init_settings)

    @property
    def config_dir(self) -> Path:
        return self.config_file.parent if self.config_file else Path.cwd()

    def resolve_path(self, value: str | Path) -> Path:
        """A path from the config, relative to the config file's directory."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.config_dir / path


_DATABASE_URL = re.compile(r"(?P<scheme>[a-z][a-z0-9]*)(\+[a-z0-9_]+)?://(?P<rest>.*)", re.DOTALL)


def check_database_url(url: str) -> None:
    """Raise ValueError (never showing the URL) unless it is a SQLite or PostgreSQL URL.

    Plain parsing, not SQLAlchemy's: `watcher list` and `status` start without importing it.
    """
    match = _DATABASE_URL.fullmatch(url.strip())
    if match is None:
        raise ValueError("not a database URL (sqlite:///PATH or postgresql://...)")
    scheme, rest = match["scheme"], match["rest"]
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValueError(f"unsupported database {scheme[:20]!r} (sqlite or postgresql)")
    if scheme == "sqlite" and rest and not rest.startswith("/"):
        raise ValueError("a SQLite URL is sqlite:///RELATIVE or sqlite:////ABSOLUTE/PATH")
    if scheme != "sqlite" and not rest.split("/", 1)[0].rsplit("@", 1)[-1]:
        raise ValueError("a PostgreSQL URL names its host: postgresql://USER@HOST/DATABASE")


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """The config file to use: --config, $WATCHER_CONFIG, ./watcher.toml, user dir, /etc."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    env = os.environ.get("WATCHER_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (from $WATCHER_CONFIG)")
        return path
    for candidate in (
        Path.cwd() / CONFIG_FILENAME,
        user_config_dir() / CONFIG_FILENAME,
        SYSTEM_CONFIG,
    ):
        if candidate.is_file():
            return candidate
    return None


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "watcher"


def user_state_dir() -> Path:
    # systemd's StateDirectory= sets $STATE_DIRECTORY; honour it first.
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "watcher"


def database_url(settings: Settings) -> str:
    """The database URL the settings select: `database_url`, else SQLite in the state directory."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    state_dir = (
        settings.resolve_path(settings.state_dir) if settings.state_dir else user_state_dir()
    )
    return f"sqlite:///{state_dir / 'watcher.db'}"


def load_settings(path: str | Path | None = None, *, use_default_search: bool = True) -> Settings:
    """Load and validate settings, raising ConfigError with a one-line message."""
    config_file = find_config_file(path) if (path or use_default_search) else None
    data = read_toml(config_file) if config_file else {}
    where = str(config_file) if config_file else "environment"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {describe_validation_error(exc)}") from None
    settings.config_file = config_file.resolve() if config_file else None
    from watcher.config.secrets import register_settings

    register_settings(settings)  # before anything can log or print them
    validate_references(settings, where)
    return settings


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text (a binary file?)") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem as 'key.path: message'."""
    error = exc.errors()[0]
    key = format_location(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return f"{key}: required key is missing"
    if key == "(top level)" and re.match(r"[a-z_]+[\[.:]", message):
        return message  # a check across keys names the key itself
    value = error.get("input")
    if _echoable(key, value):
        from watcher.domain.redact import redact

        return f"{key}: {message} (got {redact(repr(value))})"
    return f"{key}: {message}"


def _echoable(key: str, value: Any) -> bool:
    """Show a bad value only when it is a short scalar under a key that holds no secret."""
    from watcher.config.secrets import is_secret_key

    if any(is_secret_key(part) for part in key.replace("[", ".").split(".")):
        return False
    if isinstance(value, str):
        return len(value) <= 80 and "://" not in value
    return isinstance(value, int | float | bool | date | time) and len(repr(value)) <= 80


def format_location(loc: tuple[int | str, ...]) -> str:
    """('shipments', 0, 'ordered_at') -> 'shipments[0].ordered_at'."""
    text = ""
    for item in loc:
        if isinstance(item, int):
            text += f"[{item}]"
        else:
            text += f".{item}" if text else str(item)
    return text or "(top level)"


def validate_references(settings: Settings, where: str) -> None:
    """Check names that point elsewhere: providers and marketplace profiles."""
    from importlib.metadata import entry_points

    from watcher.providers.registry import GROUP, available_providers, provider_config

    # Read the installed packages' entry points once, not once per lookup (start-up time).
    points = list(entry_points(group=GROUP))
    known = set(available_providers(points))
    for name, table in settings.providers.items():
        if name not in known:
            raise ConfigError(
                f"{where}: providers.{name}: unknown provider (known: {', '.join(sorted(known))})"
            )
        try:
            provider_config(name, table, points)
        except ValidationError as exc:
            raise ConfigError(
                f"{where}: providers.{name}.{describe_validation_error(exc)}"
            ) from None
    for index, name in enumerate(settings.default_providers):
        if name not in known:
            raise ConfigError(f"{where}: default_providers[{index}]: unknown provider {name!r}")
    for index, shipment in enumerate(settings.shipments):
        for pos, name in enumerate(shipment.providers or ()):
            if name not in known:
                raise ConfigError(
                    f"{where}: shipments[{index}].providers[{pos}]: unknown provider {name!r} "
                    f"(known: {', '.join(sorted(known))})"
                )
    from watcher.rules.profiles import validate_profiles

    validate_profiles(
        settings.profiles, [shipment.marketplace for shipment in settings.shipments], where
    )
