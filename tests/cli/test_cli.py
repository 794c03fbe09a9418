"""The command line: output shapes, one-line errors with exit code 2, nothing changed on bad input."""

from __future__ import annotations

import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest

from tests.kits.common import write_replay
from watcher.cli.common import opened_app
from watcher.cli.main import main
from watcher.cli.parser import build
from watcher.config import load_settings
from watcher.domain import timefmt
from watcher.service.status_report import Health, to_json
from watcher.store import quickread

NUMBER = "LP00123456789012"
CONFIG = f"""
[[shipments]]
tracking_number = "{NUMBER}"
label = "USB hub"
order_id = "8190000000000000"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
destination = {{ country = "DE", city = "Berlin" }}
"""
EVENTS = [
    {
        "time": "2026-10-02T08:00:00+08:00",
        "description": "Accepted by carrier",
        "location": "Shenzhen, CN",
    },
    {
        "time": "2026-10-05T23:10:00+08:00",
        "description": "Departed from origin country",
        "location": "Shenzhen, CN",
    },
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(make_config, replay_dir: Path) -> Path:
    write_replay(replay_dir, NUMBER, EVENTS)
    return make_config(CONFIG)


def test_check_json_shape(config: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "check", "--config", str(config), "--now", "2026-12-10T12:00:00Z", "--json"
    )
    assert code == 0
    alerts = json.loads(out)
    assert alerts, "a parcel past its protection deadline raises an alert"
    for alert in alerts:
        assert {
            "tracking_number",
            "kind",
            "action",
            "act_by",
            "severity",
            "message",
        } <= alert.keys()
        assert alert["tracking_number"] == NUMBER
    kinds = {a["kind"] for a in alerts}
    assert "deadline_passed" in kinds
    deadline = next(a for a in alerts if a["kind"] == "deadline_passed")
    assert deadline["action"] in ("open_dispute", "escalate_dispute")
    assert deadline["severity"] == "critical"


def test_check_before_thresholds_is_quiet(config: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "check", "--config", str(config), "--now", "2026-10-06T12:00:00Z", "--json"
    )
    assert code == 0
    assert json.loads(out) == []


def test_show_json_has_status_and_events(config: Path, capsys) -> None:
    run(capsys, "check", "--config", str(config), "--now", "2026-10-07T00:00:00Z")
    code, out, _ = run(capsys, "show", "--config", str(config), NUMBER.lower(), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["tracking_number"] == NUMBER
    assert data["status"] == "in_transit"
    assert [e["time"] for e in data["events"]] == ["2026-10-02T00:00:00Z", "2026-10-05T15:10:00Z"]
    for event in data["events"]:
        assert {"time", "status", "description", "location", "provider"} <= event.keys()
        assert event["provider"] == "replay"


def test_add_list_received_archive(make_config, capsys) -> None:
    config = str(make_config())
    assert (
        run(
            capsys,
            "add",
            "--config",
            config,
            "rr 1234 5678 5cn",
            "--label",
            "Lamp",
            "--ordered-at",
            "2026-10-01",
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "list", "--config", config, "--json")
    assert code == 0
    assert [s["tracking_number"] for s in json.loads(out)] == ["RR123456785CN"]
    assert run(capsys, "received", "--config", config, "RR123456785CN")[0] == 0
    assert run(capsys, "archive", "--config", config, "RR123456785CN")[0] == 0
    assert json.loads(run(capsys, "list", "--config", config, "--json")[1]) == []
    archived = json.loads(run(capsys, "list", "--config", config, "--all", "--json")[1])
    assert archived[0]["received_at"] and archived[0]["archived_at"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "RR123456784CN"], "RR123456784CN"),
        (["add", "LP00123456789012", "--ordered-at", "2026-02-30"], "--ordered-at: not a date"),
        (["add", "LP00123456789012", "--protection-ends", "soon"], "--protection-ends: not a date"),
        (["add", "LP00123456789012", "--provider", "nope"], "unknown provider 'nope'"),
        (["received", "LP00999999999999"], "LP00999999999999: not watched"),
        (["show", "???"], "???"),
        (["check", "--now", "yesterday"], "--now: not an ISO 8601"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    config: Path, capsys, argv: list[str], message: str
) -> None:
    run(capsys, "check", "--config", str(config), "--now", "2026-10-07T00:00:00Z")
    before = run(capsys, "list", "--config", str(config), "--all", "--json")[1]
    code, _, err = run(capsys, argv[0], "--config", str(config), *argv[1:])
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert run(capsys, "list", "--config", str(config), "--all", "--json")[1] == before


def test_add_twice_is_refused(make_config, capsys) -> None:
    config = str(make_config())
    run(capsys, "add", "--config", config, NUMBER)
    code, _, err = run(capsys, "add", "--config", config, NUMBER)
    assert code == 2 and "already watched" in err


def test_config_check(config: Path, make_config, capsys) -> None:
    code, out, _ = run(capsys, "config", "check", "--config", str(config))
    assert code == 0 and "OK" in out and "1 shipments" in out
    bad = make_config("[polling]\nnope = 1\n")
    code, _, err = run(capsys, "config", "check", "--config", str(bad))
    assert code == 2 and f"{bad}: polling.nope: unknown key" in err


def test_demo_shows_the_three_kinds_of_parcel(capsys) -> None:
    code, out, _ = run(capsys, "demo", "--json")
    assert code == 0
    alerts = json.loads(out)
    by_label = {a["tracking_number"]: a["kind"] for a in alerts}
    assert "stalled" in by_label.values()
    # The LED strip's buyer opened a dispute: its case, not "open a dispute", gives the next rung.
    assert by_label["LP00455566677788"] == "dispute"
    assert "LP00412345678901" not in by_label, "the healthy parcel raises nothing"


def test_demo_text_shows_parcels_alerts_and_the_case(capsys) -> None:
    """The README's first command: the text demo, as a new user sees it."""
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert "watcher demo: 4 parcels evaluated" in out
    assert "LED strip" in out and "Alerts (" in out and "Notifications that would be sent" in out
    assert "dispute-opened" in out  # the demo's case, with its history


def test_sigterm_stops_the_daemon_cleanly(config: Path, tmp_path: Path) -> None:
    text = config.read_text() + "\n[polling]\ntick_seconds = 0.2\n"
    config.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "run", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        db = tmp_path / "watcher.db"
        while time.monotonic() < deadline and not (db.exists() and _events_stored(db)):
            time.sleep(0.1)
        assert _events_stored(db), "the daemon polled and stored events"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=8)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read() if proc.stderr else ""
    assert code == 0, stderr
    assert "stopping" in stderr and "watcher stopped" in stderr
    assert "Traceback" not in stderr


def _events_stored(db: Path) -> bool:
    import sqlite3

    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select count(*) from events").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def test_console_script_is_installed() -> None:
    assert shutil.which("watcher", path=str(Path(sys.executable).parent)) is not None


#: One command line per command, with its required arguments.
EVERY_COMMAND = [
    ["run"],
    ["demo"],
    ["add", "X"],
    ["edit", "X"],
    ["list"],
    ["show", "X"],
    ["check"],
    ["received", "X"],
    ["not-received", "X"],
    ["archive", "X"],
    ["case", "X"],
    ["unarchive", "X"],
    ["remove", "X"],
    ["alerts"],
    ["advise", "X"],
    ["evidence", "X", "--out", "P"],
    ["notifications"],
    ["notify", "test"],
    ["providers"],
    ["config", "check"],
    ["status"],
    ["db", "backup", "P"],
    ["db", "export"],
    ["completion", "bash"],
    ["man", "--out", "P"],
    ["serve"],
]


def _leaves(
    command: click.Command, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], click.Command]:
    if not isinstance(command, click.Group):
        return {path: command}
    return {
        leaf: cmd
        for name, sub in command.commands.items()
        for leaf, cmd in _leaves(sub, (*path, name)).items()
    }


def test_every_command_takes_exactly_its_parsed_options() -> None:
    leaves = _leaves(build())
    names = {
        tuple(a for a in argv if a not in ("X", "P", "bash", "--out")) for argv in EVERY_COMMAND
    }
    assert names == set(leaves)
    for command in leaves.values():
        handler = command.callback.handler  # type: ignore[union-attr]
        options = {
            p.name: p.get_default(click.Context(command)) for p in command.params if p.expose_value
        }
        inspect.signature(handler).bind(config=None, **options)  # TypeError on a mismatch


def test_opened_app_disposes_the_engine_even_on_error(
    make_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    disposed: list[bool] = []
    with pytest.raises(RuntimeError), opened_app(load_settings(make_config())) as app:
        real = app.engine.dispose
        monkeypatch.setattr(app.engine, "dispose", lambda: disposed.append(True) or real())
        raise RuntimeError
    assert disposed == [True]


def test_every_json_output_writes_times_one_way() -> None:
    moment = datetime(2026, 11, 23, 9, 30, 2, 120000, tzinfo=UTC)
    assert timefmt.iso(moment) == "2026-11-23T09:30:02Z"  # never microseconds
    assert timefmt.iso(moment.replace(microsecond=0)) == "2026-11-23T09:30:02Z"
    offset = moment.astimezone(timezone(timedelta(hours=1)))
    assert timefmt.iso(offset) == "2026-11-23T10:30:02+01:00"  # an offset stays an offset
    assert timefmt.iso(None) is None
    assert quickread.iso_time("2026-11-23 09:30:02.120000") == timefmt.iso(moment)  # `list --json`
    status = to_json(
        Health(now=moment, daemon_running=False, last_cycle_at=moment)
    )  # `status --json`
    assert status["now"] == status["last_cycle_at"] == timefmt.iso(moment)
    nested = timefmt.jsonable({"a": [moment, (1, "x")], "b": None})
    assert nested == {"a": [timefmt.iso(moment), [1, "x"]], "b": None}
