"""Every AfterShip status table entry, checked through the adapter's own parser."""

from __future__ import annotations

import pytest

from watcher.domain.models import Status
from watcher.providers.aftership import adapter
from watcher.providers.aftership.statuses import SUBTAG_MAP, TAG_MAP
from watcher.providers.statuses import Mapped

T = "2026-10-20T09:15:00+02:00"


@pytest.mark.parametrize(("code", "expected"), SUBTAG_MAP.items())
def test_aftership_subtag(code: str, expected: Mapped) -> None:
    tag = code.split("_")[0]
    event = adapter.parse_checkpoint(
        {"checkpoint_time": T, "message": "x", "tag": tag, "subtag": code}
    )
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize(("code", "expected"), TAG_MAP.items())
def test_aftership_tag_fallback(code: str, expected: Mapped) -> None:
    event = adapter.parse_checkpoint({"checkpoint_time": T, "message": "x", "tag": code})
    assert event is not None
    assert (event.status, event.substatus) == expected


def test_unknown_aftership_subtag_falls_back_to_tag() -> None:
    event = adapter.parse_checkpoint(
        {"checkpoint_time": T, "message": "x", "tag": "Exception", "subtag": "Exception_099"}
    )
    assert event is not None
    assert (event.status, event.raw_status) == (Status.EXCEPTION, "Exception_099")
