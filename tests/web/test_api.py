"""The JSON API against a running server: the CLI's shapes and reasons, 404s, writes, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from tests.web.conftest import MOVING, STALLED
from watcher.cli.main import main
from watcher.web.openapi import openapi_document


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def schema(name: str) -> OAS31Validator:
    """A validator for one component schema of our OpenAPI document."""
    document = openapi_document()
    return OAS31Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


def test_openapi_document_is_valid_and_served(served: Any) -> None:
    s = served()
    document = s.client.get("/api/v1/openapi.json").json()
    validate(document)  # raises on any violation of the OpenAPI 3.1 specification
    assert set(document["paths"]) >= {
        "/shipments",
        "/shipments/{number}",
        "/shipments/{number}/case/steps",
        "/shipments/{number}/case/steps/{step}",
        "/alerts",
        "/status",
    }


def test_list_is_the_cli_list_json(served: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s = served()
    answer = s.client.get("/api/v1/shipments")
    assert answer.status_code == 200
    code, out, _ = run_cli(capsys, "list", "--json", "--config", str(s.config))
    assert code == 0
    assert answer.json() == json.loads(out)
    for item in answer.json():
        schema("ShipmentRecord").validate(item)
    assert [x["tracking_number"] for x in s.client.get("/api/v1/shipments?limit=1").json()] == [
        STALLED
    ]


def test_show_is_the_cli_show_json_plus_the_case(
    served: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s = served()
    answer = s.client.get(f"/api/v1/shipments/{STALLED.lower()}").json()
    _, out, _ = run_cli(capsys, "show", STALLED, "--json", "--config", str(s.config))
    cli = json.loads(out)
    _, case_out, _ = run_cli(capsys, "case", STALLED, "--json", "--config", str(s.config))
    case = answer.pop("case")
    # The same shape as `watcher case --json` (whose alerts are evaluated afresh, as here).
    assert set(case) == set(json.loads(case_out))
    assert case["position"] == "no step taken yet" and case["steps"] == []
    # The CLI evaluates with the system clock; the stored facts and events are the same.
    assert answer == cli
    assert answer["alerts"][0]["action"] == "contact_seller"
    schema("Shipment").validate({**answer, "case": case})


@pytest.mark.parametrize("bad", ["RR123456789CN", "LP123", "AB!12345"])
def test_a_bad_number_is_400_with_the_cli_reason(
    served: Any, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    s = served()
    code, _, err = run_cli(capsys, "show", bad, "--config", str(s.config))
    assert code == 2
    reason = err.strip().splitlines()[-1].removeprefix("watcher: error: ")
    for answer in (
        s.client.get(f"/api/v1/shipments/{bad}"),
        s.client.post("/api/v1/shipments", json={"tracking_number": bad}),
    ):
        assert answer.status_code == 400
        assert answer.json() == {"error": reason}


def test_unknown_parcel_is_404_everywhere(served: Any) -> None:
    s = served()
    unknown = "LP00000000000099"
    for method, path, body in (
        ("GET", f"/api/v1/shipments/{unknown}", None),
        ("PATCH", f"/api/v1/shipments/{unknown}", {"label": "x"}),
        ("GET", f"/api/v1/shipments/{unknown}/case", None),
        ("POST", f"/api/v1/shipments/{unknown}/case/steps", {"step": "seller-contacted"}),
        ("DELETE", f"/api/v1/shipments/{unknown}/case/steps/seller-contacted", None),
        ("GET", f"/api/v1/shipments/{unknown}/evidence", None),
    ):
        answer = s.client.request(method, path, json=body)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["error"].startswith(f"{unknown}: not watched")


def test_add_patch_and_archive(served: Any) -> None:
    s = served()
    body = {
        "tracking_number": "https://global.cainiao.com/detail.htm?mailNoList=LP00000000000007",
        "label": "Cable",
        "ordered_at": "2026-11-01",
        "protection_ends": "20 days left",
    }
    added = s.client.post("/api/v1/shipments", json=body)
    assert added.status_code == 201
    assert added.headers["location"] == "/api/v1/shipments/LP00000000000007"
    # 20 days after the buyer's day (Berlin) at the frozen clock, 2026-11-11.
    assert added.json()["protection_ends"] == "2026-12-01"
    assert s.client.post("/api/v1/shipments", json=body).status_code == 409

    patched = s.client.patch(
        "/api/v1/shipments/LP00000000000007", json={"label": "USB cable", "archived": True}
    )
    assert patched.status_code == 200
    assert patched.json()["label"] == "USB cable"
    assert patched.json()["archived_at"] is not None
    listed = [x["tracking_number"] for x in s.client.get("/api/v1/shipments").json()]
    assert "LP00000000000007" not in listed
    everything = s.client.get("/api/v1/shipments?archived=true").json()
    assert "LP00000000000007" in [x["tracking_number"] for x in everything]

    refused = s.client.patch("/api/v1/shipments/LP00000000000007", json={"status": "delivered"})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("status: not a field that can be changed")


def test_bad_fields_name_the_field(served: Any) -> None:
    s = served()
    for body, reason in (
        ({"tracking_number": MOVING[:-1] + "8", "ordered_at": "1 Nov"}, "ordered_at: not a date"),
        (
            {"tracking_number": "LP00000000000008", "providers": ["nope"]},
            "providers: unknown provider",
        ),
        (
            {"tracking_number": "https://example.com/track"},
            "example.com: no tracking number found in this address",
        ),
    ):
        answer = s.client.post("/api/v1/shipments", json=body)
        assert answer.status_code == 400, body
        assert answer.json()["error"].startswith(reason), answer.json()


def test_case_steps_record_and_undo(served: Any) -> None:
    s = served()
    path = f"/api/v1/shipments/{STALLED}/case/steps"
    made = s.client.post(
        path, json={"step": "seller-contacted", "note": "chat #1", "at": "2026-11-10"}
    )
    assert made.status_code == 201
    case = made.json()
    assert case["position"] == "seller contacted"
    assert case["steps"][0]["at"] == "2026-11-09T23:00:00Z"  # midnight in Berlin
    schema("Case").validate(case)

    refused = s.client.post(path, json={"step": "not-received"})
    assert refused.status_code == 400
    assert "does not show the parcel as delivered" in refused.json()["error"]
    assert s.client.post(path, json={"step": "flown-away"}).status_code == 400

    received = s.client.post(path, json={"step": "received"})
    assert received.status_code == 201
    shown = s.client.get(f"/api/v1/shipments/{STALLED}").json()
    assert shown["received_at"] == "2026-11-11T12:00:00Z"

    undone = s.client.delete(f"{path}/received")
    assert undone.status_code == 200
    assert undone.json()["position"] == "seller contacted"
    assert s.client.get(f"/api/v1/shipments/{STALLED}").json()["received_at"] is None
    assert s.client.delete(f"{path}/received").status_code == 400


def test_alerts_notifications_status_evidence(served: Any) -> None:
    s = served()
    alerts = s.client.get("/api/v1/alerts").json()
    assert {a["tracking_number"] for a in alerts} >= {STALLED}
    for alert in alerts:
        schema("Alert").validate(alert)
    assert s.client.get("/api/v1/alerts?days=0").status_code == 400
    assert s.client.get("/api/v1/notifications").json() == []
    status = s.client.get("/api/v1/status").json()
    schema("Status").validate(status)
    assert status["healthy"] is False  # no daemon has run
    evidence = s.client.get(f"/api/v1/shipments/{STALLED}/evidence").json()
    schema("Evidence").validate(evidence)  # `watcher evidence`'s report, as the CLI writes it
    assert evidence["report"] == "watcher evidence"
    assert evidence["timeline"][0]["description"] == "Order information received"
    assert evidence["timeline"][0]["sources"][0]["provider"] == "replay"
    assert {e["description"] for e in evidence["raw_events"]} >= {"Order information received"}
    assert evidence["order"]["ordered_at"] == "2026-09-28"
    assert [a["kind"] for a in evidence["current_alerts"]] == ["stalled"]
    assert any(d["what"] == "buyer protection ends" for d in evidence["dates"])
    held = {item["item"]: item["held"] for item in evidence["checklist"]}
    assert any(held.values()) and not all(held.values())  # watcher's own items ticked only


def test_writes_must_be_json(served: Any) -> None:
    s = served()
    form = s.client.post("/api/v1/shipments", data={"tracking_number": "LP00000000000009"})
    assert form.status_code == 415
    garbage = s.client.post(
        "/api/v1/shipments", content=b"{", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400
    assert garbage.json() == {"error": "the body is not valid JSON"}
