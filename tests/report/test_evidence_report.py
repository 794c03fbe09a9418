"""`watcher evidence`: a self-contained, escaped HTML report plus JSON, and its PDF print."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.kits.common import write_replay
from watcher.cli.main import main
from watcher.report import pdf as pdf_module
from watcher.store.db import open_database
from watcher.store.tables import AlertRow, CaseRow, CaseStepRow, NotificationRow, ShipmentRow

NUMBER = "LP00000160000099"
HOSTILE = "Sorting </td><script>alert('x')</script><img src=http://evil.example/x.png> & co"
NOW = "2026-10-28T12:00:00+01:00"


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A parcel polled once, with a hostile event text, a case history and a sent notification."""
    monkeypatch.setenv("WATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'watcher.db'}")
    write_replay(
        tmp_path / "replay",
        NUMBER,
        [
            {
                "time": "2026-10-03T12:00:00+08:00",
                "description": "Accepted",
                "location": "Shenzhen, CN",
            },
            {"time": "2026-10-04T10:00:00+08:00", "description": HOSTILE, "location": "<b>CN</b>"},
            {
                "time": "2026-10-12T08:00:00+02:00",
                "description": "Arrived in destination country",
                "location": "Frankfurt, DE",
                "substatus": "in_transit.arrived_destination",
            },
        ],
    )
    config = tmp_path / "watcher.toml"
    config.write_text(
        f"""
timezone = "Europe/Berlin"
default_providers = ["replay"]
[providers.replay]
path = "replay"
[[shipments]]
tracking_number = "{NUMBER}"
label = "Lamp <i>& co</i>"
order_id = "8190000000000099"
ordered_at = 2026-10-01
destination = {{ country = "DE", city = "Berlin" }}
"""
    )
    assert main(["check", "--config", str(config), "--now", NOW, "--no-notify"]) == 0
    _add_history(f"sqlite:///{tmp_path / 'watcher.db'}")
    return config


def _add_history(url: str) -> None:
    """What the case module and the dispatcher would have written (read directly by the report)."""
    at = datetime(2026, 10, 25, 9, tzinfo=UTC)
    engine, sessions = open_database(url)
    with sessions.begin() as session:
        case = CaseRow(
            key=f"parcel:{NUMBER}", marketplace="aliexpress", created_at=at, updated_at=at
        )
        session.add(case)
        session.flush()
        row = session.query(ShipmentRow).filter_by(tracking_number=NUMBER).one()
        row.case_id = case.id
        for step, until, note, undone in [
            ("seller-contacted", None, "Seller says <wait> 3 days", None),
            ("extension-requested", None, None, None),
            ("extension-granted", date(2026, 12, 15), None, None),
            ("dispute-opened", None, "mistake", at),
        ]:
            session.add(
                CaseStepRow(
                    case_id=case.id,
                    shipment_id=row.id,
                    step=step,
                    at=at,
                    until=until,
                    note=note,
                    recorded_at=at,
                    undone_at=undone,
                )
            )
        alert = session.query(AlertRow).filter_by(subject=NUMBER).first()
        assert alert is not None, "the check opened a stall alert"
        session.add(
            NotificationRow(
                alert_id=alert.id,
                target="email",
                event="opened",
                severity="warning",
                title="Contact the courier about Lamp",
                body="...",
                dedupe_key="k1",
                created_at=at,
                due_at=at,
                attempts=1,
                sent_at=at,
            )
        )
    engine.dispose()


def _evidence(config: Path, out: Path, *extra: str) -> int:
    return main(
        ["evidence", "--config", str(config), NUMBER, "--out", str(out), "--now", NOW, *extra]
    )


def test_report_holds_everything_a_dispute_needs(watched: Path, tmp_path: Path, capsys) -> None:
    assert _evidence(watched, tmp_path / "out", "--json") == 0
    files = json.loads(capsys.readouterr().out)
    data = json.loads(Path(files["json"]).read_text())
    assert data["order"]["order_id"] == "8190000000000099"
    assert [e["description"] for e in data["timeline"]][1] == HOSTILE
    assert {s["provider"] for e in data["timeline"] for s in e["sources"]} == {"replay"}
    assert len(data["raw_events"]) == 3
    assert [s["step"] for s in data["case"]["steps"]] == [
        "seller-contacted",
        "extension-requested",
        "extension-granted",
        "dispute-opened",
    ]
    assert data["case"]["steps"][3]["undone_at"] is not None
    assert [a["kind"] for a in data["alerts"]] == ["stalled"]
    assert data["notifications"][0]["title"] == "Contact the courier about Lamp"
    assert {
        "what": "extension-granted: new protection end",
        "date": "2026-12-15",
        "source": "case",
    } in data["dates"]
    items = {c["item"]: c for c in data["checklist"]}
    assert any("extend buyer protection" in text for text in items)  # extension requested
    assert not any("dispute: your claim" in text for text in items), "an undone step asks nothing"
    assert items["tracking number: " + NUMBER]["held"] is True


def test_html_escapes_every_text_and_loads_nothing(watched: Path, tmp_path: Path) -> None:
    assert _evidence(watched, tmp_path / "out") == 0
    html = next((tmp_path / "out").glob("*.html")).read_text()
    assert "<script" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Lamp &lt;i&gt;&amp; co&lt;/i&gt;" in html
    assert "Seller says &lt;wait&gt; 3 days" in html
    # Self-contained: no linked stylesheet, script, image or font; print styles inline.
    assert not re.search(r"<(link|script|img|iframe|object)\b", html)
    assert not re.search(r"<[^>]*\b(src|href)\s*=", html) and "url(" not in html
    assert "@media print" in html and "@page" in html


def test_unknown_parcel_is_one_line(watched: Path, tmp_path: Path, capsys) -> None:
    code = main(["evidence", "--config", str(watched), "LP00000160000098", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "LP00000160000098" in err


def test_missing_chromium_is_one_line(watched: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(pdf_module, "CHROMIUM_PATHS", ("no-such-chromium-here",))
    assert _evidence(watched, tmp_path / "out", "--pdf") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "chromium" in err and "apt-get install chromium" in err
    assert list((tmp_path / "out").glob("*.html")), "the HTML is still written"


def test_pdf_prints_for_real(watched: Path, tmp_path: Path, capsys) -> None:
    """Debian's chromium prints the report; poppler reads the text back and renders page 1."""
    assert shutil.which("chromium") and shutil.which("pdftotext"), "run .ci/install-chromium.sh"
    assert _evidence(watched, tmp_path / "out", "--pdf", "--json") == 0
    pdf = Path(json.loads(capsys.readouterr().out)["pdf"])
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Evidence report: Lamp <i>& co</i>" in text  # shown literally, never as markup
    assert "8190000000000099" in text and "Evidence checklist" in text
    assert "<script>alert('x')</script>" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert "(A4)" in pages.stdout  # the print CSS's page size
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    assert (tmp_path / "p-1.png").stat().st_size > 5_000
