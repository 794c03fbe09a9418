"""What the pages and the API read and write, through the same store functions as the CLI.

Shapes come from `watcher.cli.render` (the `--json` contracts), so the API and the CLI answer
alike. Blocking database work: callers run these in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from watcher.config.choices import check_marketplace, check_providers
from watcher.domain.errors import InputError
from watcher.domain.numbers import normalize_tracking_number
from watcher.domain.userinput import country_code
from watcher.web import forms
from watcher.web.views import ParcelLine, most_urgent, sort_by_urgency

if TYPE_CHECKING:
    from watcher.domain.models import Timeline
    from watcher.service.app import App
    from watcher.store.tables import AlertRow, ShipmentRow

#: Fields a PATCH may change (the `add` fields, and archiving).
EDITABLE = (
    "label",
    "marketplace",
    "order_id",
    "ordered_at",
    "protection_ends",
    "max_delivery_days",
    "insured",
    "destination",
    "archived",
)


class NotWatched(InputError):
    """No parcel has this tracking number (404 on the web)."""


class AlreadyWatched(InputError):
    """The parcel is watched already (409 on the web)."""


@dataclass(frozen=True, slots=True)
class Parcel:
    """A stored parcel with its merged timeline, legs and open alerts."""

    row: ShipmentRow
    timeline: Timeline
    legs: list[str]
    alerts: list[AlertRow]


def known_number(app: App, raw_number: str) -> str:
    """The stored number of a parcel; InputError for a bad number, NotWatched if unknown."""
    from watcher.store import shipments

    number = normalize_tracking_number(raw_number)
    with app.sessions() as session:
        row = shipments.find_shipment(session, number)
        if row is None:
            raise NotWatched(f"{number}: not watched (add it with `watcher add {number}`)")
        return row.tracking_number


def load_parcel(app: App, raw_number: str) -> Parcel:
    """A parcel by number (or leg number); InputError for a bad number, NotWatched if unknown."""
    from watcher.service.timelines import load_timeline
    from watcher.store import alert_states, shipments

    number = normalize_tracking_number(raw_number)
    with app.sessions() as session:
        row = shipments.find_shipment(session, number)
        if row is None:
            raise NotWatched(f"{number}: not watched (add it with `watcher add {number}`)")
        timeline, _events = load_timeline(session, row)
        legs = shipments.leg_numbers(session, row.id)
        alerts = alert_states.open_alerts(session, row.tracking_number)
        session.expunge_all()
    return Parcel(row, timeline, legs, alerts)


def parcel_json(app: App, raw_number: str) -> dict[str, Any]:
    """`watcher show --json` of a parcel, plus its case."""
    from watcher.cli.render import alert_json, shipment_json
    from watcher.service.cases import case_json

    parcel = load_parcel(app, raw_number)
    data = shipment_json(parcel.row, parcel.timeline, parcel.legs)
    data["alerts"] = [alert_json(a) for a in parcel.alerts]
    data["case"] = case_json(app, parcel.row.tracking_number)
    return data


def evidence_report(app: App, raw_number: str) -> dict[str, Any]:
    """`watcher evidence`'s report of a watched parcel (the JSON the CLI writes next to the HTML)."""
    from watcher.service.evidence import gather_evidence

    number = known_number(app, raw_number)
    with app.sessions() as session:
        return gather_evidence(session, number, app.clock.now(), settings=app.settings)


def shipment_records(
    app: App, *, include_archived: bool, limit: int | None
) -> list[dict[str, Any]]:
    """`watcher list --json`: every parcel, oldest first."""
    from watcher.cli.render import shipment_record
    from watcher.store import quickread

    with app.engine.connect() as connection:
        database = quickread.SqlAlchemyDatabase(connection)
        return [
            shipment_record(values)
            for chunk in quickread.shipment_records(
                database, include_archived=include_archived, limit=limit
            )
            for values in chunk
        ]


def parcel_lines(app: App, *, include_archived: bool) -> list[ParcelLine]:
    """The list page: every parcel with its most urgent open alert, most urgent first."""
    from watcher.cli.render import alert_json
    from watcher.store import alert_states, shipments

    with app.sessions() as session:
        rows = shipments.list_shipments(session, include_archived=include_archived)
        alerts = alert_states.open_alerts_by_subject(session, [r.tracking_number for r in rows])
        lines = []
        for row in rows:
            open_alerts = [alert_json(a) for a in alerts.get(row.tracking_number, [])]
            top = most_urgent(open_alerts)
            lines.append(
                ParcelLine(
                    tracking_number=row.tracking_number,
                    label=row.label,
                    status=row.status,
                    substatus=row.substatus,
                    last_event_at=row.last_event_at,
                    action=top["action"] if top else None,
                    act_by=date.fromisoformat(top["act_by"]) if top and top["act_by"] else None,
                    severity=top["severity"] if top else None,
                    message=top["message"] if top else None,
                    alerts=len(open_alerts),
                    received=row.received_at is not None,
                    archived=row.archived_at is not None,
                )
            )
    return sort_by_urgency(lines)


def today(app: App) -> date:
    """The buyer's day, in the configured time zone."""
    return app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()


def add_parcel(app: App, values: dict[str, Any]) -> str:
    """Validate a new parcel as `watcher add` does, store it, and return its number."""
    from pydantic import ValidationError

    from watcher.config import DEFAULT_MARKETPLACE, ShipmentConfig, describe_validation_error
    from watcher.store import shipments

    pasted = forms.pasted_number(values.get("tracking_number"))
    number = pasted.number
    providers = values.get("providers") or None
    check_providers(providers or (), "providers")
    now = app.clock.now()
    try:
        data = ShipmentConfig(
            tracking_number=number,
            label=forms.optional_text(values.get("label"), "label"),
            marketplace=forms.optional_text(values.get("marketplace"), "marketplace")
            or DEFAULT_MARKETPLACE,
            order_id=forms.optional_text(values.get("order_id"), "order_id") or pasted.order_id,
            ordered_at=forms.parse_day(values.get("ordered_at"), "ordered_at", now),
            protection_ends=forms.parse_protection(values.get("protection_ends"), today(app), now),
            max_delivery_days=forms.parse_positive(
                values.get("max_delivery_days"), "max_delivery_days"
            ),
            destination=_destination(values.get("destination")),
            providers=providers,
            insured=forms.flag(values.get("insured"), "insured"),
        )
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    check_marketplace(app.settings.profiles, data.marketplace, "marketplace")
    with app.sessions.begin() as session:
        if shipments.find_shipment(session, number) is not None:
            raise AlreadyWatched(f"{number}: already watched (see `watcher show {number}`)")
        shipments.add_shipment(session, data, app.clock.now())
    return number


def update_parcel(app: App, raw_number: str, changes: dict[str, Any]) -> str:
    """Change a parcel's facts (PATCH); unknown fields are refused by name."""
    from watcher.store import shipments

    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(f"{unknown[0]}: not a field that can be changed ({', '.join(EDITABLE)})")
    now = app.clock.now()
    number = known_number(app, raw_number)  # 404 before anything else
    if "marketplace" in changes:
        check_marketplace(app.settings.profiles, changes["marketplace"], "marketplace")
    with app.sessions.begin() as session:
        row = shipments.require_shipment(session, number)
        for key, value in changes.items():
            _apply_change(row, key, value, now, today(app))
        row.updated_at = row.next_eval_at = now
        return row.tracking_number


def _apply_change(row: ShipmentRow, key: str, value: Any, now: Any, day: date) -> None:
    """One PATCH field, type-checked: text fields take a string or null, flags a real boolean."""
    if key == "archived":
        archived = forms.flag(value, key)
        row.archived_at = now if archived else None
        row.next_poll_at = None if archived else now
    elif key == "ordered_at":
        row.ordered_at = forms.parse_day(value, key, now)
    elif key == "protection_ends":
        row.protection_ends = forms.parse_protection(value, day, now)
    elif key == "max_delivery_days":
        row.max_delivery_days = forms.parse_positive(value, key)
    elif key == "insured":
        row.insured = forms.flag(value, key)
    elif key == "destination":
        destination = _destination(value)
        row.dest_country = destination.get("country")
        row.dest_city, row.dest_postcode = destination.get("city"), destination.get("postcode")
    else:
        setattr(row, key, forms.optional_text(value, key))


def _destination(value: Any) -> dict[str, str | None]:
    """`{"country", "city", "postcode"}`: strings or null; the country as `--country` takes it."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("destination: expected an object with country, city, postcode")
    unknown = sorted(set(value) - {"country", "city", "postcode"})
    if unknown:
        raise InputError(f"destination.{str(unknown[0])[:40]}: not a destination field")
    country = country_code(value.get("country"), "destination.country") or None
    city = forms.optional_text(value.get("city"), "destination.city")
    postcode = forms.optional_text(value.get("postcode"), "destination.postcode")
    return {k: v for k, v in (("country", country), ("city", city), ("postcode", postcode)) if v}


def alerts_json(app: App, days: int) -> list[dict[str, Any]]:
    """`watcher alerts --json`: open alerts and those resolved in the last `days` days."""
    from watcher.cli.render import alert_json
    from watcher.store import alert_states

    with app.sessions() as session:
        since = app.clock.now() - timedelta(days=days)
        return [alert_json(row) for row in alert_states.recent_alerts(session, since)]


def notifications_json(app: App, limit: int) -> list[dict[str, Any]]:
    """`watcher notifications --json`: recent deliveries and failures, newest first."""
    from watcher.cli.notifications import notification_json
    from watcher.notify.outbox import recent

    with app.sessions() as session:
        return [notification_json(row) for row in recent(session, limit=limit)]


def status_json(app: App) -> dict[str, Any]:
    """`watcher status --json`: the daemon's health, read from the database."""
    from watcher.config import database_url
    from watcher.service.status_report import collect, to_json
    from watcher.store import quickread

    with app.engine.connect() as connection:
        database = quickread.SqlAlchemyDatabase(connection)
        health = collect(database, app.settings, app.clock.now(), url=database_url(app.settings))
    return to_json(health)
