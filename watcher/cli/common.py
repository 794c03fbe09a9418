"""What every command needs: settings, the app or a quick reader, dates from the command line, JSON.

Heavy modules are imported inside the functions that need them, so quick commands start quickly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from watcher.domain.errors import InputError

if TYPE_CHECKING:
    from watcher.config import Settings
    from watcher.domain.clock import Clock
    from watcher.service.app import App
    from watcher.store.quickread import Database

#: Exit codes: 0 ok, 1 runtime failure or unhealthy, 2 bad input or configuration.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

#: `-v` (1), `-vv` (2) or `-q` (-1) from the command line; 0 keeps the configured log level.
VERBOSITY = 0


def load(config: str | None) -> Settings:
    """The settings from `config` (or the default places), with logging set up as they say."""
    from watcher.config import load_settings
    from watcher.service.logs import setup_logging

    settings = load_settings(config)
    level = {-1: "error", 1: "info", 2: "debug"}.get(max(-1, min(VERBOSITY, 2)))
    setup_logging(level or settings.logging.level, settings.logging.format)
    return settings


@contextmanager
def opened_app(settings: Settings, **kwargs: Any) -> Iterator[App]:
    """An `App` (database created or migrated) whose engine is disposed when the block ends."""
    from watcher.config import database_url
    from watcher.service.app import App
    from watcher.store.db import database_errors

    with database_errors(database_url(settings)):
        app = App(settings, **kwargs)
        try:
            yield app
        finally:
            app.engine.dispose()


@contextmanager
def read_database(settings: Settings) -> Iterator[Database]:
    """A read-only connection for `list` and `status`, opened without importing SQLAlchemy if possible.

    A SQLite file already at the newest schema (the usual case) is read with `sqlite3`; anything
    else goes through `App` first, which creates or migrates the database, as every command does.
    """
    from watcher.config import database_url
    from watcher.store import db, quickread

    url = database_url(settings)
    path = db.sqlite_path(url)
    if path is None or quickread.sqlite_revisions(path) != [db.script_head()]:
        with opened_app(settings) as app:
            if path is None:
                with app.engine.connect() as connection:
                    yield quickread.SqlAlchemyDatabase(connection)
                return
    with db.database_errors(url), quickread.open_sqlite(path) as database:
        yield database


def parse_when(value: str, what: str, settings: Settings | None = None) -> datetime:
    """An ISO 8601 date or time; naive values are in the configured time zone."""
    from zoneinfo import ZoneInfo

    from watcher.domain import userinput
    from watcher.domain.clock import SystemClock

    zone = ZoneInfo(settings.timezone) if settings else UTC
    parsed = userinput.parse_when(value, what, SystemClock().now(), zone)
    if parsed is None:
        raise InputError(f"{what}: not an ISO 8601 date or time: {value[:40]!r}")
    return parsed


def parse_day(value: str | None, what: str) -> date | None:
    """A YYYY-MM-DD date, or None when not given."""
    if value is None:
        return None
    from watcher.domain import userinput
    from watcher.domain.clock import SystemClock

    day = userinput.parse_day(value, what, SystemClock().now())
    if day is None:
        raise InputError(f"{what}: not a date (YYYY-MM-DD): {value[:40]!r}")
    return day


def clock_for(now: str | None, settings: Settings) -> Clock:
    """A clock frozen at `--now` when given, else the system clock."""
    from watcher.domain.clock import FrozenClock, SystemClock

    return FrozenClock(parse_when(now, "--now", settings)) if now is not None else SystemClock()


def normalize_number(raw: str) -> str:
    """A tracking number as typed, in its stored form."""
    from watcher.domain.numbers import normalize_tracking_number

    try:
        return normalize_tracking_number(raw)
    except InputError as exc:
        # Say it about the text as typed, not its upper-cased, space-stripped form.
        typed, stored = raw.strip(), "".join(raw.split()).upper()
        reason = str(exc).removeprefix(f"{stored}: ")
        raise InputError(f"{typed}: {reason}" if typed else reason) from None


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout, redacted (one write, so no secret is split)."""
    from watcher.domain.redact import redact

    sys.stdout.write(redact(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def print_json_lines(chunks: Iterable[list[str]]) -> None:
    """A JSON array of items already encoded, written as they come, one item per line.

    (`print_json` indents, which runs the pure-Python encoder: 17 s for 100,000 shipments.)
    """
    from watcher.domain.redact import redact

    write = sys.stdout.write
    separator = "[\n"
    for chunk in chunks:
        if chunk:
            write(redact(separator + ",\n".join(chunk)))
            separator = ",\n"
    write("[]\n" if separator == "[\n" else "\n]\n")


def bounded_int(low: int, high: int) -> Any:
    """An argparse type: a whole number in `low`..`high` (huge ones overflow dates and SQL)."""
    import argparse

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value[:40]!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high} (got {value[:40]})")
        return number

    parse.__name__ = "number"  # argparse names the type in its messages
    return parse


class RedactingStream:
    """A text stream that blanks every registered secret out of what is written to it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from watcher.domain.redact import redact

        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def quiet_alert_logs() -> None:
    """The command prints the alerts itself: their log lines would say it a second time."""
    import logging

    logging.getLogger("watcher.service.evaluator").setLevel(logging.ERROR)
