"""Every status table entry, checked through the adapter's own parser."""

from __future__ import annotations

import logging

import pytest

from watcher.domain.models import Status
from watcher.providers import aftership, cainiao, dhl, seventeentrack
from watcher.providers.mapping import (
    AFTERSHIP_SUBTAG_MAP,
    AFTERSHIP_TAG_MAP,
    ALL_TABLES,
    CAINIAO_ACTION_MAP,
    DHL_STATUS_MAP,
    SEVENTEENTRACK_STATUS_MAP,
    SEVENTEENTRACK_SUBSTATUS_MAP,
    Mapped,
)

T = "2026-10-20T09:15:00+02:00"


@pytest.mark.parametrize(("code", "expected"), SEVENTEENTRACK_SUBSTATUS_MAP.items())
def test_17track_sub_status(code: str, expected: Mapped) -> None:
    event = seventeentrack.parse_event({"time_iso": T, "description": "x", "sub_status": code})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize(("code", "expected"), SEVENTEENTRACK_STATUS_MAP.items())
def test_17track_main_status_fallback(code: str, expected: Mapped) -> None:
    assert seventeentrack._map("Brand_New_Substatus", code) == expected


@pytest.mark.parametrize(("code", "expected"), AFTERSHIP_SUBTAG_MAP.items())
def test_aftership_subtag(code: str, expected: Mapped) -> None:
    tag = code.split("_")[0]
    event = aftership.parse_checkpoint({"checkpoint_time": T, "message": "x", "tag": tag, "subtag": code})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize(("code", "expected"), AFTERSHIP_TAG_MAP.items())
def test_aftership_tag_fallback(code: str, expected: Mapped) -> None:
    event = aftership.parse_checkpoint({"checkpoint_time": T, "message": "x", "tag": code})
    assert event is not None
    assert (event.status, event.substatus) == expected


@pytest.mark.parametrize(("code", "expected"), CAINIAO_ACTION_MAP.items())
def test_cainiao_action_code(code: str, expected: Mapped) -> None:
    event = cainiao.parse_detail({"time": 1760947200000, "desc": "x", "actionCode": code})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize(("code", "expected"), DHL_STATUS_MAP.items())
def test_dhl_status_code(code: str, expected: Mapped) -> None:
    event = dhl.parse_event({"timestamp": T, "statusCode": code, "description": "x"})
    assert event is not None
    assert (event.status, event.substatus, event.raw_status) == (*expected, code)


@pytest.mark.parametrize("table", ALL_TABLES.values(), ids=list(ALL_TABLES))
def test_substatus_names_are_dotted(table: dict[str, Mapped]) -> None:
    for status, substatus in table.values():
        assert status is None or isinstance(status, Status)
        assert substatus is None or (substatus.count(".") == 1 and substatus == substatus.lower())


def test_unknown_code_maps_to_none_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="watcher.providers.cainiao")
    for _ in range(3):
        event = cainiao.parse_detail({"time": 1760947200000, "desc": "x", "actionCode": "NEW_CODE_2027"})
        assert event is not None and event.status is None
    records = [r for r in caplog.records if "NEW_CODE_2027" in r.getMessage()]
    assert len(records) == 1
    assert records[0].name == "watcher.providers.cainiao"


def test_unknown_aftership_subtag_falls_back_to_tag() -> None:
    event = aftership.parse_checkpoint(
        {"checkpoint_time": T, "message": "x", "tag": "Exception", "subtag": "Exception_099"}
    )
    assert event is not None
    assert (event.status, event.raw_status) == (Status.EXCEPTION, "Exception_099")
