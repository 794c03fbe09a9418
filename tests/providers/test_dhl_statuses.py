"""Every DHL status table entry, checked through the adapter's own parser."""

from __future__ import annotations

import pytest

from watcher.providers.dhl import adapter
from watcher.providers.dhl.statuses import STATUS_MAP
from watcher.providers.statuses import Mapped

T = "2026-10-20T09:15:00+02:00"


@pytest.mark.parametrize(("code", "expected"), STATUS_MAP.items())
def test_dhl_status_code(code: str, expected: Mapped) -> None:
    event = adapter.parse_event({"timestamp": T, "statusCode": code, "description": "x"})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)
