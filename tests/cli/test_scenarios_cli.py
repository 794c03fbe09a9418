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
            assert main(mark_argv(mark, config, now)) == 0
            capsys.readouterr()
    alerts = run_json(capsys, "check", "--config", config, "--now", now, "--json", "--no-notify")
    got = sorted((a["tracking_number"], a["kind"], a["action"], a["act_by"]) for a in alerts)
    want = sorted(
        (a["tracking_number"], a["kind"], a["action"], a["act_by"]) for a in expected["alerts"]
    )
    assert got == want


def mark_argv(mark: dict, config: str, now: str) -> list[str]:
    """The command line of an owner's recorded command (a case step or received/not-received)."""
    argv = [mark["command"], "--config", config, mark["tracking_number"]]
    if mark["command"] == "case":
        argv += [mark["step"], "--now", now]
        for key in ("until", "by", "amount", "note"):
            if key in mark:
                argv += [f"--{key}", mark[key]]
    if mark.get("force"):
        argv.append("--force")
    return [*argv, "--at", mark["at"]]


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
    number = mark["tracking_number"]
    # The dispute opened with the not-received report: a week later, escalation is the next rung.
    later = expected["also"][-1]["now"]
    assert main(["case", "--config", config, number, "dispute-opened", "--at", mark["at"]]) == 0
    capsys.readouterr()
    assert main(["advise", "--config", config, number, "--now", later]) == 0
    out = capsys.readouterr().out
    assert number in out
    assert "escalate" in out.lower()
