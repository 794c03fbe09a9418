"""Review fixes: one input checking for the web and the CLI, typed JSON, 404/400 on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import MOVING, STALLED
from watcher.domain.models import Action

UNKNOWN, MALFORMED = "LP00000000000099", "RR123456789CN"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/shipments/{}/case", {"step": "seller-contacted"}),
        ("/shipments/{}/case/undo", {"step": "seller-contacted"}),
        ("/shipments/{}/archive", {"archived": "1"}),
    ],
)
def test_case_and_archive_pages_answer_404_and_400(served: Any, path: str, form: dict) -> None:
    s = served()
    unknown = s.client.post(path.format(UNKNOWN), data={"csrf": s.csrf(), **form})
    assert unknown.status_code == 404 and "not watched" in unknown.text
    malformed = s.client.post(path.format(MALFORMED), data={"csrf": s.csrf(), **form})
    assert malformed.status_code == 400 and "bad S10 check digit" in malformed.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"label": 5}, "label: expected a string or null"),
        ({"order_id": ["x"]}, "order_id: expected a string or null"),
        ({"insured": "false"}, "insured: expected true or false"),
        ({"archived": "yes"}, "archived: expected true or false"),
        ({"marketplace": "nowhere"}, "marketplace: unknown marketplace profile"),
        ({"marketplace": 3}, "marketplace: expected a marketplace name"),
        ({"destination": {"country": "Germany"}}, "destination.country: expected a two-letter"),
        ({"destination": {"country": 49}}, "destination.country: expected a two-letter"),
        ({"destination": {"city": 1}}, "destination.city: expected a string or null"),
        ({"ordered_at": "1900-01-01"}, "ordered_at: 1900-01-01 is not between 2000-01-01"),
        ({"protection_ends": "2999-01-01"}, "protection_ends: 2999-01-01 is not between"),
        ({"protection_ends": "9999 days"}, "protection_ends: "),
    ],
)
def test_patch_fields_are_type_checked(served: Any, body: dict, reason: str) -> None:
    s = served()
    answer = s.client.patch(f"/api/v1/shipments/{MOVING}", json=body)
    assert answer.status_code == 400, answer.json()
    error = answer.json()["error"]
    assert error.startswith(reason) and "\n" not in error


def test_patch_takes_real_booleans_and_country_codes(served: Any) -> None:
    s = served()
    path = f"/api/v1/shipments/{MOVING}"
    assert s.client.patch(path, json={"insured": True}).status_code == 200
    shown = s.client.patch(path, json={"insured": False, "destination": {"country": " de "}})
    assert shown.status_code == 200
    assert shown.json()["destination"] == {"country": "DE", "city": None, "postcode": None}
    assert s.client.patch(path, json={"archived": False}).json()["archived_at"] is None
    assert s.client.patch(path, json={"archived": True}).json()["archived_at"] is not None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"ordered_at": "1900-01-01"}, "ordered_at: 1900-01-01 is not between"),
        ({"insured": "false"}, "insured: expected true or false"),
        ({"marketplace": "nowhere"}, "marketplace: unknown marketplace profile"),
        ({"label": {"a": 1}}, "label: expected a string or null"),
        ({"tracking_number": 12345678}, "tracking_number: expected a string"),
    ],
)
def test_add_checks_as_the_cli(served: Any, body: dict, reason: str) -> None:
    s = served()
    answer = s.client.post("/api/v1/shipments", json={"tracking_number": "RR123456785CN", **body})
    assert answer.status_code == 400, answer.json()
    assert answer.json()["error"].startswith(reason)


def test_add_reads_links_as_the_cli(served: Any) -> None:
    s = served()
    link = "https://www.aliexpress.com/p/tracking/index.html?tradeOrderId=8123&logisticsNo=RR123456785CN"
    added = s.client.post("/api/v1/shipments", json={"tracking_number": link})
    assert added.status_code == 201, added.json()
    assert added.json()["tracking_number"] == "RR123456785CN"
    assert added.json()["order_id"] == "8123"
    # `?id=` is no tracking-number key of the CLI's.
    refused = s.client.post(
        "/api/v1/shipments", json={"tracking_number": "https://example.com/t?id=LP00123456789012"}
    )
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"step": "seller-contacted", "note": 5}, "note: expected a string or null"),
        ({"step": "seller-contacted", "by": ["me"]}, "by: expected a string or null"),
        ({"step": "seller-contacted", "detail": {"x": 1}}, "detail: expected a string or null"),
        ({"step": "seller-contacted", "force": "no"}, "force: expected true or false"),
        ({"step": "seller-contacted", "at": "1999-12-31"}, "at: 1999-12-31 is not between"),
        ({"step": "extension-granted", "until": "2999-01-01"}, "until: 2999-01-01 is not"),
    ],
)
def test_case_step_fields_are_type_checked(served: Any, body: dict, reason: str) -> None:
    s = served()
    answer = s.client.post(f"/api/v1/shipments/{STALLED}/case/steps", json=body)
    assert answer.status_code == 400, answer.json()
    assert answer.json()["error"].startswith(reason)


def test_action_words_are_the_cli_ones_for_every_action() -> None:
    from watcher.report.evidence import _LABELS
    from watcher.rules.advice import ACTION_WORDS
    from watcher.web.views import ACTION_TEXT

    for action in Action:
        assert ACTION_TEXT[action.value] == ACTION_WORDS[action]
        assert _LABELS[action.value].lower() == ACTION_WORDS[action].lower()
    assert ACTION_TEXT["request_chargeback"] == "Request a chargeback or PayPal claim"
    assert _LABELS["contact_support"] == "contact the platform's support"
