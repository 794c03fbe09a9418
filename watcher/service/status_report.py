"""`watcher status`: is the daemon alive and is anything stuck? Read from the database only.

The daemon writes a heartbeat per instance; `collect` turns heartbeats, shipments, alerts,
provider health and the outbox into a `Health` whose `problems` decide the exit code, so the
command works as a monitoring check. Nothing here prints secrets (the URL is redacted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from watcher.domain import timefmt
from watcher.rules.providers import failing_too_long
from watcher.store import db, quickread

if TYPE_CHECKING:
    from watcher.config import Settings
    from watcher.store.quickread import Database, InstanceState, ProviderState

#: An unsent notification due longer than this means delivery is stuck.
OUTBOX_STUCK_AFTER = timedelta(hours=1)


@dataclass
class InstanceHealth:
    """One daemon instance as its heartbeat row describes it."""

    id: str
    hostname: str
    pid: int
    version: str | None
    started_at: datetime
    heartbeat_at: datetime
    last_cycle_at: datetime | None
    cycles: int
    last_cycle_seconds: float | None
    last_cycle_error: str | None
    running: bool
    stopped_at: datetime | None = None  # a clean stop (a `watcher check` stops at once)


@dataclass
class ProviderHealth:
    """One provider: ok, failing or paused."""

    name: str
    state: str
    last_success_at: datetime | None
    failing_since: datetime | None
    consecutive_failures: int
    paused_until: datetime | None
    last_error: str | None


@dataclass
class Health:
    """Everything `watcher status` reports."""

    now: datetime
    daemon_running: bool
    last_cycle_at: datetime | None
    instances: list[InstanceHealth] = field(default_factory=list)
    shipments: dict[str, int] = field(default_factory=dict)
    open_alerts: int = 0
    #: Active parcels whose last handling failed (`show` names the error).
    failing_shipments: int = 0
    providers: list[ProviderHealth] = field(default_factory=list)
    outbox: dict[str, Any] = field(default_factory=dict)
    database: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def collect(database: Database, settings: Settings, now: datetime, *, url: str) -> Health:
    """Build the health report at `now` (a handful of aggregate queries: no row is loaded per shipment)."""
    stale = timedelta(seconds=settings.service.heartbeat_stale_seconds)
    instances = [instance_health(row, now, stale) for row in quickread.instances(database)]
    running = [i for i in instances if i.running]
    cycles = [i.last_cycle_at for i in instances if i.last_cycle_at]
    health = Health(
        now=now,
        daemon_running=bool(running),
        last_cycle_at=max(cycles) if cycles else None,
        instances=[i for i in instances if i.running or i.heartbeat_at >= now - timedelta(days=1)],
        shipments=quickread.status_counts(database),
        open_alerts=quickread.open_alert_count(database),
        failing_shipments=failing_count(database),
        providers=[provider_health(state, now) for state in quickread.provider_states(database)],
        outbox=outbox_health(database, now),
        database=database_health(database, url),
    )
    health.problems = find_problems(
        health, stale, recent=timedelta(hours=settings.polling.interval_hours)
    )
    return health


def failing_count(database: Database) -> int:
    """Active parcels with failures recorded (issue 14: one bad parcel never blinds the rest)."""
    sql = "SELECT count(*) FROM shipments WHERE failures > 0 AND archived_at IS NULL"
    row = database.execute(sql).fetchone()
    return int(row[0]) if row else 0


def instance_health(row: InstanceState, now: datetime, stale: timedelta) -> InstanceHealth:
    running = row.stopped_at is None and now - row.heartbeat_at < stale
    return InstanceHealth(
        id=row.id,
        hostname=row.hostname,
        pid=row.pid,
        version=row.version,
        started_at=row.started_at,
        heartbeat_at=row.heartbeat_at,
        last_cycle_at=row.last_cycle_at,
        cycles=row.cycles or 0,
        last_cycle_seconds=row.last_cycle_seconds,
        last_cycle_error=row.last_cycle_error,
        running=running,
        stopped_at=row.stopped_at,
    )


def provider_health(state: ProviderState, now: datetime) -> ProviderHealth:
    if state.paused_until and state.paused_until > now:
        label = "paused"
    elif state.consecutive_failures:
        label = "failing"
    else:
        label = "ok"
    return ProviderHealth(
        name=state.name,
        state=label,
        last_success_at=state.last_success_at,
        failing_since=state.failing_since,
        consecutive_failures=state.consecutive_failures or 0,
        paused_until=state.paused_until,
        last_error=state.last_error,
    )


def outbox_health(database: Database, now: datetime) -> dict[str, Any]:
    """The outbox backlog per target (as `watcher.notify.outbox.outbox_summary`), the oldest due message, give-ups."""
    summary = quickread.outbox_summary(database, now, gave_up_since=now - timedelta(days=1))
    summary["gave_up_last_day"] = summary.pop("gave_up")
    return summary


def database_health(database: Database, url: str) -> dict[str, Any]:
    """Where the database is (password removed), its kind, size on disk and schema revision."""
    revisions = quickread.schema_revisions(database)
    return {
        "url": db.redact_url(url),
        "kind": database.dialect,
        "size_bytes": quickread.database_size(database),
        "revision": revisions[0] if len(revisions) == 1 else None,
    }


def find_problems(
    health: Health, stale: timedelta, *, recent: timedelta | None = None
) -> list[str]:
    """Why the installation is unhealthy, one short sentence each (empty = healthy).

    Without a running daemon, a cycle of any process (a `watcher check` from cron) within
    `recent` (one polling interval) keeps the installation healthy, unless a daemon died
    (its heartbeat went stale without a clean stop).
    """
    problems: list[str] = []
    died = any(not i.running and i.stopped_at is None for i in health.instances)
    checked = (
        not died
        and recent is not None
        and health.last_cycle_at is not None
        and health.now - health.last_cycle_at <= recent
    )
    if not health.daemon_running and checked:
        pass
    elif not health.daemon_running:
        last = max((i.heartbeat_at for i in health.instances), default=None)
        seen = f" (last heartbeat {iso(last)})" if last else " (no heartbeat ever)"
        problems.append(f"daemon not running{seen}")
    elif health.last_cycle_at is None or health.now - health.last_cycle_at > stale:
        problems.append(f"no cycle completed since {iso(health.last_cycle_at) or 'start'}")
    for instance in health.instances:
        if instance.running and instance.last_cycle_error:
            problems.append(
                f"instance {instance.id}: last cycle failed: {instance.last_cycle_error}"
            )
    for provider in health.providers:
        if provider.state == "paused":
            problems.append(f"provider {provider.name} paused until {iso(provider.paused_until)}")
        elif failing_too_long(provider.failing_since, health.now):  # the threshold of its alert
            problems.append(f"provider {provider.name} failing since {iso(provider.failing_since)}")
    oldest = health.outbox.get("oldest_due_at")
    if isinstance(oldest, datetime) and health.now - oldest > OUTBOX_STUCK_AFTER:
        problems.append(f"outbox stuck: a notification has been due since {iso(oldest)}")
    if health.outbox.get("gave_up_last_day"):
        problems.append(
            f"{health.outbox['gave_up_last_day']} notifications given up in the last day"
        )
    return problems


def iso(value: datetime | None) -> str | None:
    """`timefmt.iso` to the second: the problems' form."""
    return timefmt.iso(value, timespec="seconds")


def _iso_text(value: datetime) -> str:
    return timefmt.iso(value) or "-"


def to_json(health: Health) -> dict[str, Any]:
    """The `--json` document (stable keys, ISO times)."""
    data: dict[str, Any] = timefmt.jsonable(asdict(health))
    data["healthy"] = health.healthy
    return data


def render_text(health: Health, when: Callable[[datetime], str] | None = None) -> str:
    """The human-readable report; `when` writes a moment (default: `iso`, UTC)."""
    iso = when or _iso_text  # local to this report: the problems above keep their UTC form
    lines = [f"watcher: {'healthy' if health.healthy else 'UNHEALTHY'}"]
    lines += [f"  problem: {problem}" for problem in health.problems]
    running = [i for i in health.instances if i.running]
    lines.append(
        f"daemon: {'running' if running else 'not running'}"
        + (f" ({len(running)} instances)" if len(running) > 1 else "")
        + (" (cycles come from `watcher check`)" if not running and health.healthy else "")
    )
    for i in running:
        took = f", took {i.last_cycle_seconds:.1f}s" if i.last_cycle_seconds is not None else ""
        lines.append(
            f"  {i.id}: heartbeat {iso(i.heartbeat_at)}, {i.cycles} cycles,"
            f" last {iso(i.last_cycle_at) if i.last_cycle_at else 'none yet'}{took}"
        )
    last = health.last_cycle_at
    lines.append(f"last cycle: {iso(last) if last else 'never'}")
    total = sum(health.shipments.values())
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(health.shipments.items()))
    lines.append(f"shipments: {total}" + (f" ({by_status})" if by_status else ""))
    lines.append(f"open alerts: {health.open_alerts}")
    if health.failing_shipments:
        lines.append(
            f"failing parcels: {health.failing_shipments} (see `watcher show NUMBER` for the error)"
        )
    for p in health.providers:
        detail = (
            f", {p.consecutive_failures} failures, last error: {p.last_error}"
            if p.state != "ok"
            else ""
        )
        lines.append(f"provider {p.name}: {p.state}{detail}")
    backlog = health.outbox.get("backlog", health.outbox.get("pending", "?"))
    lines.append(
        f"outbox: {backlog} waiting"
        + (
            f", oldest due {iso(health.outbox['oldest_due_at'])}"
            if health.outbox.get("oldest_due_at")
            else ""
        )
    )
    size = health.database.get("size_bytes")
    lines.append(
        f"database: {health.database['url']} ({health.database['kind']}, {human_size(size)}, schema {health.database['revision']})"
    )
    return "\n".join(lines)


def human_size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
