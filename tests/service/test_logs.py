"""Log lines: one line per event, journald priority prefix when stderr is the journal."""

from __future__ import annotations

import logging

from watcher.service.logs import TextFormatter


def record(message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("watcher.service.poller", level, __file__, 1, message, None, None)


def test_journald_lines_carry_the_priority_and_stay_on_one_line() -> None:
    line = TextFormatter(journald=True).format(record("first\nsecond"))
    assert line == "<4>WARNING watcher.service.poller: first | second"


def test_terminal_lines_carry_a_timestamp() -> None:
    line = TextFormatter(journald=False).format(
        record("LP00123456789012 (USB hub): new leg", logging.INFO)
    )
    assert (
        line.endswith("INFO watcher.service.poller: LP00123456789012 (USB hub): new leg")
        and line[4] == "-"
    )
