"""What people type into the web forms and API bodies, checked as the CLI checks it. Pure.

A tracking number may come as a pasted tracking page URL; a protection end as a date or as
"N days left"; dates as YYYY-MM-DD. Errors are `InputError`s with the CLI's wording.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from watcher.domain.errors import InputError
from watcher.domain.numbers import normalize_tracking_number

#: Query keys tracking pages use for the number (17TRACK, Cainiao, DHL, USPS, parcelsapp, ...).
NUMBER_KEYS = (
    "nums",
    "num",
    "mailnolist",
    "mailno",
    "tracking-id",
    "trackingnumber",
    "tracking_number",
    "tracknum",
    "tlabels",
    "number",
    "id",
)
_DAYS_LEFT = re.compile(r"(\d{1,4})\s*(d|days?)?(\s+left)?", re.IGNORECASE)


def number_from_input(text: str) -> str:
    """A tracking number, typed or inside a pasted tracking-page URL; InputError when neither."""
    text = (text or "").strip()
    if "://" not in text and not text.lower().startswith("www."):
        return normalize_tracking_number(text)
    for candidate in url_candidates(text):
        try:
            return normalize_tracking_number(candidate)
        except InputError:
            continue
    raise InputError(f"no tracking number found in the link {shorten(text)!r}")


def url_candidates(url: str) -> list[str]:
    """Plausible numbers in a URL: known query keys first, then other values, then path parts."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    query = parse_qsl(parts.query) + parse_qsl(parts.fragment)  # 17TRACK: "#nums=..."
    known = [v for k, v in query if k.lower() in NUMBER_KEYS]
    others = [v for k, v in query if k.lower() not in NUMBER_KEYS]
    path = [unquote(p) for p in reversed(parts.path.split("/")) if p]
    found: list[str] = []
    for value in known + others + path:
        for piece in re.split(r"[,;\s]+", value):
            # A number has digits; "tracking" or "en" in a path does not.
            if len(piece) >= 8 and any(c.isdigit() for c in piece):
                found.append(piece)
    return found


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_day(value: str | None, what: str) -> date | None:
    """A YYYY-MM-DD date (empty: None); InputError naming `what` otherwise."""
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{what}: not a date (YYYY-MM-DD): {value!r}") from None


def parse_protection(value: str | None, today: date) -> date | None:
    """Protection end as a date, or as "N days left" counted from `today` (the buyer's day)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    match = _DAYS_LEFT.fullmatch(text)
    if match:
        return today + timedelta(days=int(match.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"protection_ends: a date (YYYY-MM-DD) or a number of days left: {text!r}"
        ) from None


def parse_positive(value: str | int | None, what: str) -> int | None:
    """A whole number of at least 1 (empty: None)."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InputError(f"{what}: not a positive whole number: {value!r}")
    return number
