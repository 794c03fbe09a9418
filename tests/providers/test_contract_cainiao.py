"""Cainiao end to end (local server → `watcher check` → `watcher show --json`).

Fixtures built from providers.md, "What recorded bodies show": `realMailNo` with a label before
the number, `globalEtaInfo.deliveryMin/MaxTime` in epoch ms, `daysNumber` "60\\tday(s)",
`timeZone` as "GMT+08:00" / "GMT+2" / "GMT-3" with the epoch `time` equal to the wall time read
at +08:00 for scans abroad, a destination scan labelled +08:00, an unknown number as a module
without any `status`, `processInfo` / `globalCombinedLogisticsTraceDTO` / `descTitle` /
`mailNoSource`, and the action codes GTMS_OE_DEPART and CC_HO_OUT_SUCCESS (export customs).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.kits.contracts import (
    check_and_show,
    events_by_text,
    provider_server,
    write_config,
)

ACTIVE = "LP00123456789012"
DELIVERED = "LP00123456789013"
UNKNOWN = "LP00000000000001"
HANDOVER = "RC000000003EE"
NOW = "2026-08-25T12:00:00Z"


def at_plus8(wall: str) -> int:
    """The epoch ms Cainiao sends for a scan abroad: the wall time read at +08:00 (an artefact)."""
    return int(datetime.fromisoformat(wall + "+08:00").timestamp() * 1000)


def detail(code: str, wall: str, zone: str, desc: str, **extra: Any) -> dict[str, Any]:
    return {
        "time": at_plus8(wall),
        "timeStr": wall,
        "timeZone": zone,
        "desc": desc,
        "standerdDesc": desc,
        "descTitle": "Carrier note:",
        "actionCode": code,
        **extra,
    }


ACTIVE_MODULE = {
    "mailNo": ACTIVE,
    "mailNoSource": "AE",
    "realMailNo": f"Latest Tracking Number:\t{HANDOVER}",
    "originCountry": "Mainland China",
    "destCountry": "Ukraine",
    "status": "CLEAR_CUSTOMS",
    "statusDesc": "In customs ",
    "daysNumber": "55\tday(s)",
    "globalEtaInfo": {
        "etaDesc": "Estimated delivery by",
        "deliveryMinTime": int(datetime(2026, 9, 10, 9, tzinfo=UTC).timestamp() * 1000),
        "deliveryMaxTime": int(datetime(2026, 9, 12, 9, tzinfo=UTC).timestamp() * 1000),
    },
    "processInfo": {"progressStatus": "NORMAL", "type": "CROSS"},
    "detailList": [
        detail("CC_HO_OUT_SUCCESS", "2026-08-23 14:18:40", "GMT+2", "Departed from customs"),
        detail(
            "LH_POST_COLLECTION",
            "2026-08-22 20:03:00",
            "GMT+3",
            "Accepted for transportation by postal service",
        ),
        detail("LH_DEPART", "2026-08-10 03:00:00", "GMT-3", "Flight departed via Sao Paulo"),
        detail("SC_OUTBOUND_SUCCESS", "2026-07-03 02:55:17", "GMT+8", "Departed sorting center"),
        detail("PU_PICKUP_SUCCESS", "2026-07-02 00:16:31", "GMT+8", "Accepted by carrier"),
    ],
}
DELIVERED_MODULE = {
    "mailNo": DELIVERED,
    "mailNoSource": "AE",
    "originCountry": "Mainland China",
    "destCountry": "Belgium",
    "status": "DELIVERED",
    "globalCombinedLogisticsTraceDTO": {"actionCode": "GTMS_SIGNED"},
    "detailList": [
        detail("GTMS_SIGNED", "2026-02-06 15:25:17", "GMT+08:00", "Package delivered"),
        detail("GTMS_DO_DEPART", "2026-02-06 07:52:42", "GMT+08:00", "Out for delivery abroad"),
        detail("GTMS_OE_DEPART", "2025-12-08 22:44:22", "GMT+08:00", "Shipment departed facility"),
        detail("PU_PICKUP_SUCCESS", "2025-12-08 22:29:00", "GMT+08:00", "Shipment picked up"),
    ],
}
UNKNOWN_MODULE = {"mailNo": UNKNOWN, "mailNoSource": "EXTERNAL", "detailList": []}


def answer(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    wanted = query.get("mailNos", [""])[0].split(",")
    modules = [
        m for m in (ACTIVE_MODULE, DELIVERED_MODULE, UNKNOWN_MODULE) if m["mailNo"] in wanted
    ]
    return 200, {"success": True, "module": modules}


def test_cainiao_contract(tmp_path: Path, capsys) -> None:
    with provider_server(answer) as (base_url, seen):
        config = write_config(
            tmp_path,
            "cainiao",
            base_url,
            f"""
[[shipments]]
tracking_number = "{ACTIVE}"

[[shipments]]
tracking_number = "{DELIVERED}"
destination = {{ country = "BE" }}

[[shipments]]
tracking_number = "{UNKNOWN}"
""",
        )
        shown = check_and_show(capsys, config, NOW, ACTIVE, DELIVERED, UNKNOWN)
    assert ("GET", "/global/detail.json") in seen

    active = shown[ACTIVE]
    events = events_by_text(active)
    # Scans abroad: timeStr + timeZone is the instant, not the epoch (read at +08:00).
    assert events["Departed from customs"]["time"] == "2026-08-23T12:18:40Z"
    assert events["Accepted for transportation by postal service"]["time"] == (
        "2026-08-22T17:03:00Z"
    )
    assert events["Flight departed via Sao Paulo"]["time"] == "2026-08-10T06:00:00Z"
    assert events["Departed sorting center"]["time"] == "2026-07-02T18:55:17Z"
    # CC_HO_OUT_SUCCESS is export customs: not import clearance, not "customs".
    assert events["Departed from customs"]["status"] == "in_transit"
    assert events["Departed from customs"]["substatus"] == "in_transit.export_customs"
    assert active["milestones"]["customs_cleared"] is None
    # The follow-on number is the token that validates, not the labelled field.
    assert active["legs"] == [HANDOVER]
    assert active["leg_carriers"] == {HANDOVER: "Omniva"}
    # globalEtaInfo: the latest estimate, as a day in the destination (Ukraine).
    assert active["estimated_delivery"]["date"] == "2026-09-12"

    delivered = shown[DELIVERED]
    events = events_by_text(delivered)
    # GTMS_OE_DEPART at +08:00 minutes after the pickup in China: taken as given.
    assert events["Shipment departed facility"]["time"] == "2025-12-08T14:44:22Z"
    assert events["Shipment departed facility"]["status"] == "in_transit"
    # A last-mile scan labelled +08:00 is placed in the destination (Belgium, CET).
    assert events["Out for delivery abroad"]["time"] == "2026-02-06T06:52:42Z"
    assert events["Package delivered"]["time"] == "2026-02-06T14:25:17Z"
    assert delivered["status"] == "delivered"

    unknown = shown[UNKNOWN]
    assert unknown["events"] == []
    assert (unknown["status"], unknown["substatus"]) == ("pending", "pending.unknown_number")
    (verdict,) = unknown["verdicts"]
    assert (verdict["provider"], verdict["substatus"]) == ("cainiao", "pending.unknown_number")
