"""Dates, instants and country codes typed by people, shared by the CLI and the web. Pure.

Every date and instant must lie in the sane window of `watcher.domain.bounds`; `now` and the
owner's time zone are given. Errors are one-line `InputError`s naming the field (`what`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from watcher.domain.bounds import date_in_window, instant_in_window, window_text
from watcher.domain.errors import InputError

_DAYS_LEFT = re.compile(r"(\d{1,4})\s*(d|days?)?(\s+left)?", re.IGNORECASE)


def _text(value: Any, what: str) -> str | None:
    """`value` stripped (None when empty); a non-string is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what}: expected a string, not {type(value).__name__}")
    return value.strip() or None


def parse_day(value: Any, what: str, now: datetime) -> date | None:
    """A YYYY-MM-DD date in the window (empty or None: None)."""
    text = _text(value, what)
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what}: not a date (YYYY-MM-DD): {text[:40]!r}") from None
    return check_day(day, what, now)


def check_day(day: date, what: str, now: datetime) -> date:
    """`day` if it lies in the window, else InputError."""
    if not date_in_window(day, now):
        raise InputError(f"{what}: {day.isoformat()} is not {window_text(now)}")
    return day


def parse_when(value: Any, what: str, now: datetime, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date or time in the window, in UTC; naive values are in `zone` (empty: None)."""
    text = _text(value, what)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what}: not an ISO 8601 date or time: {text[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    if not instant_in_window(parsed, now):
        raise InputError(f"{what}: {text[:40]} is not {window_text(now)}")
    return parsed.astimezone(UTC)


def days_after(today: date, days: int, what: str, now: datetime) -> date:
    """`today` + `days`, in the window."""
    try:
        day = today + timedelta(days=days)
    except OverflowError:
        raise InputError(f"{what}: {days} days is too far ahead") from None
    return check_day(day, what, now)


def parse_protection(
    value: Any, today: date, now: datetime, what: str = "protection_ends"
) -> date | None:
    """Protection end as a date, or as "N days left" counted from `today` (the buyer's day)."""
    text = _text(value, what)
    if text is None:
        return None
    match = _DAYS_LEFT.fullmatch(text)
    if match:
        return days_after(today, int(match.group(1)), what, now)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{what}: a date (YYYY-MM-DD) or a number of days left: {text[:40]!r}"
        ) from None
    return check_day(day, what, now)


def country_code(value: Any, what: str = "--country") -> str:
    """An ISO 3166 alpha-2 code, upper-cased ("" clears it)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{what}: expected a two-letter country code, not {type(value).__name__}")
    code = value.strip().upper()
    if code and (len(code) != 2 or not code.isalpha()):
        raise InputError(f"{what}: expected a two-letter country code (got {value[:40]!r})")
    return code
