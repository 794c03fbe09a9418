"""The shared status-table rules: dotted substatus names, unknown codes logged once."""

from __future__ import annotations

import logging

import pytest

from watcher.domain.models import Status
from watcher.providers.aftership import statuses as aftership
from watcher.providers.cainiao import adapter as cainiao_adapter
from watcher.providers.cainiao import statuses as cainiao
from watcher.providers.dhl import statuses as dhl
from watcher.providers.seventeentrack import statuses as seventeentrack
from watcher.providers.statuses import Mapped

#: Every carrier's tables as "<provider>.<table>" (the names `lookup` logs them under).
ALL_TABLES: dict[str, dict[str, Mapped]] = {
    f"{provider}.{name}": table
    for provider, module in [
        ("17track", seventeentrack),
        ("aftership", aftership),
        ("cainiao", cainiao),
        ("dhl", dhl),
    ]
    for name, table in module.TABLES.items()
}


def test_all_tables_are_collected() -> None:
    assert sorted(ALL_TABLES) == [
        "17track.stage",
        "17track.status",
        "17track.sub_status",
        "aftership.subtag",
        "aftership.tag",
        "cainiao.actionCode",
        "dhl.statusCode",
    ]


@pytest.mark.parametrize("table", ALL_TABLES.values(), ids=list(ALL_TABLES))
def test_substatus_names_are_dotted(table: dict[str, Mapped]) -> None:
    for status, substatus in table.values():
        assert status is None or isinstance(status, Status)
        assert substatus is None or (substatus.count(".") == 1 and substatus == substatus.lower())


def test_unknown_code_maps_to_none_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="watcher.providers.cainiao")
    for _ in range(3):
        event = cainiao_adapter.parse_detail(
            {"time": 1760947200000, "desc": "x", "actionCode": "NEW_CODE_2027"}
        )
        assert event is not None and event.status is None
    records = [r for r in caplog.records if "NEW_CODE_2027" in r.getMessage()]
    assert len(records) == 1
    assert records[0].name == "watcher.providers.cainiao"
