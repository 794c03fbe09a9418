"""What people type into the web forms and API bodies, checked as the CLI checks it. Pure.

A tracking number may come as a pasted tracking page URL (`watcher.cli.pasted`, as `watcher add`
reads it); dates and "N days left" go through `watcher.domain.userinput`, with the same window as
the CLI. Errors are `InputError`s with the CLI's wording.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from watcher.cli.pasted import Pasted, from_pasted
from watcher.domain import userinput
from watcher.domain.errors import InputError
from watcher.domain.numbers import normalize_tracking_number


def pasted_number(text: Any) -> Pasted:
    """The tracking number (normalized) and order id in what was typed or pasted."""
    if text is not None and not isinstance(text, str):
        raise InputError("tracking_number: expected a string")
    pasted = from_pasted(text or "")
    number = normalize_tracking_number(pasted.number)
    return Pasted(number, order_id=pasted.order_id, source=pasted.source)


def number_from_input(text: Any) -> str:
    """A tracking number, typed or inside a pasted tracking-page URL; InputError when neither."""
    return pasted_number(text).number


def parse_day(value: Any, what: str, now: datetime) -> date | None:
    """A YYYY-MM-DD date in the sane window (empty: None); InputError naming `what` otherwise."""
    return userinput.parse_day(value, what, now)


def parse_protection(value: Any, today: date, now: datetime | None = None) -> date | None:
    """Protection end as a date, or as "N days left" counted from `today` (the buyer's day)."""
    if now is None:
        from datetime import UTC, time

        now = datetime.combine(today, time(12), tzinfo=UTC)
    return userinput.parse_protection(value, today, now)


def parse_positive(value: str | int | None, what: str) -> int | None:
    """A whole number of at least 1 (empty: None)."""
    if value is None or value == "":
        return None
    try:
        number = 0 if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InputError(f"{what}: not a positive whole number: {value!r}")
    return number


def optional_text(value: Any, what: str) -> str | None:
    """A text field from a JSON body: a string (empty: None) or null."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what}: expected a string or null, not {type(value).__name__}")
    return value.strip() or None


def flag(value: Any, what: str) -> bool:
    """A boolean field from a JSON body: true, false or null (false)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"{what}: expected true or false, not {str(value)[:40]!r}")
    return value
