"""Who hears about an alert and when: routes, quiet hours, digests, escalation and reminder times.

Pure decisions: every function takes "now" (and the owner's zone, directly or through the
`Router`) as arguments and never reads a clock or the database.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, overload
from zoneinfo import ZoneInfo

from watcher.domain.models import Severity
from watcher.notify.messages import Templates

if TYPE_CHECKING:
    from watcher.config import DigestConfig, NotifyTargetConfig, QuietHoursConfig, Settings
    from watcher.store.tables import AlertRow

ALL_SEVERITIES = frozenset(s.value for s in Severity)
DEFAULT_REMINDERS: Mapping[str, Sequence[int]] = {
    "critical": (7, 3, 1),
    "warning": (3, 1),
    "info": (),
}


def rank(severity: str) -> int:
    """info < warning < critical (unknown values count as info)."""
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


# ---------------------------------------------------------------- routes


@dataclass(frozen=True, slots=True)
class Route:
    """One target's routing rules."""

    name: str
    severities: frozenset[str] = ALL_SEVERITIES
    kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    quiet_hours: QuietHoursConfig | None = None
    digest: DigestConfig | None = None
    resolved: bool = True
    reminders: bool = True

    def takes(self, kind: str, severity: str) -> bool:
        """Whether an alert of this kind and severity goes to this target."""
        if severity not in self.severities:
            return False
        if self.kinds and not any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.kinds):
            return False
        return not any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.exclude_kinds)

    @classmethod
    def from_config(cls, name: str, config: NotifyTargetConfig) -> Route:
        """The route `[notify.targets.<name>]` describes."""
        return cls(
            name=name,
            severities=frozenset(config.severities),
            kinds=tuple(config.kinds),
            exclude_kinds=tuple(config.exclude_kinds),
            quiet_hours=config.quiet_hours,
            digest=config.digest,
            resolved=config.resolved,
            reminders=config.reminders,
        )


class Router(Sequence[str]):
    """The targets and their routing rules; as a sequence it is the list of target names."""

    def __init__(
        self,
        routes: Sequence[Route],
        *,
        tz: ZoneInfo | None = None,
        reminders: Mapping[str, Sequence[int]] = DEFAULT_REMINDERS,
        remind_at: time = time(9, 0),
        recent_events: int = 3,
        templates: Templates | None = None,
    ) -> None:
        self.routes = tuple(routes)
        self.tz = tz or ZoneInfo("UTC")
        self.reminders = {key: tuple(sorted(set(days))) for key, days in reminders.items()}
        self.remind_at = remind_at
        self.recent_events = recent_events
        self.templates = templates or Templates()

    @classmethod
    def from_settings(cls, settings: Settings, names: Sequence[str] | None = None) -> Router:
        """Routes for `names` (default: every configured target), configured or all-accepting."""
        from watcher.notify.transport import target_specs

        configs = settings.notify.targets
        wanted = list(names) if names is not None else list(target_specs(settings))
        directory = (
            settings.resolve_path(settings.notify.templates_dir)
            if settings.notify.templates_dir
            else None
        )
        return cls(
            [
                Route.from_config(name, configs[name]) if name in configs else Route(name)
                for name in wanted
            ],
            tz=ZoneInfo(settings.timezone),
            reminders=settings.notify.reminders,
            remind_at=settings.notify.remind_at,
            recent_events=settings.notify.recent_events,
            templates=Templates(Path(directory)) if directory else None,
        )

    @classmethod
    def coerce(cls, targets: Sequence[str]) -> Router:
        """A Router as is; plain target names become all-accepting routes."""
        return targets if isinstance(targets, Router) else cls([Route(name) for name in targets])

    def route(self, name: str) -> Route:
        """The route for a target name (an all-accepting one if it is not configured)."""
        return next((route for route in self.routes if route.name == name), Route(name))

    def today(self, now: datetime) -> date:
        """The owner's calendar date at `now`."""
        return now.astimezone(self.tz).date()

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        names = [route.name for route in self.routes]
        return names[index]

    def __len__(self) -> int:
        return len(self.routes)

    def __iter__(self) -> Iterator[str]:
        return (route.name for route in self.routes)


# ---------------------------------------------------------------- when


def quiet_end(quiet: QuietHoursConfig, moment: datetime, tz: ZoneInfo) -> datetime | None:
    """When the quiet period around `moment` ends (UTC), or None if `moment` is not quiet."""
    if quiet.start == quiet.end:
        return None
    local = moment.astimezone(tz)
    today = local.date()
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside, end_day = quiet.start <= clock < quiet.end, today
    elif clock >= quiet.start:
        inside, end_day = True, today + timedelta(days=1)
    else:
        inside, end_day = clock < quiet.end, today
    return datetime.combine(end_day, quiet.end, tzinfo=tz).astimezone(UTC) if inside else None


def after_quiet(route: Route, moment: datetime, tz: ZoneInfo, *, urgent: bool) -> datetime:
    """`moment`, or the end of the target's quiet hours if it falls inside them."""
    quiet = route.quiet_hours
    if quiet is None or (urgent and quiet.allow_critical):
        return moment
    return quiet_end(quiet, moment, tz) or moment


def next_digest(digest: DigestConfig, now: datetime, tz: ZoneInfo) -> datetime:
    """The next daily digest time at or after `now` (UTC)."""
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), digest.at, tzinfo=tz)
    if at < local:
        at = datetime.combine(local.date() + timedelta(days=1), digest.at, tzinfo=tz)
    return at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Slot:
    """When a message is due, whether it waits for the digest, and whether it may break quiet hours."""

    due_at: datetime
    digest: bool = False
    urgent: bool = False


def schedule(
    route: Route, now: datetime, severity: str, tz: ZoneInfo, *, digestible: bool = True
) -> Slot:
    """When a message of `severity` to `route` is due."""
    urgent = severity == Severity.CRITICAL
    if digestible and route.digest is not None and severity in route.digest.severities:
        return Slot(
            after_quiet(route, next_digest(route.digest, now, tz), tz, urgent=False), digest=True
        )
    return Slot(after_quiet(route, now, tz, urgent=urgent), urgent=urgent)


# ---------------------------------------------------------------- escalation


@dataclass(frozen=True, slots=True)
class State:
    """What a message told the owner about an alert."""

    severity: str
    action: str
    act_by: str | None = None  # ISO date
    kind: str | None = None

    @classmethod
    def of(cls, alert: AlertRow) -> State:
        """The state an alert is in now."""
        return cls(
            alert.severity,
            alert.action,
            alert.act_by.isoformat() if alert.act_by else None,
            alert.kind,
        )

    def as_dict(self) -> dict[str, str | None]:
        """The form stored in an outbox row's payload."""
        return {
            "severity": self.severity,
            "action": self.action,
            "act_by": self.act_by,
            "kind": self.kind,
        }


def is_escalation(last: State, current: State) -> bool:
    """Worth a new message: more severe, or as severe with a new action or kind, or an earlier date."""
    if rank(current.severity) != rank(last.severity):
        return rank(current.severity) > rank(last.severity)
    if current.action != last.action or (last.kind and current.kind != last.kind):
        return True
    return current.act_by is not None and (last.act_by is None or current.act_by < last.act_by)


# ---------------------------------------------------------------- reminders


def reminder_moment(act_by: date, days: int, router: Router) -> datetime:
    """`days` before `act_by`, at the configured local reminder time (UTC)."""
    return datetime.combine(
        act_by - timedelta(days=days), router.remind_at, tzinfo=router.tz
    ).astimezone(UTC)


def reminder_due(
    days: Sequence[int], act_by: date, told: datetime, now: datetime, router: Router
) -> int | None:
    """The reminder (days before act_by) to send now: the closest one passed since the owner was told."""
    if act_by < router.today(now):
        return None
    passed = [d for d in days if told < reminder_moment(act_by, d, router) <= now]
    return min(passed) if passed else None


__all__ = [
    "ALL_SEVERITIES",
    "DEFAULT_REMINDERS",
    "Route",
    "Router",
    "Slot",
    "State",
    "after_quiet",
    "is_escalation",
    "next_digest",
    "quiet_end",
    "rank",
    "reminder_due",
    "reminder_moment",
    "schedule",
]
