"""Running and looking after the installation: `run`, `status`, `providers`, `db`, `config check`, `demo`."""

from __future__ import annotations

from typing import Any

from watcher.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    load,
    opened_app,
    print_json,
    read_database,
)


def cmd_run(*, config: str | None) -> int:
    """`watcher run`: the daemon, until a signal stops it."""
    import asyncio

    from watcher.service.daemon import Daemon

    settings = load(config)
    require_providers(settings)
    with opened_app(settings) as app:
        asyncio.run(Daemon(app).run())
    return EXIT_OK


def cmd_status(*, config: str | None, as_json: bool) -> int:
    """`watcher status`: a monitoring check, read from the database only; exit 1 when unhealthy."""
    from zoneinfo import ZoneInfo

    from watcher.cli import renderer
    from watcher.config import database_url
    from watcher.domain.clock import SystemClock
    from watcher.service.status_report import collect, render_text, to_json

    settings = load(config)
    now = SystemClock().now()
    with read_database(settings) as database:
        health = collect(database, settings, now, url=database_url(settings))
    if as_json:
        print_json(to_json(health))
    else:
        tz = ZoneInfo(settings.timezone)
        print(render_text(health, lambda moment: renderer.when(moment, now, tz)))
    return EXIT_OK if health.healthy else EXIT_FAILURE


def cmd_providers(*, config: str | None, as_json: bool, quota: bool) -> int:
    """`watcher providers`: each provider's health, and its quota unless `quota` is false."""
    import asyncio

    from watcher.service.health import provider_listing, refresh_quotas

    with opened_app(load(config)) as app:
        if quota:
            asyncio.run(refresh_quotas(app))
        rows = provider_listing(app)
    if as_json:
        print_json(rows)
        return EXIT_OK
    for row in rows:
        print(provider_text(row))
    return EXIT_OK


def provider_text(row: dict[str, Any]) -> str:
    """A `watcher providers` entry: state and last success/error, then the error and quota if any."""
    state = "paused" if row["paused"] else ("failing" if row["consecutive_failures"] else "ok")
    kind = "configured" if row["configured"] else "available"
    success, error = row["last_success_at"] or "-", row["last_error_at"] or "-"
    lines = [f"{row['name']:<10} {kind:<10} {state:<8} last success {success}  last error {error}"]
    if row["last_error"]:
        lines.append(f"{'':<10} error: {row['last_error']}")
    if row["quota"]:
        quota = ", ".join(f"{k}={v}" for k, v in sorted(row["quota"].items()))
        lines.append(f"{'':<10} quota: {quota}")
    return "\n".join(lines)


def cmd_db_backup(*, config: str | None, path: str) -> int:
    """`watcher db backup`: a SQLite copy, or JSON for PostgreSQL."""
    from pathlib import Path

    from watcher.service.app import database_url
    from watcher.service.backup import backup

    with opened_app(load(config)) as app:
        dest = Path(path).expanduser()
        kind = backup(app.engine, database_url(app.settings), dest)
    print(f"backup written to {dest} ({'SQLite database' if kind == 'sqlite' else 'JSON'})")
    return EXIT_OK


def cmd_db_export(*, config: str | None, as_json: bool) -> int:
    """`watcher db export`: everything the database holds, as JSON (`--json` is accepted, not needed)."""
    from watcher.service.backup import export

    with opened_app(load(config)) as app, app.sessions() as session:
        data = export(session)
    print_json(data)
    return EXIT_OK


def cmd_config_check(*, config: str | None) -> int:
    """`watcher config check`: load and validate the configuration, providers and notification URLs."""
    import sys

    from watcher.config import load_settings
    from watcher.notify.transport import check_targets

    settings = load_settings(config)
    where = settings.config_file or "environment only (no config file found)"
    problems = [*check_providers(settings), *check_targets(settings)]
    for problem in problems:
        print(f"{where}: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    providers = ", ".join(sorted(settings.providers)) or "none configured"
    print(f"{where}: OK ({len(settings.shipments)} shipments, providers: {providers})")
    return EXIT_OK


def require_providers(settings: Any) -> None:
    """ConfigError naming the first configured provider that cannot start (`run`, `check`)."""
    from watcher.domain.errors import ConfigError

    problems = check_providers(settings)
    if problems:
        where = settings.config_file or "environment"
        more = (
            f" (and {len(problems) - 1} more: `watcher config check`)" if len(problems) > 1 else ""
        )
        raise ConfigError(f"{where}: {problems[0]}{more}")


def check_providers(settings: Any) -> list[str]:
    """One line per configured provider that cannot start (unknown, bad settings, missing folder)."""
    from watcher.domain.errors import WatcherError
    from watcher.providers.registry import load_provider_class, provider_config

    names = dict.fromkeys([*settings.providers, *settings.default_providers])
    for shipment in settings.shipments:
        names.update(dict.fromkeys(shipment.providers or ()))
    problems = []
    for name in names:
        try:
            cls = load_provider_class(name)
            cls(
                provider_config(name, settings.providers.get(name)),
                name=name,
                config_dir=settings.config_dir,
            )
        except (WatcherError, ValueError, TypeError) as exc:
            problems.append(f"provider {name}: {exc}")
    return problems


def cmd_demo(*, config: str | None, as_json: bool) -> int:
    """`watcher demo`: the bundled demo parcels (its own config; `--config` is not read)."""
    from watcher.cli.demo import run_demo

    return run_demo(as_json=as_json)
