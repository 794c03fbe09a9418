"""`watcher case TRACKING [STEP]`: the buyer's case — position on the ladder, history, next step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from watcher.cli import renderer as r
from watcher.cli.common import (
    EXIT_OK,
    clock_for,
    load,
    normalize_number,
    opened_app,
    parse_day,
    parse_when,
    print_json,
    quiet_alert_logs,
)
from watcher.domain.errors import InputError

#: The ladder's steps, as `watcher case` takes them (checked by watcher.service.cases: importing
#: the rules here would slow every command down).
STEPS_HELP = (
    "seller-contacted, extension-requested, extension-granted, dispute-opened, seller-replied, "
    "escalated, refunded, closed, claim-filed, chargeback, received, not-received"
)


def cmd_case(
    *,
    config: str | None,
    tracking_number: str,
    step: str | None,
    at: str | None,
    until: str | None,
    note: str | None,
    by: str | None,
    amount: str | None,
    undo: bool,
    force: bool,
    now: str | None,
    as_json: bool,
) -> int:
    """Show the case, or record (`--undo`: take back) one step and show the case after it."""
    from watcher.service import cases

    number = normalize_number(tracking_number)
    settings = load(config)
    quiet_alert_logs()  # the case below shows what changed
    if step is None and (at or until or note or by or amount or undo or force):
        raise InputError("--at/--until/--note/--by/--amount/--undo/--force need a STEP")
    with opened_app(settings, clock=clock_for(now, settings)) as app:
        if step is None:
            data = cases.case_json(app, number)
        elif undo:
            data = cases.undo_step(app, number, step)
        else:
            when = parse_when(at, "--at", settings) if at is not None else None
            if when is not None and when > app.clock.now() + timedelta(minutes=5):
                raise InputError(f"--at: {when:%Y-%m-%d %H:%M} UTC is in the future")
            data = cases.record_step(
                app,
                number,
                step,
                at=when,
                until=parse_day(until, "--until"),
                note=note,
                by=by,
                detail=amount,
                force=force,
            )
    if as_json:
        print_json(data)
    else:
        if step is not None:
            print(f"{number}: {'undid' if undo else 'recorded'} {step}")
        print(case_text(data, ZoneInfo(settings.timezone)))
    return EXIT_OK


def case_text(data: dict[str, Any], tz: ZoneInfo) -> str:
    """The case on one screen."""
    facts = [data["tracking_number"], data["marketplace"]]
    if data["order_id"]:
        facts.append(f"order {data['order_id']}")
    if len(data["parcels"]) > 1:
        facts.append(f"parcels {', '.join(data['parcels'])}")
    lines = [" · ".join(facts), f"Position: {data['position']} (tracking: {data['status']})"]
    p = data["protection"]
    if p["ends"]:
        lines.append(
            f"Protection ends {p['ends']} ({p['source']}); dispute by {p['dispute_by'] or 'closed'}; "
            f"late disputes until {p['last_dispute_day']}"
        )
    lines.append("History:" if data["steps"] else "History: no steps recorded yet")
    for s in data["steps"]:
        extra = [f"until {s['until']}" if s["until"] else "", f"by {s['by']}" if s["by"] else ""]
        extra += [
            f"amount {s['amount']}" if s["amount"] else "",
            f'"{s["note"]}"' if s["note"] else "",
        ]
        undone = f" (undone {_local(s['undone_at'], tz)})" if s["undone_at"] else ""
        lines.append(
            f"  {_local(s['at'], tz)}  {s['step']}{' ' if any(extra) else ''}"
            f"{' '.join(e for e in extra if e)}{undone}"
        )
    nxt = data["next"]
    if nxt is None:
        lines.append("Next step: none — nothing to do now.")
    else:
        by = f" by {nxt['act_by']}" if nxt["act_by"] else " now" if nxt["action"] != "wait" else ""
        lines.append(f"Next step: {nxt['action'].replace('_', ' ')}{by} ({nxt['kind']})")
        lines.append(r.wrap(nxt["message"], "  "))
    for alert in data["alerts"][1:]:
        by = f" by {alert['act_by']}" if alert["act_by"] else ""
        lines.append(f"Also: {alert['kind']}: {alert['action'].replace('_', ' ')}{by}")
    lines.append("Evidence to gather:")
    lines += [r.wrap(f"- {item}", "  ") for item in data["evidence"]]
    return "\n".join(lines)


def _local(text: str, tz: ZoneInfo) -> str:
    return f"{datetime.fromisoformat(text).astimezone(tz):%Y-%m-%d %H:%M}"
