"""17TRACK end to end (local server → `watcher check` → `watcher show --json`).

Fixtures built from providers.md, "What recorded bodies show": events with `stage` and no
`sub_status`, an event with only `time_raw` (a delivery), the overall verdict
`latest_status` Exception that the events do not repeat, `address.country` null while
`location` names the country, `description_translation`, `misc_info.local_number` /
`local_provider` (the last-mile number), `shipping_info`, `param`, `tag`, every carrier leg.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.kits.contracts import (
    check_and_show,
    events_by_text,
    provider_server,
    write_config,
)

DELIVERED = "LP00123456789012"
EXCEPTION = "LP00123456789013"
LOCAL = "RR123456785DE"
NOW = "2026-10-30T12:00:00Z"


def item(number: str, latest: dict[str, Any], legs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "number": number,
        "carrier": 190271,
        "param": None,
        "tag": None,
        "track_info": {
            "shipping_info": {
                "shipper_address": {"country": "CN"},
                "recipient_address": {"country": "DE"},
            },
            "latest_status": latest,
            "time_metrics": {
                "estimated_delivery_date": {
                    "from": "2026-10-28T00:00:00+01:00",
                    "to": "2026-11-04T00:00:00+01:00",
                }
            },
            "misc_info": {"local_number": LOCAL, "local_provider": "Deutsche Post"},
            "tracking": {"providers": legs},
        },
    }


CAINIAO_LEG = {
    "provider": {"key": 190271, "name": "Cainiao", "country": "CN"},
    "events": [
        {
            "time_iso": "2026-10-01T10:00:00+08:00",
            "time_utc": "2026-10-01T02:00:00Z",
            "description": "Shipping label created",
            "stage": "InfoReceived",
        },
        {
            "time_iso": "2026-10-03T18:00:00+08:00",
            "time_utc": "2026-10-03T10:00:00Z",
            "description": "Parcel collected",
            "stage": "PickedUp",
            "address": {"country": "CN", "city": "Shenzhen"},
        },
    ],
}
POST_LEG = {
    "provider": {"key": 7041, "name": "Deutsche Post", "country": "DE"},
    "events": [
        {
            # offset-less local time; the country only in `location`
            "time_iso": "2026-10-20T09:15:00",
            "description": "Arrived in the destination country",
            "description_translation": {"lang": "de", "description": "Im Zielland angekommen"},
            "location": "Germany",
            "stage": "Arrival",
            "address": {"country": None, "city": None},
        },
        {
            "time_iso": "2026-10-24T08:00:00+02:00",
            "description": "Parcel is being delivered",
            "stage": "OutForDelivery",
        },
        {
            # only time_raw: must not be dropped
            "time_raw": {"date": "2026-10-24", "time": "11:30:00", "timezone": None},
            "description": "Delivered",
            "stage": "Delivered",
        },
    ],
}
PICKUP_LEG = {
    "provider": {"key": 7041, "name": "Deutsche Post", "country": "DE"},
    "events": [
        {
            "time_iso": "2026-10-25T10:00:00+02:00",
            "description": "Ready for collection at the retail outlet",
            "stage": "AvailableForPickup",
        }
    ],
}

GETTRACKINFO = {
    "code": 0,
    "data": {
        "accepted": [
            item(
                DELIVERED,
                {"status": "Delivered", "sub_status": "Delivered_Other"},
                [CAINIAO_LEG, POST_LEG],
            ),
            item(
                EXCEPTION,
                {"status": "Exception", "sub_status": "Exception_Other", "sub_status_descr": None},
                [CAINIAO_LEG, PICKUP_LEG],
            ),
        ],
        "rejected": [],
    },
}


def answer(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    numbers = [entry["number"] for entry in body or []]
    if path.endswith("/register"):
        return 200, {"code": 0, "data": {"accepted": [{"number": n} for n in numbers]}}
    if path.endswith("/gettrackinfo"):
        accepted = [i for i in GETTRACKINFO["data"]["accepted"] if i["number"] in numbers]
        return 200, {"code": 0, "data": {"accepted": accepted, "rejected": []}}
    return 404, {"code": -1}


def test_17track_contract(tmp_path: Path, capsys) -> None:
    with provider_server(answer) as (base_url, seen):
        config = write_config(
            tmp_path,
            "17track",
            base_url + "/track/v2.2",
            f"""
[[shipments]]
tracking_number = "{DELIVERED}"
destination = {{ country = "DE" }}

[[shipments]]
tracking_number = "{EXCEPTION}"
destination = {{ country = "DE" }}
""",
        )
        shown = check_and_show(capsys, config, NOW, DELIVERED, EXCEPTION)
    assert ("POST", "/track/v2.2/gettrackinfo") in seen

    delivered = shown[DELIVERED]
    events = events_by_text(delivered)
    # `stage` mapped: the label is not in transit, so "accepted" is the pickup, not the label.
    assert events["Shipping label created"]["status"] == "info_received"
    assert delivered["milestones"]["accepted"] == "2026-10-03T10:00:00Z"
    # The time_raw-only delivery is kept, placed in Germany (the leg carrier's home).
    assert events["Delivered"]["time"] == "2026-10-24T09:30:00Z"
    assert delivered["status"] == "delivered"
    # Offset-less time, country only in `location`: Germany (CEST, UTC+2).
    arrived = events["Arrived in the destination country"]
    assert (arrived["time"], arrived["country"]) == ("2026-10-20T07:15:00Z", "DE")
    assert delivered["estimated_delivery"]["date"] == "2026-11-04"
    # The last-mile number is a further leg, named with its carrier.
    assert delivered["legs"] == [LOCAL]
    assert delivered["leg_carriers"] == {LOCAL: "Deutsche Post"}

    exception = shown[EXCEPTION]
    # The events end at "available for pickup"; the overall verdict says Exception.
    assert exception["events"][-1]["status"] == "available_for_pickup"
    assert exception["status"] == "exception"
    (verdict,) = exception["verdicts"]
    assert (verdict["provider"], verdict["status"], verdict["raw"]) == (
        "17track",
        "exception",
        "Exception/Exception_Other",
    )
