"""Turn alerts into message titles and bodies. Pure."""

from __future__ import annotations

from datetime import date

from watcher.models import Action

_ACTION_PHRASES = {
    Action.WAIT: "Keep an eye on",
    Action.CONTACT_SELLER: "Contact the seller about",
    Action.OPEN_DISPUTE: "Open a dispute for",
    Action.ESCALATE_DISPUTE: "Escalate the dispute for",
    Action.CONTACT_COURIER: "Contact the courier about",
    Action.FILE_COURIER_CLAIM: "File a courier claim for",
    Action.COLLECT_PARCEL: "Collect",
    Action.CONFIRM_RECEIPT: "Confirm receipt of",
    Action.CHECK_PROVIDER: "Check the tracking provider",
}


def short_date(value: date) -> str:
    """'5 Dec' (and the year when it is not the current one is left to the body)."""
    return f"{value.day} {value.strftime('%b')}"


def alert_title(*, action: str, name: str, act_by: date | None, event: str = "opened") -> str:
    """'Open a dispute for USB hub by 5 Dec'."""
    try:
        phrase = _ACTION_PHRASES[Action(action)]
    except ValueError:
        phrase = action.replace("_", " ").capitalize()
    title = f"{phrase} {name}" if action != Action.CHECK_PROVIDER else f"{phrase}: {name}"
    if act_by is not None:
        title += f" by {short_date(act_by)}"
    if event == "resolved":
        title = f"Resolved: {name}"
    return title


def alert_body(
    *,
    name: str,
    tracking_number: str,
    kind: str,
    action: str,
    severity: str,
    message: str,
    act_by: date | None,
    evidence: list[str] | None = None,
    recent_events: list[str] | None = None,
    event: str = "opened",
) -> str:
    """Plain-text body: parcel, problem, action, date, evidence, last events."""
    lines = [
        f"Parcel: {name}",
        f"Tracking number: {tracking_number}",
        f"Problem: {kind} ({severity})" + (" - resolved" if event == "resolved" else ""),
        f"Action: {action.replace('_', ' ')}" + (f" by {act_by.isoformat()}" if act_by else ""),
        "",
        message,
    ]
    if evidence:
        lines += ["", "Evidence to gather:"] + [f"- {item}" for item in evidence]
    if recent_events:
        lines += ["", "Last events:"] + [f"- {item}" for item in recent_events]
    return "\n".join(lines)
