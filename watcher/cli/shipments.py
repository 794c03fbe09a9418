"""Parcel commands: `add`, `list`, `show`, `received`, `not-received` and `archive`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
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
    read_database,
)
from watcher.domain.errors import ConfigError, InputError

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
    max_delivery_days: int | None,
    country: str | None,
    city: str | None,
    postcode: str | None,
    providers: list[str] | None,
    insured: bool,
) -> int:
    """`watcher add`: validate the parcel as a config entry would be, then store it."""
    from pydantic import ValidationError

    from watcher.config import DEFAULT_MARKETPLACE, ShipmentConfig, describe_validation_error
    from watcher.store import shipments

    number = normalize_number(tracking_number)
    ordered_day = parse_day(ordered_at, "--ordered-at")
    protection_day = parse_day(protection_ends, "--protection-ends")
    check_providers(providers or ())
    try:
        data = ShipmentConfig(
            tracking_number=number,
            label=label,
            marketplace=marketplace or DEFAULT_MARKETPLACE,
            order_id=order_id,
            ordered_at=ordered_day,
            protection_ends=protection_day,
            max_delivery_days=max_delivery_days,
            destination={"country": country, "city": city, "postcode": postcode},
            providers=providers,
            insured=insured,
        )
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    settings = load(config)
    check_marketplace(settings, data.marketplace)
    with opened_app(settings) as app, app.sessions.begin() as session:
        shipments.add_shipment(session, data, app.clock.now())
    print(f"watching {number}" + (f" ({label})" if label else ""))
    return EXIT_OK


def check_providers(names: Iterable[str]) -> None:
    """Reject a `--provider` no adapter answers to."""
    from watcher.providers.registry import available_providers

    for name in names:
        if name not in available_providers():
            known = ", ".join(available_providers())
            raise InputError(f"--provider: unknown provider {name!r} (known: {known})")


def check_marketplace(settings: Settings, marketplace: str) -> None:
    """Reject a `--marketplace` without a rules profile, as the config file does."""
    from watcher.rules.profiles import known_profiles, resolve_profile

    known = known_profiles(settings.profiles)
    if marketplace not in known:
        raise InputError(
            f"--marketplace: unknown marketplace profile {marketplace[:40]!r} "
            f"(known: {', '.join(known)})"
        )
    try:
        resolve_profile(settings.profiles, marketplace)
    except (KeyError, ValueError, ConfigError) as exc:
        raise InputError(f"--marketplace: {exc}") from None


def cmd_list(
    *, config: str | None, include_archived: bool, as_json: bool, limit: int | None
) -> int:
    """`watcher list`: one line (or JSON item) per parcel, oldest first."""
    from watcher.cli.render import LIST_HEADER
    from watcher.store import quickread

    settings = load(config)
    with read_database(settings) as database:
        # Streamed in chunks: 100,000 parcels never sit in memory as rows.
        if as_json:
            print_json_lines(
                shipment_json_chunks(database, include_archived=include_archived, limit=limit)
            )
            return EXIT_OK
        empty = True
        for chunk in quickread.shipment_lines(
            database, include_archived=include_archived, limit=limit
        ):
            if empty:
                sys.stdout.write(LIST_HEADER + "\n")
                empty = False
            sys.stdout.write("\n".join([line for (line,) in chunk]) + "\n")
    if empty:
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
    from watcher.store import alert_states, delivery_estimates, shipments, tracking_events
    from watcher.timeline.build import build_timeline

    number = normalize_number(raw_number)
    with app.sessions() as session:
        row = shipments.require_shipment(session, number)
        events = tracking_events.stored_events(session, row.id)
        legs = shipments.leg_numbers(session, row.id)
        alerts = alert_states.open_alerts(session, row.tracking_number)
        estimates = delivery_estimates.estimates(session, row.id)
    timeline = build_timeline(events, destination_country=row.dest_country, estimates=estimates)
    return row, timeline, events, legs, alerts


def cmd_show(*, config: str | None, tracking_number: str, as_json: bool, raw: bool) -> int:
    """`watcher show`: a parcel's milestones and timeline (or each provider's raw events)."""
    from watcher.cli.render import alert_json, shipment_json, shipment_text

    with opened_app(load(config)) as app:
        row, timeline, events, legs, alerts = shipment_and_timeline(app, tracking_number)
    if as_json:
        data = shipment_json(row, timeline, legs)
        data["alerts"] = [alert_json(a) for a in alerts]
        # What went wrong handling this parcel, if anything (the cycle went on for the others).
        data["failures"] = row.failures or 0
        data["last_error"] = row.last_error
        data["last_error_at"] = row.last_error_at.isoformat() if row.last_error_at else None
        print_json(data)
    elif raw:
        from watcher.cli.timeline_text import render_raw

        print(render_raw(events, timeline))
    else:
        print(shipment_text(row, timeline, legs, alerts))
    return EXIT_OK


def mark(config: str | None, raw_number: str, at: str | None, field: str, verb: str) -> int:
    """Record a moment the owner reports (`field` of the shipment row) and say so."""
    from watcher.store import shipments

    number = normalize_number(raw_number)
    settings = load(config)
    with opened_app(settings) as app:
        when = parse_when(at, "--at", settings) if at is not None else app.clock.now()
        with app.sessions.begin() as session:
            row = shipments.require_shipment(session, number)
            setattr(row, field, when)
            row.updated_at = app.clock.now()
            row.next_eval_at = app.clock.now()
            if field == "archived_at":
                row.next_poll_at = None
            elif field == "received_at":
                row.not_received_at = None
            label = f" ({row.label})" if row.label else ""
    print(f"{number}{label}: {verb} {when:%Y-%m-%d %H:%M} UTC")
    return EXIT_OK


def cmd_received(*, config: str | None, tracking_number: str, at: str | None) -> int:
    """`watcher received`: the parcel is in hand."""
    return mark(config, tracking_number, at, "received_at", "received")


def cmd_not_received(*, config: str | None, tracking_number: str, at: str | None) -> int:
    """`watcher not-received`: marked delivered, but it never arrived."""
    return mark(config, tracking_number, at, "not_received_at", "marked not received")


def cmd_archive(*, config: str | None, tracking_number: str, at: str | None) -> int:
    """`watcher archive`: stop polling; the history stays."""
    return mark(config, tracking_number, at, "archived_at", "archived")
