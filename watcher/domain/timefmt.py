"""The one text form of a moment in output: ISO 8601 to the second, "Z" for UTC, as every `--json` prints it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def iso(value: datetime | None, *, timespec: str = "seconds") -> str | None:
    """An aware datetime as ISO 8601 with its offset, "Z" for UTC, no fraction of a second.

    None stays None. Microseconds never reach a user: they are noise, and two forms of the
    same instant would compare unequal in scripts.
    """
    return value.isoformat(timespec=timespec).replace("+00:00", "Z") if value else None


def jsonable(value: Any) -> Any:
    """`value` ready for `json.dumps`: datetimes as `iso`, dates as YYYY-MM-DD, nested too."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value
