"""`watcher case`: recording steps changes the advice at once; history, undo, shared orders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kits.scenarios import SCENARIOS
from watcher.cli.main import main

CONFIG = str(SCENARIOS / "case_shared_order" / "watcher.toml")
NOW = "2026-11-21T12:00:00+01:00"
A, B = "LP00000000000061", "LP00000000000062"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run a watcher command on the shared-order scenario; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("WATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'watcher.db'}")

    def go(*argv: str) -> tuple[int, str, str]:
        code = main([argv[0], "--config", CONFIG, *argv[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    assert go("check", "--now", NOW, "--json", "--no-notify")[0] == 0
    return go


def _alerts(run) -> dict[str, list[tuple[str, str, str | None]]]:
    code, out, _ = run("alerts", "--json")
    assert code == 0
    found: dict[str, list[tuple[str, str, str | None]]] = {}
    for a in json.loads(out):
        if a["resolved_at"] is None:
            found.setdefault(a["tracking_number"], []).append((a["kind"], a["action"], a["act_by"]))
    return found


def test_a_dispute_on_one_parcel_changes_the_whole_orders_alerts_at_once(run) -> None:
    before = _alerts(run)
    assert ("deadline_near", "contact_seller", "2026-11-23") in before[A]
    code, out, _ = run(
        "case", A, "dispute-opened", "--at", "2026-11-18T10:00", "--now", NOW, "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["position"] == "dispute open"
    assert data["parcels"] == [A, B]
    assert data["next"]["action"] == "escalate_dispute" and data["next"]["act_by"] == "2026-11-25"
    # No cycle in between: recording the step re-evaluated both parcels of the order.
    after = _alerts(run)
    assert after[A] == [("dispute", "escalate_dispute", "2026-11-25")]
    assert after[B] == [("dispute", "escalate_dispute", "2026-11-25")]
    shared = json.loads(run("case", B, "--now", NOW, "--json")[1])
    assert [(s["step"], s["this_parcel"]) for s in shared["steps"]] == [("dispute-opened", False)]


def test_undo_keeps_the_history_and_restores_the_advice(run) -> None:
    run("case", A, "dispute-opened", "--at", "2026-11-18T10:00", "--now", NOW)
    code, out, _ = run("case", A, "dispute-opened", "--undo", "--now", NOW, "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["steps"]) == 1 and data["steps"][0]["undone_at"] is not None
    assert data["position"] == "no step taken yet"
    assert ("deadline_near", "contact_seller", "2026-11-23") in _alerts(run)[A]
    code, _, err = run("case", A, "dispute-opened", "--undo", "--now", NOW)
    assert code == 2 and "no 'dispute-opened' step to undo" in err


def test_text_shows_position_history_next_step_and_evidence(run) -> None:
    run(
        "case",
        A,
        "seller-contacted",
        "--at",
        "2026-11-20T09:30",
        "--note",
        "asked for news",
        "--now",
        NOW,
    )
    code, out, _ = run("case", A, "--now", NOW)
    assert code == 0
    assert "Position: seller contacted" in out
    assert '2026-11-20 09:30  seller-contacted "asked for news"' in out
    assert "Next step: open dispute by 2026-11-29" in out
    assert "Evidence to gather:" in out and A in out


def test_refund_ends_the_case_and_stops_the_alerts(run) -> None:
    run("case", A, "dispute-opened", "--at", "2026-11-18T10:00", "--now", NOW)
    code, out, _ = run("case", A, "refunded", "--amount", "partial", "--now", NOW, "--json")
    data = json.loads(out)
    assert code == 0 and data["position"] == "refunded (partial)" and data["next"] is None
    assert _alerts(run) == {}


def test_extension_granted_moves_the_deadline(run) -> None:
    _, out, _ = run("case", A, "extension-granted", "--until", "2027-01-10", "--now", NOW, "--json")
    data = json.loads(out)
    assert data["protection"]["ends"] == "2027-01-10"
    assert data["protection"]["source"] == "extended by the seller"
    assert all(a[2] is None or a[2] >= "2027-01-09" for a in _alerts(run)[A])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("extension-granted",), "extension-granted needs --until DATE"),
        (("escalate",), "unknown step 'escalate'"),
        (("refunded", "--amount", "lots"), "--amount: expected full, partial or a number"),
        (("closed", "--until", "2026-12-01"), "--until only goes with extension-granted"),
        (("closed", "--at", "2027-01-01"), "is in the future"),
    ],
)
def test_bad_steps_are_one_line_errors(run, argv: tuple[str, ...], message: str) -> None:
    code, _, err = run("case", A, *argv, "--now", NOW)
    assert code == 2 and message in err and "Traceback" not in err


def test_not_received_on_a_parcel_in_transit_needs_force(run) -> None:
    code, _, err = run("not-received", A)
    assert code == 2
    assert "does not show the parcel as delivered (status: in transit)" in err and "--force" in err
    code, out, _ = run("not-received", A, "--force")
    assert code == 0 and "marked not received" in out
    data = json.loads(run("case", A, "--json")[1])
    assert [s["step"] for s in data["steps"]] == ["not-received"]


def test_timezone_defaults_to_the_systems_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.config import Settings

    monkeypatch.setenv("TZ", "Australia/Sydney")
    assert Settings().timezone == "Australia/Sydney"
    monkeypatch.setenv("TZ", "Not/AZone")
    assert Settings().timezone != "Not/AZone"
