"""Logging to stderr: one line per event with a level prefix (journald-friendly), or JSON lines."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from watcher.domain.redact import redact

# sd-daemon(3) priority prefixes: journald reads them when stderr is connected to it.
_SD_PRIORITY = {"DEBUG": "<7>", "INFO": "<6>", "WARNING": "<4>", "ERROR": "<3>", "CRITICAL": "<2>"}


class TextFormatter(logging.Formatter):
    """`LEVEL logger: message`, with an sd-daemon prefix when journald reads stderr."""

    def __init__(self, *, journald: bool) -> None:
        super().__init__()
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        # One event, one line: journald (and grep) split on newlines.
        text = " | ".join(record.getMessage().splitlines())
        if record.exc_info or record.exc_text:
            text += " | " + " | ".join(_exception_text(self, record).splitlines())
        prefix = _SD_PRIORITY.get(record.levelname, "") if self.journald else ""
        if self.journald:
            return f"{prefix}{record.levelname} {record.name}: {text}"
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{stamp} {record.levelname} {record.name}: {text}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            data["exception"] = _exception_text(self, record)
        return json.dumps(data, ensure_ascii=False)


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The record's traceback, as redacted by `RedactingFilter` (formatted here if it was not)."""
    if not record.exc_text and record.exc_info:
        record.exc_text = redact(formatter.formatException(record.exc_info))
    return record.exc_text or ""


class RedactingFilter(logging.Filter):
    """Blanks every known secret out of a record: message, arguments, traceback, stack.

    Installed on the root logger and on its handlers, so records from any logger (apprise,
    httpx, httpcore, urllib3, ours) are redacted before any handler writes them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still must not leak its args
            message = f"{record.msg!s} (unformattable log arguments)"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACTING_FILTER = RedactingFilter()
#: Third-party loggers that see URLs and headers; their records are redacted at the source too.
THIRD_PARTY_LOGGERS = ("apprise", "httpx", "httpcore", "urllib3", "requests", "apscheduler")


class _SkippedTickFilter(logging.Filter):
    """Drops APScheduler's warning for a tick that finds the last cycle still running: long cycles are normal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_SKIPPED_TICK_FILTER = _SkippedTickFilter()


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(journald=journald))
    handler.addFilter(REDACTING_FILTER)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    install_redaction()
    # Libraries are chatty at INFO; keep their warnings.
    for noisy in ("apscheduler", "httpx", "httpcore", "apprise", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler.scheduler").addFilter(
        _SKIPPED_TICK_FILTER
    )  # idempotent: same object


def install_redaction() -> None:
    """Put the redacting filter on the root logger, every root handler and the chatty libraries."""
    root = logging.getLogger()
    for target in (root, *root.handlers, *map(logging.getLogger, THIRD_PARTY_LOGGERS)):
        if REDACTING_FILTER not in target.filters:
            target.addFilter(REDACTING_FILTER)
    for name in THIRD_PARTY_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if REDACTING_FILTER not in handler.filters:
                handler.addFilter(REDACTING_FILTER)
