"""AfterShip end to end (local server → `watcher check` → `watcher show --json`).

Fixtures built from providers.md, "What recorded bodies show": alpha-3 countries
(`country_iso3` in v4, `country_region` in the date-versioned API), v4 single trackings in
`data.tracking` and lists with `page`/`limit`/`count` instead of `pagination`, the estimate in
`aftership_estimated_delivery_date`, and a tracking tagged Expired with no checkpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kits.contracts import (
    check_and_show,
    events_by_text,
    provider_server,
    write_config,
)

MOVING = "LP00123456789012"
EXPIRED = "LP00123456789013"
CREATED = "LP00123456789014"
NOW = "2026-10-30T12:00:00Z"


def tracking(number: str, country_key: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{number}",
        "tracking_number": number,
        "slug": "cainiao",
        "tag": "InTransit",
        "subtag": "InTransit_007",
        "aftership_estimated_delivery_date": {
            "estimated_delivery_date": "2026-11-02",
            "confidence_score": None,
        },
        "checkpoints": [
            {
                "checkpoint_time": "2026-10-03T10:00:00+08:00",
                "message": "Departed from facility",
                "location": "Shenzhen",
                country_key: "CHN",
                "tag": "InTransit",
                "subtag": "InTransit_007",
            },
            {
                "checkpoint_time": "2026-10-20T09:15:00+02:00",
                "message": "Arrived at the destination country",
                "city": "Frankfurt",
                country_key: "DEU",
                "tag": "InTransit",
                "subtag": "InTransit_003",
            },
        ],
        **extra,
    }


def expired(number: str) -> dict[str, Any]:
    return {"tracking_number": number, "slug": "cainiao", "tag": "Expired", "checkpoints": []}


def v4(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    if method == "GET" and path == "/v4/trackings":
        listed = [tracking(MOVING, "country_iso3"), expired(EXPIRED)]
        wanted = query.get("tracking_numbers", [""])[0].split(",")
        trackings = [t for t in listed if t["tracking_number"] in wanted]
        data = {"page": 1, "limit": 100, "count": len(trackings), "trackings": trackings}
        return 200, {"meta": {"code": 200}, "data": data}
    if method == "POST" and path == "/v4/trackings":
        number = (
            body["tracking"]["tracking_number"] if "tracking" in body else body["tracking_number"]
        )
        return 201, {"meta": {"code": 201}, "data": {"tracking": tracking(number, "country_iso3")}}
    return 404, {"meta": {"code": 404}}


def dated(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    if method == "GET" and path == "/2026-07/trackings":
        listed = [tracking(MOVING, "country_region"), expired(EXPIRED)]
        wanted = query.get("tracking_numbers", [""])[0].split(",")
        trackings = [t for t in listed if t["tracking_number"] in wanted]
        data = {"pagination": {"total": len(trackings), "has_next_page": False}}
        return 200, {"meta": {"code": 200}, "data": {**data, "trackings": trackings}}
    if method == "POST" and path == "/2026-07/trackings":
        return 201, {
            "meta": {"code": 201},
            "data": tracking(body["tracking_number"], "country_region"),
        }
    return 404, {"meta": {"code": 404}}


@pytest.mark.parametrize(("handler", "version"), [(v4, "v4"), (dated, "2026-07")])
def test_aftership_contract(handler: Any, version: str, tmp_path: Path, capsys) -> None:
    with provider_server(handler) as (base_url, seen):
        config = write_config(
            tmp_path,
            "aftership",
            f"{base_url}/{version}",
            "".join(
                f'\n[[shipments]]\ntracking_number = "{n}"\ndestination = {{ country = "DE" }}\n'
                for n in (MOVING, EXPIRED, CREATED)
            ),
        )
        shown = check_and_show(capsys, config, NOW, MOVING, EXPIRED, CREATED)
    assert ("POST", f"/{version}/trackings") in seen  # CREATED was not listed: created

    for number in (MOVING, CREATED):  # listed (trackings) and created (single envelope)
        moving = shown[number]
        events = events_by_text(moving)
        # Alpha-3 countries mapped, not dropped.
        assert events["Departed from facility"]["country"] == "CN"
        assert events["Arrived at the destination country"]["country"] == "DE"
        assert events["Departed from facility"]["time"] == "2026-10-03T02:00:00Z"
        assert moving["estimated_delivery"]["date"] == "2026-11-02"

    gave_up = shown[EXPIRED]
    assert gave_up["events"] == []
    # Expired with nothing: the provider gave up, not "pending".
    assert (gave_up["status"], gave_up["substatus"]) == ("exception", "exception.tracking_expired")
    assert gave_up["verdicts"][0]["raw"] == "Expired (no checkpoints)"
