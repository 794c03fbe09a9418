"""The `watcher` command line: the composition root.

It parses arguments, loads settings once, wires the parts and runs one command. Heavy modules
are imported inside the commands that need them, so quick commands start quickly.
Exit codes: 0 ok, 1 runtime failure or unhealthy, 2 bad input or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from watcher.domain.errors import ConfigError, InputError, StoreError, WatcherError

if TYPE_CHECKING:
    from watcher.service.app import App
    from watcher.config import Settings
    from watcher.store.quickread import Database

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args) or EXIT_OK)
    except (ConfigError, InputError) as exc:
        print(f"watcher: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (StoreError, WatcherError) as exc:
        print(f"watcher: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watcher", description="Watch marketplace parcels and say what to do when a delivery goes wrong.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="config file (default: $WATCHER_CONFIG, ./watcher.toml, ~/.config/watcher/watcher.toml, /etc/watcher/watcher.toml)")
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    command("run", cmd_run, "run the daemon")
    p = command("demo", cmd_demo, "run the main job on bundled demo parcels (no network, no keys)")
    p.add_argument("--json", action="store_true", help="print the alerts as JSON")

    p = command("add", cmd_add, "start watching a parcel")
    p.add_argument("tracking_number")
    p.add_argument("--label")
    p.add_argument("--marketplace", default=None)
    p.add_argument("--order-id")
    p.add_argument("--ordered-at", metavar="DATE")
    p.add_argument("--protection-ends", metavar="DATE")
    p.add_argument("--max-delivery-days", type=int)
    p.add_argument("--country", help="destination country (ISO 3166 alpha-2)")
    p.add_argument("--city")
    p.add_argument("--postcode")
    p.add_argument("--provider", action="append", dest="providers", help="adapter to ask (repeatable)")
    p.add_argument("--insured", action="store_true", help="premium/insured shipping (courier claims pay better)")

    p = command("list", cmd_list, "list watched parcels")
    p.add_argument("--all", action="store_true", help="include archived parcels")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N (oldest first, as always)")

    p = command("show", cmd_show, "show a parcel's timeline")
    p.add_argument("tracking_number")
    p.add_argument("--json", action="store_true")
    p.add_argument("--raw", action="store_true", help="every provider's original events next to the merged timeline")

    p = command("check", cmd_check, "sync, poll once, evaluate every parcel and print open alerts")
    p.add_argument("--now", metavar="ISO8601", help="evaluate as if it were this time")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-poll", action="store_true", help="evaluate stored events only")
    p.add_argument("--no-notify", action="store_true", help="do not send notifications")

    for name, handler, text in (
        ("received", cmd_received, "record that you have the parcel"),
        ("not-received", cmd_not_received, "record that a parcel marked delivered never arrived"),
        ("archive", cmd_archive, "stop polling a parcel (history is kept)"),
    ):
        p = command(name, handler, text)
        p.add_argument("tracking_number")
        p.add_argument("--at", metavar="ISO8601", help="when (default: now)")

    p = command("alerts", cmd_alerts, "list open and recently resolved alerts")
    p.add_argument("--days", type=int, default=14, help="show alerts resolved in the last N days (default 14)")
    p.add_argument("--json", action="store_true")

    p = command("advise", cmd_advise, "what to do about a parcel, by when, with which evidence")
    p.add_argument("tracking_number")
    p.add_argument("--now", metavar="ISO8601")

    p = command("notifications", cmd_notifications, "list recent notification deliveries and failures")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--json", action="store_true")
    p.add_argument("--target", help="only this notification target")
    p.add_argument("--state", choices=("sent", "pending", "failed"), help="only sent, waiting, or failed ones")

    notify = sub.add_parser("notify", help="notification tools")
    notify_sub = notify.add_subparsers(metavar="ACTION")
    p = notify_sub.add_parser("test", parents=[common], help="send a test message to one or all targets")
    p.add_argument("target", nargs="?", metavar="TARGET", help="target name (default: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_notify_test)

    p = command("providers", cmd_providers, "configured tracking providers and their health (and quota where known)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-quota", action="store_true", help="do not ask providers for their quota")

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(metavar="ACTION")
    p = config_sub.add_parser("check", parents=[common], help="validate the configuration")
    p.set_defaults(handler=cmd_config_check)

    p = command("status", cmd_status, "is the daemon alive and healthy? (exit code 1 when not: a monitoring check)")
    p.add_argument("--json", action="store_true")
    database = sub.add_parser("db", help="database tools")
    db_sub = database.add_subparsers(metavar="ACTION")
    p = db_sub.add_parser("backup", parents=[common], help="copy the database to PATH (SQLite file, or JSON for PostgreSQL)")
    p.add_argument("path", metavar="PATH")
    p.set_defaults(handler=cmd_db_backup)
    p = db_sub.add_parser("export", parents=[common], help="print shipments, events, alerts and notifications")
    p.add_argument("--json", action="store_true", required=True, help="as JSON (the only format)")
    p.set_defaults(handler=cmd_db_export)
    return parser


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return number


def _version() -> str:
    from watcher import __version__

    return __version__


# ---------------------------------------------------------------- helpers


def load(args: argparse.Namespace) -> Settings:
    from watcher.config import load_settings
    from watcher.service.logs import setup_logging

    settings = load_settings(args.config)
    setup_logging(settings.logging.level, settings.logging.format)
    return settings


def open_app(settings: Settings, **kwargs: Any) -> App:
    from watcher.service.app import App

    return App(settings, **kwargs)


@contextmanager
def read_database(settings: Settings) -> Iterator[Database]:
    """A read-only connection for `list` and `status`, opened without importing SQLAlchemy if possible.

    A SQLite file already at the newest schema (the usual case) is read with `sqlite3`; anything
    else goes through `App` first, which creates or migrates the database, as every command does.
    """
    from watcher.store import db, quickread

    url = db.settings_url(settings)
    path = db.sqlite_path(url)
    if path is None or quickread.sqlite_revisions(path) != [db.script_head()]:
        app = open_app(settings)
        if path is None:
            try:
                with app.engine.connect() as connection:
                    yield quickread.SqlAlchemyDatabase(connection)
            finally:
                app.engine.dispose()
            return
        app.engine.dispose()
    with quickread.open_sqlite(path) as database:
        yield database


def parse_when(value: str, what: str, settings: Settings | None = None) -> datetime:
    """An ISO 8601 date or time; naive values are in the configured time zone."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.timezone) if settings else UTC
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}: not an ISO 8601 date or time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}: not a date (YYYY-MM-DD): {value!r}") from None


def normalize_number(raw: str) -> str:
    from watcher.domain.numbers import normalize_tracking_number

    return normalize_tracking_number(raw)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_json_lines(chunks: Iterable[list[str]]) -> None:
    """A JSON array of items already encoded, written as they come, one item per line.

    (`print_json` indents, which runs the pure-Python encoder: 17 s for 100,000 shipments.)
    """
    write = sys.stdout.write
    separator = "[\n"
    for chunk in chunks:
        if chunk:
            write(separator + ",\n".join(chunk))
            separator = ",\n"
    write("[]\n" if separator == "[\n" else "\n]\n")


def clock_for(args: argparse.Namespace, settings: Settings) -> Any:
    from watcher.domain.clock import FrozenClock, SystemClock

    now = getattr(args, "now", None)
    return FrozenClock(parse_when(now, "--now", settings)) if now else SystemClock()


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    from watcher.service.daemon import Daemon

    settings = load(args)
    app = open_app(settings)
    try:
        asyncio.run(Daemon(app).run())
    finally:
        app.engine.dispose()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from watcher.domain.clock import SystemClock
    from watcher.service.status_report import collect, render_text, to_json
    from watcher.store.db import settings_url

    settings = load(args)
    with read_database(settings) as database:
        health = collect(database, settings, SystemClock().now(), url=settings_url(settings))
    if args.json:
        print_json(to_json(health))
    else:
        print(render_text(health))
    return EXIT_OK if health.healthy else EXIT_FAILURE


def cmd_db_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from watcher.service.app import database_url
    from watcher.service.backup import backup

    app = open_app(load(args))
    dest = Path(args.path).expanduser()
    try:
        kind = backup(app.engine, database_url(app.settings), dest)
    finally:
        app.engine.dispose()
    print(f"backup written to {dest} ({'SQLite database' if kind == 'sqlite' else 'JSON'})")
    return EXIT_OK


def cmd_db_export(args: argparse.Namespace) -> int:
    from watcher.service.backup import export

    app = open_app(load(args))
    try:
        with app.sessions() as session:
            data = export(session)
    finally:
        app.engine.dispose()
    print_json(data)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from watcher.cli.render import alert_json, alert_text
    from watcher.store import repo

    settings = load(args)
    clock = clock_for(args, settings)
    app = open_app(settings, clock=clock)
    try:
        app.sync_config()
        report = asyncio.run(_check_cycle(app, poll=not args.no_poll, send=not args.no_notify))
        with app.sessions() as session:
            alerts = repo.open_alerts(session)
            data = [alert_json(row) for row in alerts]
            text = [alert_text(row) for row in alerts]
    finally:
        app.engine.dispose()
    if args.json:
        print_json(data)
    else:
        for line in report.poll.errors:
            print(f"provider error: {line}", file=sys.stderr)
        print("\n".join(text) if text else "No open alerts.")
    return EXIT_OK


async def _check_cycle(app: App, *, poll: bool, send: bool) -> Any:
    try:
        return await app.cycle(force=True, everything=True, send=send, poll=poll)
    finally:
        await app.aclose_providers()


def cmd_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from watcher.config import DEFAULT_MARKETPLACE, ShipmentConfig, describe_validation_error
    from watcher.providers.registry import available_providers
    from watcher.store import repo

    number = normalize_number(args.tracking_number)
    ordered_at = parse_day(args.ordered_at, "--ordered-at")
    protection_ends = parse_day(args.protection_ends, "--protection-ends")
    for name in args.providers or ():
        if name not in available_providers():
            raise InputError(f"--provider: unknown provider {name!r} (known: {', '.join(available_providers())})")
    try:
        data = ShipmentConfig(
            tracking_number=number,
            label=args.label,
            marketplace=args.marketplace or DEFAULT_MARKETPLACE,
            order_id=args.order_id,
            ordered_at=ordered_at,
            protection_ends=protection_ends,
            max_delivery_days=args.max_delivery_days,
            destination={"country": args.country, "city": args.city, "postcode": args.postcode},
            providers=args.providers,
            insured=args.insured,
        )
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    settings = load(args)
    from watcher.rules.profiles import resolve_profile

    try:
        resolve_profile(settings.profiles, data.marketplace)
    except (KeyError, ValueError, ConfigError) as exc:
        raise InputError(f"--marketplace: {exc}") from None
    app = open_app(settings)
    with app.sessions.begin() as session:
        repo.add_shipment(session, data, app.clock.now())
    app.engine.dispose()
    print(f"watching {number}" + (f" ({args.label})" if args.label else ""))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from watcher.cli.render import LIST_HEADER
    from watcher.store import quickread

    settings = load(args)
    with read_database(settings) as database:
        # Streamed in chunks: 100,000 parcels never sit in memory as rows.
        if args.json:
            print_json_lines(_shipment_json(database, include_archived=args.all, limit=args.limit))
            return EXIT_OK
        empty = True
        for chunk in quickread.shipment_lines(database, include_archived=args.all, limit=args.limit):
            if empty:
                sys.stdout.write(LIST_HEADER + "\n")
                empty = False
            sys.stdout.write("\n".join([line for (line,) in chunk]) + "\n")
    if empty:
        print("No parcels watched yet. Add one with `watcher add TRACKING` or in the config file.")
    return EXIT_OK


def _shipment_json(database: Database, *, include_archived: bool, limit: int | None) -> Iterator[list[str]]:
    """Each shipment's `list --json` item as JSON text, in chunks (made by SQLite where it can)."""
    from watcher.cli.render import shipment_record
    from watcher.store import quickread

    if isinstance(database, quickread.SqliteDatabase):
        for chunk in quickread.sqlite_shipment_json(database, include_archived=include_archived, limit=limit):
            yield [text for (text,) in chunk]
        return
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for chunk in quickread.shipment_records(database, include_archived=include_archived, limit=limit):
        yield [encode(shipment_record(row)) for row in chunk]


def _shipment_and_timeline(app: App, raw_number: str) -> tuple[Any, Any, list[Any], list[str], list[Any]]:
    from watcher.store import repo
    from watcher.timeline.build import build_timeline

    number = normalize_number(raw_number)
    with app.sessions() as session:
        row = repo.require_shipment(session, number)
        events = repo.stored_events(session, row.id)
        legs = repo.leg_numbers(session, row.id)
        alerts = repo.open_alerts(session, row.tracking_number)
        estimates = repo.estimates(session, row.id)
    timeline = build_timeline(events, destination_country=row.dest_country, estimates=estimates)
    return row, timeline, events, legs, alerts


def cmd_show(args: argparse.Namespace) -> int:
    from watcher.cli.render import alert_json, shipment_json, shipment_text

    app = open_app(load(args))
    try:
        row, timeline, events, legs, alerts = _shipment_and_timeline(app, args.tracking_number)
    finally:
        app.engine.dispose()
    if args.json:
        data = shipment_json(row, timeline, legs)
        data["alerts"] = [alert_json(a) for a in alerts]
        print_json(data)
    elif args.raw:
        from watcher.timeline.build import render_raw

        print(render_raw(events, timeline))
    else:
        print(shipment_text(row, timeline, legs, alerts))
    return EXIT_OK


def _mark(args: argparse.Namespace, field: str, verb: str) -> int:
    from watcher.store import repo

    number = normalize_number(args.tracking_number)
    settings = load(args)
    app = open_app(settings)
    when = parse_when(args.at, "--at", settings) if args.at else app.clock.now()
    with app.sessions.begin() as session:
        row = repo.require_shipment(session, number)
        setattr(row, field, when)
        row.updated_at = app.clock.now()
        row.next_eval_at = app.clock.now()
        if field == "archived_at":
            row.next_poll_at = None
        elif field == "received_at":
            row.not_received_at = None
        label = f" ({row.label})" if row.label else ""
    app.engine.dispose()
    print(f"{number}{label}: {verb} {when:%Y-%m-%d %H:%M} UTC")
    return EXIT_OK


def cmd_received(args: argparse.Namespace) -> int:
    return _mark(args, "received_at", "received")


def cmd_not_received(args: argparse.Namespace) -> int:
    return _mark(args, "not_received_at", "marked not received")


def cmd_archive(args: argparse.Namespace) -> int:
    return _mark(args, "archived_at", "archived")


def cmd_alerts(args: argparse.Namespace) -> int:
    from watcher.cli.render import alert_json, alert_text
    from watcher.store import repo

    app = open_app(load(args))
    with app.sessions() as session:
        rows = repo.recent_alerts(session, app.clock.now() - timedelta(days=args.days))
    app.engine.dispose()
    if args.json:
        print_json([alert_json(row) for row in rows])
    else:
        print("\n".join(alert_text(row) for row in rows) if rows else "No alerts.")
    return EXIT_OK


def cmd_advise(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from watcher.rules import RuleContext, evaluate
    from watcher.rules.advice import render_advice
    from watcher.rules.profiles import resolve_profile
    from watcher.store import repo

    settings = load(args)
    clock = clock_for(args, settings)
    app = open_app(settings, clock=clock)
    try:
        row, timeline, _events, _legs, _stored = _shipment_and_timeline(app, args.tracking_number)
    finally:
        app.engine.dispose()
    view = repo.to_view(row)
    profile = resolve_profile(settings.profiles, row.marketplace, view)
    tz = ZoneInfo(settings.timezone)
    now = clock.now()
    # Advice is about "now" (or --now): evaluate afresh rather than trusting the last cycle's alerts.
    alerts = evaluate(RuleContext(shipment=view, timeline=timeline, now=now, profile=profile, tz=tz)).alerts
    held = {"timeline": bool(timeline.events), "order_id": bool(row.order_id), "tracking_number": True}
    print(render_advice(view, timeline, list(alerts), now=now, profile=profile, tz=tz, held=held))
    return EXIT_OK


def cmd_notifications(args: argparse.Namespace) -> int:
    from watcher.notify.outbox import recent, row_state
    from watcher.cli.render import iso

    app = open_app(load(args))
    with app.sessions() as session:
        rows = recent(session, limit=args.limit, target=args.target, state=args.state)
    app.engine.dispose()
    data = [
        {
            "id": r.id, "target": r.target, "event": r.event, "severity": r.severity, "title": r.title,
            "created_at": iso(r.created_at), "due_at": iso(r.due_at), "sent_at": iso(r.sent_at),
            "failed_at": iso(r.failed_at), "attempts": r.attempts, "last_error": r.last_error,
            "digest": bool((r.payload or {}).get("digest")),
            "state": "sent" if r.sent_at else "failed" if r.failed_at else "pending",
        }
        for r in rows
    ]
    if args.json:
        print_json(data)
    elif not data:
        print("No notifications yet.")
    else:
        for r, item in zip(rows, data, strict=True):
            print(notification_line(item, row_state(r)))
    return EXIT_OK


def notification_line(item: dict[str, Any], state: str) -> str:
    """One `watcher notifications` line: when, state, target, title, and why it is not sent yet."""
    when = item["sent_at"] or item["created_at"]
    note = ""
    if state in ("pending", "retrying"):
        note = f"  (due {item['due_at']}" + (", digest" if item["digest"] else "") + ")"
    if item["last_error"] and state != "sent":
        note += f"  [attempt {item['attempts']}: {item['last_error']}]"
    return f"{when}  {state:<8} {item['target']:<12} {item['event']:<9} {item['title']}{note}"


def cmd_notify_test(args: argparse.Namespace) -> int:
    from watcher.notify.dispatcher import send_test

    settings = load(args)
    app = open_app(settings)
    try:
        names = app.notifier.targets()
        if args.target and args.target not in names:
            known = ", ".join(names) or "none configured"
            raise InputError(f"{args.target}: no such notification target (known: {known})")
        results = send_test(
            [args.target] if args.target else names,
            sessions=app.sessions, notifier=app.notifier, router=app.router(), clock=app.clock,
        )
    finally:
        app.engine.dispose()
    if args.json:
        print_json([{"target": name, "ok": d.ok, "error": d.error, "services": len(d.done)} for name, d in results])
    elif not results:
        print("No notification targets configured (see [notify.targets] in the config).")
    else:
        for name, delivery in results:
            services = f"{len(delivery.done)} service{'s' if len(delivery.done) != 1 else ''}"
            print(f"{name}: ok ({services})" if delivery.ok else f"{name}: FAILED: {delivery.error}")
    return EXIT_OK if results and all(d.ok for _n, d in results) else EXIT_FAILURE


def cmd_providers(args: argparse.Namespace) -> int:
    from watcher.service.health import provider_health, refresh_quotas

    settings = load(args)
    app = open_app(settings)
    try:
        if not args.no_quota:
            asyncio.run(refresh_quotas(app))
        rows = provider_health(app)
    finally:
        app.engine.dispose()
    if args.json:
        print_json(rows)
        return EXIT_OK
    for row in rows:
        state = "paused" if row["paused"] else ("failing" if row["consecutive_failures"] else "ok")
        print(f"{row['name']:<10} {'configured' if row['configured'] else 'available':<10} {state:<8} "
              f"last success {row['last_success_at'] or '-'}  last error {row['last_error_at'] or '-'}")
        if row["last_error"]:
            print(f"{'':<10} error: {row['last_error']}")
        if row["quota"]:
            print(f"{'':<10} quota: " + ", ".join(f"{k}={v}" for k, v in sorted(row["quota"].items())))
    return EXIT_OK


def cmd_config_check(args: argparse.Namespace) -> int:
    from watcher.config import load_settings

    settings = load_settings(args.config)
    where = settings.config_file or "environment only (no config file found)"
    print(f"{where}: OK ({len(settings.shipments)} shipments, providers: {', '.join(sorted(settings.providers)) or 'none configured'})")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from watcher.service.demo import run_demo

    return run_demo(as_json=args.json)
