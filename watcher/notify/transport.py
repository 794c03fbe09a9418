"""Delivering messages through apprise. A notifier returns a result; it never raises.

A target is a list of apprise URLs and/or apprise configuration files. Every service of a target
is sent to separately, so a partial failure is retried only where it failed (`Delivery.done`
names the services that already have the message, by a hash of their URL, never the URL).
Email services (mailto/mailtos) get the HTML body, the others plain text, unless the target
says otherwise. Secrets inside URLs are never logged or returned in an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from watcher.config import NotifyTargetConfig, Settings

_LOGGER = logging.getLogger(__name__)

EMAIL_SCHEMES = ("mailto://", "mailtos://")

#: Alert severity (or "resolved") → apprise notify type, so ntfy, Gotify or Discord show urgency.
NOTIFY_TYPES = {"critical": "failure", "warning": "warning", "info": "info", "resolved": "success"}


@dataclass(frozen=True, slots=True)
class Delivery:
    """Outcome of one send: `done` holds the services that have the message (URL hashes)."""

    ok: bool
    error: str | None = None
    done: frozenset[str] = frozenset()


class Notifier(Protocol):
    """Sends a message to a named target."""

    def targets(self) -> list[str]: ...

    def send(
        self,
        target: str,
        title: str,
        body: str,
        *,
        html: str | None = None,
        skip: frozenset[str] = frozenset(),
        severity: str = "info",
    ) -> Delivery: ...


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """Where one target's messages go: apprise URLs, apprise config files and the tags to pick."""

    urls: tuple[str, ...] = ()
    config_files: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    format: str = "auto"  # auto, text or html
    problems: tuple[str, ...] = field(default=())  # why a source could not be read (no secrets)

    def __bool__(self) -> bool:
        return bool(self.urls or self.config_files)


def fingerprint(url: str) -> str:
    """A stable id for a service that does not reveal its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


class AppriseNotifier:
    """Sends through apprise, one service at a time."""

    def __init__(self, targets: Mapping[str, TargetSpec | Sequence[str]]) -> None:
        self._targets = {name: _spec(value) for name, value in targets.items()}
        self._targets = {
            name: spec for name, spec in self._targets.items() if spec or spec.problems
        }

    def targets(self) -> list[str]:
        return list(self._targets)

    def spec(self, target: str) -> TargetSpec | None:
        return self._targets.get(target)

    def send(
        self,
        target: str,
        title: str,
        body: str,
        *,
        html: str | None = None,
        skip: frozenset[str] = frozenset(),
        severity: str = "info",
    ) -> Delivery:
        """Deliver to every service of `target` not in `skip`; ok only when all have it.

        `severity` ("critical", "warning", "info" or "resolved") picks apprise's notify type.
        """
        from watcher.domain.redact import redact

        # The last edge before a message leaves: no configured secret goes out in it.
        title, body, html = redact(title), redact(body), html and redact(html)
        delivery = self._send(target, title, body, html=html, skip=skip, severity=severity)
        return Delivery(delivery.ok, delivery.error and redact(delivery.error), delivery.done)

    def _send(
        self,
        target: str,
        title: str,
        body: str,
        *,
        html: str | None,
        skip: frozenset[str],
        severity: str,
    ) -> Delivery:
        spec = self._targets.get(target)
        if spec is None:
            return Delivery(False, f"no target named {target!r}")
        services, problems = load_services(target, spec)
        if not services:
            return Delivery(
                False, "; ".join(problems) or f"target {target!r}: no apprise service configured"
            )
        done: set[str] = set()
        errors = list(problems)
        for index, (key, service, is_email) in enumerate(services, start=1):
            if key in skip:
                done.add(key)
                continue
            as_html = html is not None and (
                spec.format == "html" or (spec.format == "auto" and is_email)
            )
            error = _send_one(
                service,
                title,
                html if as_html and html is not None else body,
                as_html,
                NOTIFY_TYPES.get(severity, "info"),
            )
            if error is None:
                done.add(key)
            else:
                errors.append(
                    f"target {target!r}: service #{index} ({_service_name(service)}): {error}"
                )
        if errors:
            return Delivery(False, "; ".join(errors), frozenset(done))
        return Delivery(True, None, frozenset(done))


def _spec(value: TargetSpec | Sequence[str]) -> TargetSpec:
    return value if isinstance(value, TargetSpec) else TargetSpec(urls=tuple(value))


def _service_name(service: Any) -> str:
    return str(getattr(service, "service_name", None) or type(service).__name__)


def load_services(target: str, spec: TargetSpec) -> tuple[list[tuple[str, Any, bool]], list[str]]:
    """The target's apprise services as (hash, service, is_email), and what could not be loaded."""
    import apprise  # imported lazily: it is slow to load and only the sender needs it

    problems = list(spec.problems)
    services: list[tuple[str, Any, bool]] = []
    for index, url in enumerate(spec.urls, start=1):
        single = apprise.Apprise()
        if not single.add(url):
            reason = url_problem(url) or "not a valid apprise URL"
            problems.append(f"target {target!r}: URL #{index}: {reason}")
            continue
        services += [_describe(service) for service in single.find()]
    for path in spec.config_files:
        config = apprise.AppriseConfig()
        if not config.add(path):
            problems.append(f"target {target!r}: cannot use apprise config {path}")
            continue
        holder = apprise.Apprise()
        holder.add(config)
        # Untagged entries answer only when no tag is asked for; "all" takes everything.
        tag: Any = list(spec.tags) if spec.tags else apprise.common.MATCH_ALL_TAG
        found = [_describe(service) for service in holder.find(tag=tag)]
        if not found:
            problems.append(
                f"target {target!r}: apprise config {path} has no entry"
                + (f" tagged {', '.join(spec.tags)}" if spec.tags else "")
            )
        services += found
    return services, problems


def _describe(service: Any) -> tuple[str, Any, bool]:
    url = str(service.url(privacy=False))
    return fingerprint(url), service, url.startswith(EMAIL_SCHEMES)


def _send_one(
    service: Any, title: str, body: str, as_html: bool, notify_type: str = "info"
) -> str | None:
    """Send through one service; None on success, else a short error without secrets."""
    import apprise

    client = apprise.Apprise()
    client.add(service)
    body_format = apprise.NotifyFormat.HTML if as_html else apprise.NotifyFormat.TEXT
    try:
        ok = client.notify(
            title=title,
            body=body,
            body_format=body_format,
            notify_type=apprise.NotifyType(notify_type),
        )
    except Exception as exc:  # noqa: BLE001 - a plugin bug must not kill the daemon
        return f"{type(exc).__name__} in apprise"
    return None if ok else "delivery failed (see the apprise warning in the log)"


class RecordingNotifier:
    """Keeps messages in memory (tests, `demo`)."""

    def __init__(self, targets: Sequence[str] = ("default",), fail: int = 0) -> None:
        self._targets = list(targets)
        self.sent: list[tuple[str, str, str]] = []
        self.html: list[str | None] = []
        self.severities: list[str] = []  # of every send, delivered or not
        self._fail = fail

    def targets(self) -> list[str]:
        return list(self._targets)

    def send(
        self,
        target: str,
        title: str,
        body: str,
        *,
        html: str | None = None,
        skip: frozenset[str] = frozenset(),
        severity: str = "info",
    ) -> Delivery:
        self.severities.append(severity)
        if self._fail > 0:
            self._fail -= 1
            return Delivery(False, "simulated failure")
        self.sent.append((target, title, body))
        self.html.append(html)
        return Delivery(True, None, frozenset({target}))


# ---------------------------------------------------------------- URL checks


def url_problem(url: str) -> str | None:
    """Why apprise cannot use `url` (unknown scheme, disabled plugin, malformed), or None.

    The answer names the scheme and the plugin, never the rest of the URL (it holds secrets).
    """
    import difflib

    from apprise.manager_plugins import NotificationManager

    manager = NotificationManager()
    scheme = url.split("://", 1)[0].strip().lower() if "://" in url else ""
    if not scheme:
        return "not a URL (expected scheme://...)"
    if scheme not in manager.schemas(include_disabled=True):
        close = difflib.get_close_matches(scheme, manager.schemas(), n=1)
        hint = f" (did you mean {close[0]}://?)" if close else ""
        return f"unknown scheme {scheme}://{hint}"
    plugin = manager[scheme]
    if not getattr(plugin, "enabled", True):
        needs = (getattr(plugin, "requirements", None) or {}).get("packages_required")
        need = (
            f": it needs {needs if isinstance(needs, str) else ', '.join(needs)}" if needs else ""
        )
        return f"{scheme}:// is disabled in this installation{need}"
    import apprise

    if apprise.Apprise.instantiate(url) is None:
        return f"{scheme}:// URL is malformed (see {plugin.service_name}'s apprise wiki page)"
    return None


def check_targets(settings: Settings) -> list[str]:
    """`watcher config check`: one line per unusable notification URL or source, with the reason."""
    problems: list[str] = []
    for name, spec in target_specs(settings).items():
        problems += spec.problems
        for index, url in enumerate(spec.urls, start=1):
            reason = url_problem(url)
            if reason:
                problems.append(f"notify target {name!r}: URL #{index}: {reason}")
    return problems


# ---------------------------------------------------------------- from settings


def target_specs(settings: Settings) -> dict[str, TargetSpec]:
    """Every configured target, `[notify] urls` being the target named "default"."""
    configs = dict(settings.notify.targets)
    legacy = [url.get_secret_value() for url in settings.notify.urls]
    specs: dict[str, TargetSpec] = {}
    if legacy and "default" not in configs:
        specs["default"] = TargetSpec(urls=tuple(legacy))
    for name, config in configs.items():
        extra = legacy if name == "default" else []
        specs[name] = spec_from_config(name, config, settings, extra_urls=extra)
    return specs


def spec_from_config(
    name: str, config: NotifyTargetConfig, settings: Settings, *, extra_urls: Sequence[str] = ()
) -> TargetSpec:
    """Resolve a target's URL sources: inline, `urls_file`, systemd credential, apprise config."""
    urls = [*extra_urls, *(url.get_secret_value() for url in config.urls)]
    problems: list[str] = []
    if config.urls_file:
        path = credential_path(config.urls_file, settings)
        try:
            urls += read_url_file(path)
        except OSError as exc:
            # Name the file, never its content.
            problems.append(f"target {name!r}: cannot read urls_file {path}: {exc.strerror}")
    configs: list[str] = []
    if config.config_file:
        source = config.config_file
        is_remote = "://" in source and not source.startswith("file://")
        configs.append(source if is_remote else str(credential_path(source, settings)))
    return TargetSpec(
        urls=tuple(urls),
        config_files=tuple(configs),
        tags=tuple(config.tags),
        format=config.format,
        problems=tuple(problems),
    )


def credential_path(value: str, settings: Settings) -> Path:
    """A relative path names a systemd credential if one exists, else a file by the config."""
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if directory and (Path(directory) / path).is_file():
        return Path(directory) / path
    return settings.resolve_path(path)


def read_url_file(path: Path) -> list[str]:
    """One apprise URL per line; blank lines and # comments are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def notifier_for(settings: Settings) -> AppriseNotifier:
    """The apprise notifier for the configured targets."""
    return AppriseNotifier(target_specs(settings))
