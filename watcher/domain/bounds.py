"""The sane window for dates and instants from users, config and providers.

Anything before 2000-01-01 or more than two years after "now" is a typo or a provider bug, and
dates near the ends of Python's range overflow the rules' date arithmetic. Pure: "now" is given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: How far ahead of "now" a date may lie (two years, leap day included).
AHEAD = timedelta(days=731)


def latest(now: datetime) -> datetime:
    """The last acceptable instant at `now`."""
    return now + AHEAD


def instant_in_window(value: datetime, now: datetime) -> bool:
    """True when `value` (naive = UTC for this check) lies in 2000-01-01 .. now + 2 years."""
    try:
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return EARLIEST <= moment.astimezone(UTC) <= latest(now)
    except (OverflowError, ValueError):
        return False  # year 1 or 9999 with an offset cannot even be converted


def date_in_window(value: date, now: datetime) -> bool:
    """True when the calendar date lies in 2000-01-01 .. now + 2 years."""
    return EARLIEST.date() <= value <= latest(now).date()


def window_text(now: datetime) -> str:
    """'between 2000-01-01 and 2028-11-27' for error messages."""
    return f"between {EARLIEST.date().isoformat()} and {latest(now).date().isoformat()}"


def check_date(value: date | None, what: str, now: datetime) -> date | None:
    """`value` if in the window, else ValueError naming `what`."""
    if value is not None and not date_in_window(value, now):
        raise ValueError(f"{what}: {value.isoformat()} is not {window_text(now)}")
    return value


def check_instant(value: datetime, what: str, now: datetime) -> datetime:
    """`value` if in the window, else ValueError naming `what`."""
    if not instant_in_window(value, now):
        raise ValueError(f"{what}: {value.isoformat()} is not {window_text(now)}")
    return value
