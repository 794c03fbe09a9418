"""The HTML pages over HTTP against a running server: the flows a phone user goes through."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.web.conftest import MOVING, STALLED


def test_list_is_most_urgent_first_with_the_next_action(served: Any) -> None:
    s = served()
    page = s.client.get("/").text
    assert page.index("Desk lamp") < page.index("Phone case")
    assert 'Contact the seller</strong> by <time datetime="2026-11-20">Fri 20 Nov 2026' in page
    # Times are shown in the configured zone (Europe/Berlin): 10:00 for 08:00 UTC.
    assert "Last event: Sat 03 Oct 10:00" in page


def test_add_a_parcel_from_a_link_then_open_it(served: Any) -> None:
    s = served()
    answer = s.client.post(
        "/shipments",
        data={
            "csrf": s.csrf(),
            "tracking_number": "https://t.17track.net/en#nums=RR123456785CN",
            "label": "Keyboard <b>",
            "ordered_at": "2026-11-01",
            "protection_ends": "30 days left",
            "country": "de",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/shipments/RR123456785CN"
    page = s.client.get(answer.headers["location"]).text
    assert "Watching RR123456785CN." in page  # the flash message, shown once
    assert "Keyboard &lt;b&gt;" in page  # escaped
    assert "Protection ends</dt><dd>Fri 11 Dec 2026" in page  # 30 days after 11 Nov (Berlin)
    assert "Watching RR123456785CN." not in s.client.get(answer.headers["location"]).text


def test_a_mistake_shows_the_form_again_with_the_reason(served: Any) -> None:
    s = served()
    answer = s.client.post(
        "/shipments",
        data={"csrf": s.csrf(), "tracking_number": "RR123456789CN", "label": "Kept"},
    )
    assert answer.status_code == 400
    assert "RR123456789CN: bad S10 check digit (expected 5)" in answer.text
    assert 'value="Kept"' in answer.text


def test_parcel_page_case_buttons_received_undo_archive(served: Any) -> None:
    s = served()
    page = s.client.get(f"/shipments/{STALLED}").text
    for step in ("seller-contacted", "dispute-opened", "extension-granted", "claim-filed"):
        assert f'name="step" value="{step}"' in page
    assert "Ask the seller to check with their logistics provider" in page
    assert "Departed from sorting center" in page and "replay" in page
    assert f'href="/shipments/{STALLED}/evidence"' in page

    token = s.csrf(f"/shipments/{STALLED}")
    done = s.client.post(
        f"/shipments/{STALLED}/case",
        data={"csrf": token, "step": "dispute-opened", "note": "case 123", "at": "2026-11-09"},
    )
    assert done.status_code == 303
    page = s.client.get(f"/shipments/{STALLED}").text
    assert "Recorded: dispute-opened." in page
    assert "dispute opened</strong> Mon 09 Nov" in page and "case 123" in page

    refused = s.client.post(
        f"/shipments/{STALLED}/case", data={"csrf": token, "step": "not-received"}
    )
    assert refused.status_code == 400
    assert "tracking does not show the parcel as delivered" in refused.text
    forced = s.client.post(
        f"/shipments/{STALLED}/case", data={"csrf": token, "step": "not-received", "force": "on"}
    )
    assert forced.status_code == 303

    s.client.post(f"/shipments/{STALLED}/case", data={"csrf": token, "step": "received"})
    assert s.client.get(f"/api/v1/shipments/{STALLED}").json()["received_at"]
    page = s.client.get("/").text
    assert page.index("Phone case") < page.index("Desk lamp")  # received sorts last
    s.client.post(f"/shipments/{STALLED}/case/undo", data={"csrf": token, "step": "received"})
    assert s.client.get(f"/api/v1/shipments/{STALLED}").json()["received_at"] is None

    s.client.post(f"/shipments/{MOVING}/archive", data={"csrf": token, "archived": "1"})
    assert "Phone case" not in s.client.get("/").text
    assert "Phone case" in s.client.get("/?all=1").text


def test_evidence_download(served: Any) -> None:
    s = served()
    stem = f"evidence-{STALLED}-2026-11-11"  # the name `watcher evidence` writes
    page = s.client.get(f"/shipments/{STALLED}/evidence")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-disposition"] == f'attachment; filename="{stem}.html"'
    # The printable report: self-contained (no scripts, no external assets), the timeline in it.
    assert STALLED in page.text and "Order information received" in page.text
    assert "<script" not in page.text and not re.search(r'(src|href)="https?:', page.text)

    answer = s.client.get(f"/shipments/{STALLED}/evidence?format=json")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{stem}.json"'
    report = json.loads(answer.text)
    assert report["order"]["tracking_number"] == STALLED
    assert report == s.client.get(f"/api/v1/shipments/{STALLED}/evidence").json()

    bad = s.client.get(f"/shipments/{STALLED}/evidence?format=pdf")
    assert bad.status_code == 400 and "format: expected html or json" in bad.text
    unknown = s.client.get("/shipments/LP00000000000099/evidence")
    assert unknown.status_code == 404 and "LP00000000000099: not watched" in unknown.text


def test_unknown_and_bad_numbers(served: Any) -> None:
    s = served()
    unknown = s.client.get("/shipments/LP00000000000099")
    assert unknown.status_code == 404 and "LP00000000000099: not watched" in unknown.text
    bad = s.client.get("/shipments/RR123456789CN")
    assert bad.status_code == 400 and "bad S10 check digit" in bad.text


def test_alerts_notifications_health_pages(served: Any) -> None:
    s = served()
    alerts = s.client.get("/alerts").text
    assert f'href="/shipments/{STALLED}"' in alerts and "Contact the seller" in alerts
    assert "Nothing sent yet." in s.client.get("/notifications").text
    health = s.client.get("/health").text
    assert "unhealthy" in health and "daemon not running" in health
    assert re.search(r"<dt>Parcels</dt><dd>[^<]*1 in transit", health)
