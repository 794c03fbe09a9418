"""The one place CLI text takes its shape: tables that fit the terminal, colour, local time phrases.

Colour and severity marks appear only on a terminal (and never with NO_COLOR or TERM=dumb);
piped output is plain and untruncated, so `grep` and scripts see every character. Times in
text are local (the configured zone) with a relative phrase; `--json` uses `timefmt.iso`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import TextIO

ELLIPSIS = "…"

#: Severity → (ANSI colour, mark shown before it on a terminal).
SEVERITY_STYLE = {
    "critical": ("31;1", "✖"),
    "warning": ("33", "▲"),
    "info": ("36", "●"),
    "resolved": ("32", "✔"),
}

#: Parcel status → colour on a terminal.
STATUS_COLOUR = {
    "delivered": "32",
    "exception": "31",
    "returned": "31",
    "expired": "31",
    "out_for_delivery": "36",
    "available_for_pickup": "36",
}


@dataclass
class Options:
    """What the global options asked for: `--color/--no-color` (None: decide by the terminal)."""

    color: bool | None = None


OPTIONS = Options()


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (stdout) is an interactive terminal."""
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_colour(stream: TextIO | None = None) -> bool:
    """Colour on a terminal unless NO_COLOR or TERM=dumb; `--color`/`--no-color` decide first."""
    if OPTIONS.color is not None:
        return OPTIONS.color
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def width(stream: TextIO | None = None) -> int | None:
    """The terminal's columns, or None (no truncation) when the output is not a terminal."""
    if is_terminal(stream):
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def paint(text: str, colour: str | None, *, stream: TextIO | None = None) -> str:
    """`text` in an ANSI colour when colour is on."""
    if not colour or not text or not use_colour(stream):
        return text
    return f"\033[{colour}m{text}\033[0m"


def severity_tag(severity: str, *, stream: TextIO | None = None) -> str:
    """`[CRITICAL]` plain; a coloured mark and word on a terminal."""
    colour, mark = SEVERITY_STYLE.get(severity, (None, "•"))
    if use_colour(stream):
        return paint(f"{mark} {severity.upper()}", colour, stream=stream)
    return f"[{severity.upper()}]"


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut shown by an ellipsis."""
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def wrap(text: str, indent: str, stream: TextIO | None = None) -> str:
    """`text` indented, wrapped at word boundaries to the terminal's width (unwrapped when piped)."""
    import textwrap

    limit = width(stream) if is_terminal(stream) else None
    if not limit:
        return indent + text
    return "\n".join(
        textwrap.wrap(text, max(20, limit - 1), initial_indent=indent, subsequent_indent=indent)
    )


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    """A table column: its header, the widest it may get, and whether it gives way first."""

    header: str
    max_width: int = 40
    flex: bool = False  # shrinks (and truncates) when the table is too wide
    colour: dict[str, str] | None = None  # cell value → ANSI colour
    optional: bool = False  # left out when the table still does not fit
    short: str | None = None  # header when the column is narrower than its header
    min_width: int = 8  # a flex column's narrowest, before optional columns are left out
    #: Where a narrowed cell may end without an ellipsis ("28 Nov (tomorrow)" → "28 Nov").
    soft_cut: str | None = None


def layout(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], limit: int | None
) -> list[int]:
    """Column widths: each fits its content (and header) up to its max; flex columns give way."""
    widths = [
        min(max([len(c.header), *(len(r[i]) for r in rows)]), c.max_width if limit else 10**6)
        for i, c in enumerate(columns)
    ]
    if limit is None:
        return widths

    def overflow() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + 2 * (len(shown) - 1) - limit

    # Flex columns give way, the rightmost first, down to their minimum; then optional columns
    # go; then the flex columns shrink further, to 4 characters.
    for stage in ("min", "drop", "last"):
        for i in reversed(range(len(columns))):
            column = columns[i]
            if overflow() <= 0:
                return widths
            if stage == "drop":
                if column.optional:
                    widths[i] = 0
            elif column.flex and widths[i]:
                floor = column.min_width if stage == "min" else 4
                widths[i] -= min(overflow(), max(0, widths[i] - floor))
    return widths


def table_lines(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[int] | None = None,
    header: bool = True,
    stream: TextIO | None = None,
) -> list[str]:
    """The table as lines: padded, truncated with an ellipsis, coloured on a terminal."""
    limit = width(stream)
    widths = list(widths or layout(columns, rows, limit))
    lines = []
    keep = [i for i, w in enumerate(widths) if w]
    columns, widths = [columns[i] for i in keep], [widths[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    if header:
        cells = [
            truncate(c.header if len(c.header) <= w else c.short or c.header, w).ljust(w)
            for c, w in zip(columns, widths, strict=True)
        ]
        lines.append(paint("  ".join(cells).rstrip(), "1", stream=stream))
    for row in rows:
        cells = []
        for column, w, value in zip(columns, widths, row, strict=True):
            # Piped output keeps every character: scripts and grep see whole values.
            if limit and len(value) > w and column.soft_cut and column.soft_cut in value:
                value = value.split(column.soft_cut, 1)[0]
            cell = (truncate(value, w) if limit else value).ljust(w)
            colour = (column.colour or {}).get(value)
            cells.append(paint(cell, colour, stream=stream) if colour else cell)
        line = "  ".join(cells).rstrip()
        if limit and len(line) > limit and not use_colour(stream):
            line = truncate(line, limit)
        lines.append(line)
    return lines


# ---------------------------------------------------------------- time


def local(moment: datetime, tz: tzinfo) -> datetime:
    """An aware moment in the configured zone."""
    return moment.astimezone(tz)


def ago(moment: datetime, now: datetime) -> str:
    """A relative phrase: "just now", "in 45 min", "2 h ago", "in 3 days", "5 weeks ago"."""
    seconds = (moment - now).total_seconds()
    future, span = seconds > 0, abs(seconds)
    if span < 60:
        return "just now"
    if span < 3600:
        text = f"{int(span // 60)} min"
    elif span < 36 * 3600:
        text = f"{int(span // 3600)} h"
    elif span < 14 * 86400:
        days = round(span / 86400)
        text = f"{days} day{'s' if days != 1 else ''}"
    elif span < 60 * 86400:
        text = f"{round(span / 604800)} weeks"
    else:
        text = f"{round(span / 2629800)} months"
    return f"in {text}" if future else f"{text} ago"


def day_phrase(day: date, today: date) -> str:
    """A date relative to today: "today", "tomorrow", "in 3 days", "yesterday", "4 days ago"."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    n = abs(delta)
    text = (
        f"{n} days"
        if n < 14
        else f"{round(n / 7)} weeks"
        if n < 60
        else f"{round(n / 30.4)} months"
    )
    return f"in {text}" if delta > 0 else f"{text} ago"


def when(moment: datetime | None, now: datetime, tz: tzinfo, *, relative: bool = True) -> str:
    """A moment in local time to the minute, with a relative phrase: "2026-10-02 08:00 (3 days ago)"."""
    if moment is None:
        return "-"
    text = f"{local(moment, tz):%Y-%m-%d %H:%M}"
    return f"{text} ({ago(moment, now)})" if relative else text


def short_when(moment: datetime | None, now: datetime, tz: tzinfo) -> str:
    """A compact form for table cells: the relative phrase alone ("2 h ago"), or "-"."""
    return ago(moment, now) if moment else "-"


def on_day(day: date | None, now: datetime, tz: tzinfo) -> str:
    """A date with its relative phrase: "2026-12-05 (in 3 days)"."""
    if day is None:
        return "-"
    return f"{day.isoformat()} ({day_phrase(day, local(now, tz).date())})"


def zone_name(tz: tzinfo, now: datetime) -> str:
    """The zone's name ("Europe/Berlin", else "CET"), for headers that say which time is shown."""
    return getattr(tz, "key", None) or local(now, tz).tzname() or str(tz)


def utc(moment: datetime) -> datetime:
    """Aware UTC (SQLite can return naive UTC values)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# ---------------------------------------------------------------- progress


class Progress:
    """A one-line counter on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.live = is_terminal(self.stream) and total > 1

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.live:
            self.stream.write(f"\r{self.label}: {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


def write_lines(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Lines to stdout (a broken pipe is handled once, in `main`)."""
    out = stream or sys.stdout
    for line in lines:
        out.write(line + "\n")
