"""Every 17TRACK status table entry, checked through the adapter's own parser."""

from __future__ import annotations

import pytest

from watcher.providers.seventeentrack import adapter
from watcher.providers.seventeentrack.statuses import STATUS_MAP, SUBSTATUS_MAP
from watcher.providers.statuses import Mapped

T = "2026-10-20T09:15:00+02:00"


@pytest.mark.parametrize(("code", "expected"), SUBSTATUS_MAP.items())
def test_17track_sub_status(code: str, expected: Mapped) -> None:
    event = adapter.parse_event({"time_iso": T, "description": "x", "sub_status": code})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize(("code", "expected"), STATUS_MAP.items())
def test_17track_main_status_fallback(code: str, expected: Mapped) -> None:
    assert adapter._map("Brand_New_Substatus", code) == expected
