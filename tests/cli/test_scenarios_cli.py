"""`watcher check --now ... --json` on every scenario under tests/scenarios prints exactly the
expected alerts (kind, action, act_by), after applying the owner's recorded commands ("marks")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kits.scenarios import SCENARIOS as SCENARIO_DIR
from watcher.cli.main import main

SCENARIOS = sorted(p for p in SCENARIO_DIR.iterdir() if (p / "expected.json").is_file())


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if out.strip() else None


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_check_json_matches_expected(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("WATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'watcher.db'}")
    expected = json.loads((scenario / "expected.json").read_text())
    config = str(scenario / "watcher.toml")
    now = expected["now"]
    if expected.get("marks"):
        run_json(capsys, "check", "--config", config, "--now", now, "--json", "--no-notify")
        for mark in expected["marks"]:
            assert (
                main(
                    [
                        mark["command"],
                        "--config",
                        config,
                        mark["tracking_number"],
                        "--at",
                        mark["at"],
                    ]
                )
                == 0
            )
            capsys.readouterr()
    alerts = run_json(capsys, "check", "--config", config, "--now", now, "--json", "--no-notify")
    got = sorted((a["tracking_number"], a["kind"], a["action"], a["act_by"]) for a in alerts)
    want = sorted(
        (a["tracking_number"], a["kind"], a["action"], a["act_by"]) for a in expected["alerts"]
    )
    assert got == want


def test_there_are_healthy_scenarios() -> None:
    healthy = [p for p in SCENARIOS if not json.loads((p / "expected.json").read_text())["alerts"]]
    assert len(healthy) >= 10


def test_advise_evaluates_at_the_given_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    scenario = SCENARIO_DIR / "not_received"
    monkeypatch.setenv("WATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'watcher.db'}")
    expected = json.loads((scenario / "expected.json").read_text())
    config = str(scenario / "watcher.toml")
    mark = expected["marks"][0]
    run_json(capsys, "check", "--config", config, "--now", expected["now"], "--json", "--no-notify")
    assert (
        main([mark["command"], "--config", config, mark["tracking_number"], "--at", mark["at"]])
        == 0
    )
    capsys.readouterr()
    later = expected["also"][-1]
    assert main(["advise", "--config", config, mark["tracking_number"], "--now", later["now"]]) == 0
    out = capsys.readouterr().out
    assert mark["tracking_number"] in out
    assert "escalate" in out.lower()
