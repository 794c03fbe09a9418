"""Logging to stderr: one line per event with a level prefix (journald-friendly), or JSON lines."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

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
        if record.exc_info:
            text += " | " + " | ".join(self.formatException(record.exc_info).splitlines())
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
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class _SkippedTickFilter(logging.Filter):
    """Drops APScheduler's warning for a tick that finds the last cycle still running: long cycles are normal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_SKIPPED_TICK_FILTER = _SkippedTickFilter()


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(journald=journald))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries are chatty at INFO; keep their warnings.
    for noisy in ("apscheduler", "httpx", "httpcore", "apprise", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler.scheduler").addFilter(
        _SKIPPED_TICK_FILTER
    )  # idempotent: same object
