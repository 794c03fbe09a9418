"""DHL Unified end to end (local server → `watcher check` → `watcher show --json`).

Fixtures built from providers.md, "What recorded bodies show": offset-less timestamps placed by
the scan's place (a US locality by its state), events without a location by the shipment's
stated country or the service's home, mostly no countryCode, only `status` and no
`description`, `statusCode` "unknown", a numeric `id`, estimates in
`estimatedTimeOfDelivery` / `estimatedDeliveryTimeFrame`, extra `details`/`remark`/`nextSteps`.
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

EXPRESS = "1234567890"
PARCEL_DE = "00340434161094015902"
NOW = "2023-03-20T12:00:00Z"

EXPRESS_BODY = {
    "shipments": [
        {
            "id": EXPRESS,
            "service": "express",
            "origin": {"address": {"countryCode": "DE", "addressLocality": "LEIPZIG - GERMANY"}},
            "destination": {"address": {"addressLocality": "HENDERSON, NV, US"}},
            "status": {"statusCode": "delivered", "status": "Delivered"},
            "estimatedDeliveryTimeFrame": {
                "estimatedFrom": "2023-03-13T09:00:00",
                "estimatedThrough": "2023-03-14T18:00:00",
            },
            "details": {"product": {"productName": "DHL EXPRESS WORLDWIDE"}},
            "events": [
                {
                    # no location at all, pre-transit: the shipment's origin (DE) applies
                    "timestamp": "2023-03-10T10:00:00",
                    "statusCode": "pre-transit",
                    "status": "Shipment information received",
                },
                {
                    "id": 4711,  # numeric ids occur
                    "timestamp": "2023-03-12T20:00:00",
                    "location": {"address": {"addressLocality": "CINCINNATI HUB, OH, US"}},
                    "statusCode": "unknown",
                    "status": "Processed at CINCINNATI HUB",  # only `status`, no description
                },
                {
                    "timestamp": "2023-03-13T08:36:00",
                    "location": {"address": {"addressLocality": "HENDERSON, NV, US"}},
                    "statusCode": "transit",
                    "description": "With delivery courier",
                },
                {
                    "timestamp": "2023-03-13T14:02:00",
                    "location": {"address": {"addressLocality": "HENDERSON, NV, US"}},
                    "statusCode": "delivered",
                    "description": "Delivered",
                },
            ],
        }
    ]
}
PARCEL_DE_BODY = {
    "shipments": [
        {
            "id": PARCEL_DE,
            "service": "parcel-de",
            "status": {"statusCode": "transit", "status": "In transit"},
            "estimatedTimeOfDelivery": "2023-03-17T12:00:00",
            "remark": "Die Sendung ist unterwegs.",
            "nextSteps": "Zustellung",
            "events": [
                {
                    # no location: parcel-de works in Germany (CET in March: UTC+1)
                    "timestamp": "2023-03-15T09:15:00",
                    "statusCode": "transit",
                    "description": "Die Sendung wurde im Start-Paketzentrum bearbeitet.",
                }
            ],
        }
    ]
}


def answer(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    number = query.get("trackingNumber", [""])[0]
    bodies = {EXPRESS: EXPRESS_BODY, PARCEL_DE: PARCEL_DE_BODY}
    if path == "/track/shipments" and number in bodies:
        return 200, bodies[number]
    return 404, {"status": 404, "title": "No shipment with given tracking number found"}


def test_dhl_contract(tmp_path: Path, capsys) -> None:
    with provider_server(answer) as (base_url, seen):
        config = write_config(
            tmp_path,
            "dhl",
            base_url,
            f"""
[[shipments]]
tracking_number = "{EXPRESS}"
destination = {{ country = "US" }}

[[shipments]]
tracking_number = "{PARCEL_DE}"
""",
        )
        shown = check_and_show(capsys, config, NOW, EXPRESS, PARCEL_DE)
    assert ("GET", "/track/shipments") in seen
    express = shown[EXPRESS]
    events = events_by_text(express)
    # Nevada is Pacific time (PDT since 2023-03-12: UTC-7), not New York's.
    assert events["Delivered"]["time"] == "2023-03-13T21:02:00Z"
    assert events["Delivered"]["country"] == "US"
    assert events["With delivery courier"]["time"] == "2023-03-13T15:36:00Z"
    # Ohio: Eastern (EDT, UTC-4); the event had only `status` and an "unknown" statusCode.
    assert events["Processed at CINCINNATI HUB"]["time"] == "2023-03-13T00:00:00Z"
    # No location, origin side: the shipment's stated origin, Germany (CET, UTC+1).
    assert events["Shipment information received"]["time"] == "2023-03-10T09:00:00Z"
    assert express["status"] == "delivered"
    assert express["estimated_delivery"]["date"] == "2023-03-14"
    assert {"tracking_number": EXPRESS, "provider": "dhl", "status": "delivered"}.items() <= (
        express["verdicts"][0].items()
    )

    parcel = shown[PARCEL_DE]
    (event,) = parcel["events"]
    assert event["time"] == "2023-03-15T08:15:00Z"  # Germany, the service's home
    assert parcel["estimated_delivery"]["date"] == "2023-03-17"
