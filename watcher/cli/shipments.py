"""Parcel commands: `add`, `list`, `show`, `received`, `not-received` (case steps) and `archive`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from watcher.cli.common import (
    EXIT_OK,
    load,
    normalize_number,
    opened_app,
    parse_day,
    parse_when,
    print_json,
    print_json_lines,
    quiet_alert_logs,
    read_database,
)
from watcher.domain.errors import InputError

if TYPE_CHECKING:
    from watcher.config import Settings
    from watcher.service.app import App
    from watcher.store.quickread import Database


def cmd_add(
    *,
    config: str | None,
    tracking_number: str,
    label: str | None,
    marketplace: str | None,
    order_id: str | None,
    ordered_at: str | None,
    protection_ends: str | None,
    protection_days: int | None,
    max_delivery_days: int | None,
    country: str | None,
    city: str | None,
    postcode: str | None,
    providers: Sequence[str] | None,
    insured: bool,
) -> int:
    """`watcher add`: validate the parcel as a config entry would be, then store it."""
    from pydantic import ValidationError

    from watcher.cli.pasted import from_pasted
    from watcher.config import DEFAULT_MARKETPLACE, ShipmentConfig, describe_validation_error
    from watcher.store import shipments

    pasted = from_pasted(tracking_number)
    number = normalize_number(pasted.number)
    ordered_day = parse_day(ordered_at, "--ordered-at")
    settings = load(config)
    protection_day = protection_end(protection_ends, protection_days, settings)
    check_providers(providers or ())
    try:
        data = ShipmentConfig(
            tracking_number=number,
            label=label,
            marketplace=marketplace or DEFAULT_MARKETPLACE,
            order_id=order_id or pasted.order_id,
            ordered_at=ordered_day,
            protection_ends=protection_day,
            max_delivery_days=max_delivery_days,
            destination={"country": country, "city": city, "postcode": postcode},
            providers=list(providers) if providers else None,
            insured=insured,
        )
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    check_marketplace(settings, data.marketplace)
    with opened_app(settings) as app, app.sessions.begin() as session:
        shipments.add_shipment(session, data, app.clock.now())
    where = f" (from the {pasted.source} link)" if pasted.source else ""
    print(f"watching {number}" + (f" ({label})" if label else "") + where)
    if protection_day:
        print(f"  buyer protection ends {protection_day.isoformat()}")
    return EXIT_OK


def protection_end(day: str | None, days: int | None, settings: Settings) -> date | None:
    """`--protection-ends DATE` or `--protection-days N` (N days from today, local time)."""
    from zoneinfo import ZoneInfo

    from watcher.domain.clock import SystemClock
    from watcher.domain.userinput import days_after

    if day is not None and days is not None:
        raise InputError("--protection-ends and --protection-days: give one of them")
    if days is None:
        return parse_day(day, "--protection-ends")
    now = SystemClock().now()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    return days_after(today, days, "--protection-days", now)


def check_providers(names: Iterable[str]) -> None:
    """Reject a `--provider` no adapter answers to."""
    from watcher.config.choices import check_providers as check

    check(names, "--provider")


def check_marketplace(settings: Settings, marketplace: str) -> None:
    """Reject a `--marketplace` without a rules profile, as the config file does."""
    from watcher.config.choices import check_marketplace as check

    check(settings.profiles, marketplace, "--marketplace")


def cmd_list(
    *, config: str | None, include_archived: bool, as_json: bool, limit: int | None
) -> int:
    """`watcher list`: one row (or JSON item) per parcel, oldest first, with the next action."""
    from watcher.cli.listing import write_table

    settings = load(config)
    with read_database(settings) as database:
        # Streamed in chunks: 100,000 parcels never sit in memory as rows.
        if as_json:
            print_json_lines(
                shipment_json_chunks(database, include_archived=include_archived, limit=limit)
            )
            return EXIT_OK
        shown = write_table(database, settings, include_archived=include_archived, limit=limit)
    if not shown:
        print("No parcels watched yet. Add one with `watcher add TRACKING` or in the config file.")
    return EXIT_OK


def shipment_json_chunks(
    database: Database, *, include_archived: bool, limit: int | None
) -> Iterator[list[str]]:
    """Each shipment's `list --json` item as JSON text, in chunks (made by SQLite where it can)."""
    import json

    from watcher.cli.render import shipment_record
    from watcher.store import quickread

    if isinstance(database, quickread.SqliteDatabase):
        for chunk in quickread.sqlite_shipment_json(
            database, include_archived=include_archived, limit=limit
        ):
            yield [text for (text,) in chunk]
        return
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for chunk in quickread.shipment_records(
        database, include_archived=include_archived, limit=limit
    ):
        yield [encode(shipment_record(row)) for row in chunk]


def shipment_and_timeline(
    app: App, raw_number: str
) -> tuple[Any, Any, list[Any], list[str], list[Any]]:
    """A stored parcel with its merged timeline, raw events, leg numbers and open alerts."""
    from watcher.service.timelines import load_timeline
    from watcher.store import alert_states, shipments

    number = normalize_number(raw_number)
    with app.sessions() as session:
        row = shipments.require_shipment(session, number)
        timeline, events = load_timeline(session, row)
        legs = shipments.leg_numbers(session, row.id)
        alerts = alert_states.open_alerts(session, row.tracking_number)
    return row, timeline, events, legs, alerts


def cmd_show(*, config: str | None, tracking_number: str, as_json: bool, raw: bool) -> int:
    """`watcher show`: a parcel's milestones and timeline (or each provider's raw events)."""
    from zoneinfo import ZoneInfo

    from watcher.cli.render import alert_json, shipment_json, shipment_text

    settings = load(config)
    with opened_app(settings) as app:
        row, timeline, events, legs, alerts = shipment_and_timeline(app, tracking_number)
        now = app.clock.now()
    if as_json:
        data = shipment_json(row, timeline, legs)
        data["alerts"] = [alert_json(a) for a in alerts]
        print_json(data)
    elif raw:
        from watcher.cli.timeline_text import render_raw

        print(render_raw(events, timeline))
    else:
        print(shipment_text(row, timeline, legs, alerts, now=now, tz=ZoneInfo(settings.timezone)))
    return EXIT_OK


def mark(config: str | None, raw_number: str, at: str | None, field: str, verb: str) -> int:
    """Record a moment the owner reports (`field` of the shipment row) and say so (archive)."""
    from zoneinfo import ZoneInfo

    from watcher.cli import renderer
    from watcher.store import shipments

    number = normalize_number(raw_number)
    settings = load(config)
    tz = ZoneInfo(settings.timezone)
    with opened_app(settings) as app:
        now = app.clock.now()
        when = parse_when(at, "--at", settings) if at is not None else now
        with app.sessions.begin() as session:
            row = shipments.require_shipment(session, number)
            setattr(row, field, when)
            row.updated_at = now
            if field == "archived_at":
                row.next_poll_at = None
            label = f" ({row.label})" if row.label else ""
    print(f"{number}{label}: {verb} {renderer.when(when, now, tz)}")
    return EXIT_OK


def cmd_received(*, config: str | None, tracking_number: str, at: str | None) -> int:
    """`watcher received`: the parcel is in hand (a step of its case)."""
    return case_step(config, tracking_number, at, "received", "received", force=False)


def cmd_not_received(
    *, config: str | None, tracking_number: str, at: str | None, force: bool = False
) -> int:
    """`watcher not-received`: marked delivered, but it never arrived (a step of its case)."""
    return case_step(
        config, tracking_number, at, "not-received", "marked not received", force=force
    )


def case_step(
    config: str | None, raw_number: str, at: str | None, step: str, verb: str, *, force: bool
) -> int:
    """Record `step` on the parcel's case (which re-evaluates it at once) and say what is left."""
    from zoneinfo import ZoneInfo

    from watcher.cli import renderer
    from watcher.service import cases
    from watcher.store import alert_states, shipments

    number = normalize_number(raw_number)
    settings = load(config)
    quiet_alert_logs()  # what is left is printed below
    tz = ZoneInfo(settings.timezone)
    with opened_app(settings) as app:
        now = app.clock.now()
        when = parse_when(at, "--at", settings) if at is not None else now
        data = cases.record_step(app, number, step, at=when, force=force)
        with app.sessions() as session:
            row = shipments.require_shipment(session, number)
            label = f" ({row.label})" if row.label else ""
            still_open = alert_states.open_alerts(session, number)
    print(f"{number}{label}: {verb} {renderer.when(when, now, tz)}")
    kinds = f": {', '.join(a.kind for a in still_open)}" if still_open else ""
    print(f"  {len(still_open)} open alert{'s' if len(still_open) != 1 else ''} left{kinds}")
    nxt = data["next"]
    if nxt is not None:
        by = f" by {nxt['act_by']}" if nxt["act_by"] else ""
        print(f"  next step: {nxt['action'].replace('_', ' ')}{by} — `watcher case {number}`")
    return EXIT_OK


def cmd_archive(*, config: str | None, tracking_number: str, at: str | None) -> int:
    """`watcher archive`: stop polling; the history stays."""
    return mark(config, tracking_number, at, "archived_at", "archived")
