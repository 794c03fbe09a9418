"""Every Cainiao status table entry, checked through the adapter's own parser."""

from __future__ import annotations

import pytest

from watcher.providers.cainiao import adapter
from watcher.providers.cainiao.statuses import ACTION_MAP
from watcher.providers.statuses import Mapped


@pytest.mark.parametrize(("code", "expected"), ACTION_MAP.items())
def test_cainiao_action_code(code: str, expected: Mapped) -> None:
    event = adapter.parse_detail({"time": 1760947200000, "desc": "x", "actionCode": code})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)
