"""Turn alerts into message titles and bodies (plain text and HTML) from overridable templates.

Templates are `string.Template` files: the built-in ones live in `watcher/templates/`, and a file
of the same name in `[notify] templates_dir` replaces one. Everything that reaches an HTML
template is escaped first: provider descriptions are untrusted input. Pure apart from reading
template files.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from watcher.domain.models import Action

_LOGGER = logging.getLogger(__name__)

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
    Action.CONTACT_SUPPORT: "Contact the platform's support about",
    Action.REQUEST_CHARGEBACK: "Request a chargeback for",
}

#: What each message event says first.
_HEADLINES = {
    "opened": "New problem with {name}.",
    "escalated": "The problem with {name} got more urgent.",
    "updated": "Update on {name}.",
    "reminder": "Reminder: {left} to act on {name}.",
    "resolved": "The problem with {name} is resolved: no action needed any more.",
}

TEMPLATE_NAMES = ("alert.txt", "alert.html", "digest.txt", "digest.html", "test.txt", "test.html")


def short_date(value: date, today: date | None = None) -> str:
    """'5 Dec', with the year when it is not the current one."""
    text = f"{value.day} {value.strftime('%b')}"
    return f"{text} {value.year}" if today is not None and value.year != today.year else text


def days_left_text(act_by: date, today: date) -> str:
    """'3 days', '1 day', 'today', 'overdue by 2 days'."""
    left = (act_by - today).days
    if left == 0:
        return "today is the last day"
    if left < 0:
        return f"overdue by {-left} day{'s' if left != -1 else ''}"
    return f"{left} day{'s' if left != 1 else ''} left"


def alert_title(
    *,
    action: str,
    name: str,
    act_by: date | None,
    event: str = "opened",
    today: date | None = None,
    kind: str = "",
) -> str:
    """'Open a dispute for USB hub by 5 Dec'."""
    if event == "resolved":
        return f"Resolved: {name}" + (f" ({problem_name(kind).lower()})" if kind else "")
    try:
        phrase = _ACTION_PHRASES[Action(action)]
    except ValueError:
        phrase = action.replace("_", " ").capitalize()
    title = f"{phrase} {name}" if action != Action.CHECK_PROVIDER else f"{phrase}: {name}"
    if act_by is not None:
        if today is not None and act_by < today:
            title += f" now (was due {short_date(act_by, today)})"
        elif today is not None and act_by == today:
            title += " today"
        else:
            title += f" by {short_date(act_by, today)}"
    if event == "reminder" and act_by is not None and today is not None:
        title = f"Reminder: {title} ({days_left_text(act_by, today)})"
    return title


def problem_name(kind: str) -> str:
    """'deadline_passed' -> 'Deadline passed'."""
    return kind.replace("_", " ").capitalize() if kind else "Problem"


@dataclass(frozen=True, slots=True)
class EventLine:
    """One timeline event as a message quotes it (time already in the owner's zone)."""

    when: str
    description: str
    location: str | None = None

    def text(self) -> str:
        return f"{self.when}  {self.description}" + (f" ({self.location})" if self.location else "")


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """Everything a message about one alert may say."""

    name: str  # the label, or the tracking number
    tracking_number: str
    kind: str
    action: str
    severity: str
    message: str
    event: str  # opened, escalated, updated, reminder, resolved
    today: date | None  # in the owner's zone; None leaves out "N days left"
    act_by: date | None = None
    evidence: tuple[str, ...] = ()
    events: tuple[EventLine, ...] = ()
    order_id: str | None = None
    marketplace: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for the outbox: title, plain text, HTML and a one-line digest entry."""

    title: str
    text: str
    html: str
    line: str = ""


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One message folded into a digest."""

    title: str
    line: str
    severity: str = "info"


@cache
def _builtin_template(name: str) -> str:
    """A template shipped with watcher (read once per process: a router lives for one cycle)."""
    return resources.files("watcher.notify").joinpath("templates", name).read_text(encoding="utf-8")


class Templates:
    """Message templates: a user directory first, then the built-in ones."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._cache: dict[str, Template] = {}

    def get(self, name: str) -> Template:
        """The template `name` (cached)."""
        if name not in self._cache:
            self._cache[name] = Template(self._read(name))
        return self._cache[name]

    def _read(self, name: str) -> str:
        if self.directory is not None:
            path = self.directory / name
            try:
                return path.read_text(encoding="utf-8")
            except FileNotFoundError:
                pass
            except OSError as exc:
                _LOGGER.warning(
                    "cannot read template %s (%s); using the built-in one", path, exc.strerror
                )
        return _builtin_template(name)

    def render(self, name: str, values: Mapping[str, str]) -> str:
        # safe_substitute: a typo in a user's template shows up literally instead of losing the message.
        return self.get(name).safe_substitute(values).strip() + "\n"


def _text_list(heading: str, items: Sequence[str]) -> str:
    return f"\n{heading}\n" + "\n".join(f"- {item}" for item in items) + "\n" if items else ""


def _html_list(heading: str, items: Sequence[str]) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<h3>{html.escape(heading)}</h3><ul>{lis}</ul>"


def alert_values(facts: AlertFacts) -> dict[str, str]:
    """The plain (unescaped) template values for an alert message."""
    act_by = facts.act_by
    when = ""
    if act_by is not None:
        when = f"{act_by:%a %d %b %Y}" + (
            f" ({days_left_text(act_by, facts.today)})" if facts.today else ""
        )
    left = days_left_text(act_by, facts.today) if act_by and facts.today else "time"
    return {
        "title": alert_title(
            action=facts.action,
            name=facts.name,
            act_by=act_by,
            event=facts.event,
            today=facts.today,
            kind=facts.kind,
        ),
        "headline": _HEADLINES.get(facts.event, "{name}").format(
            name=facts.name, left=left.replace(" left", "")
        ),
        "event": facts.event,
        "parcel": facts.name,
        "tracking_number": facts.tracking_number,
        "order_id": facts.order_id or "",
        "marketplace": facts.marketplace or "",
        "kind": facts.kind,
        "problem": problem_name(facts.kind),
        "severity": facts.severity,
        "action": facts.action.replace("_", " "),
        "act_by": act_by.isoformat() if act_by else "",
        "act_by_text": when or "no fixed date",
        "message": facts.message,
    }


def render_alert(facts: AlertFacts, templates: Templates) -> Rendered:
    """Title, plain-text and HTML body of an alert message."""
    values = alert_values(facts)
    evidence = list(facts.evidence)
    events = [e.text() for e in facts.events]
    text_values = dict(values)
    text_values["order_line"] = f"\nOrder: {facts.order_id}" if facts.order_id else ""
    text_values["evidence"] = _text_list("Evidence to gather:", evidence)
    text_values["events"] = _text_list("Last tracking events:", events)
    html_values = {key: html.escape(value) for key, value in values.items()}
    html_values["order_line"] = (
        f"<br>Order: {html.escape(facts.order_id)}" if facts.order_id else ""
    )
    html_values["evidence"] = _html_list("Evidence to gather", evidence)
    html_values["events"] = _html_list("Last tracking events", events)
    line = f"{values['problem']} ({facts.severity}): {values['action']}" + (
        f" by {values['act_by']}" if facts.act_by else ""
    )
    return Rendered(
        title=values["title"],
        text=templates.render("alert.txt", text_values),
        html=templates.render("alert.html", html_values),
        line=line,
    )


def render_digest(items: Sequence[DigestItem], day: date, templates: Templates) -> Rendered:
    """One message for several non-urgent ones."""
    count = len(items)
    title = f"watcher digest for {day:%a %d %b}: {count} update{'s' if count != 1 else ''}"
    text_items = "\n".join(
        f"- {item.title}\n  {item.line}" if item.line else f"- {item.title}" for item in items
    )
    html_items = "".join(
        f"<li><strong>{html.escape(item.title)}</strong>"
        + (f"<br>{html.escape(item.line)}" if item.line else "")
        + "</li>"
        for item in items
    )
    values = {"title": title, "count": str(count), "date": f"{day:%a %d %b %Y}"}
    html_values = {key: html.escape(value) for key, value in values.items()}
    return Rendered(
        title=title,
        text=templates.render("digest.txt", {**values, "items": text_items}),
        html=templates.render("digest.html", {**html_values, "items": f"<ul>{html_items}</ul>"}),
        line=f"{count} updates",
    )


def render_test(target: str, when: str, templates: Templates) -> Rendered:
    """The `watcher notify test` message."""
    values = {"target": target, "time": when, "title": f"watcher test message for {target}"}
    return Rendered(
        title=values["title"],
        text=templates.render("test.txt", values),
        html=templates.render(
            "test.html", {key: html.escape(value) for key, value in values.items()}
        ),
    )
