"""One test (at least) per trap of issue 17, in the order a new user meets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.kits.common import write_replay
from watcher.cli.main import main
from watcher.cli.pasted import from_pasted
from watcher.config import load_settings
from watcher.domain.errors import InputError
from watcher.notify.transport import NOTIFY_TYPES, RecordingNotifier, url_problem

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "LP00123456789012"
PARCEL = f"""
[[shipments]]
tracking_number = "{NUMBER}"
label = "USB hub"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
"""
EVENTS = [{"time": "2026-10-02T08:00:00+08:00", "description": "Accepted by carrier"}]
LATE = "2026-12-10T12:00:00Z"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(make_config, replay_dir: Path) -> str:
    path = make_config(PARCEL)
    write_replay(replay_dir, NUMBER, EVENTS)
    return str(path)


# 2. The example config ships no live parcel.
def test_example_config_has_no_live_parcel() -> None:
    settings = load_settings(ROOT / "config" / "watcher.example.toml")
    assert settings.shipments == []


# 3. A replay path pointing at a missing folder is a config error.
def test_missing_replay_folder_is_a_config_error(make_config, capsys) -> None:
    config = make_config('[providers.replay]\npath = "nowhere"\n')
    code, _, err = run(capsys, "config", "check", "--config", str(config))
    assert code == 2
    assert "providers.replay.path: no such folder" in err and "nowhere" in err
    assert "Traceback" not in err
    # `check` and `run` refuse to start on it too, with the same one line.
    for argv in (["check"], ["run"]):
        code, _, err = run(capsys, *argv, "--config", str(config))
        assert code == 2 and "providers.replay.path: no such folder" in err, argv
        assert len(err.strip().splitlines()) == 1


# 4. `check` prints each alert once: no WARNING log line repeating it on stderr.
def test_check_prints_alerts_once(config: str, capsys) -> None:
    code, out, err = run(capsys, "check", "--config", config, "--now", LATE)
    assert code == 0
    assert out.count("deadline_passed") == 1
    assert "deadline_passed" not in err


# 5. `status` reads the last cycle of any process: a `check` counts.
def test_status_after_check_is_healthy(config: str, capsys) -> None:
    assert run(capsys, "check", "--config", config)[0] == 0
    code, out, _ = run(capsys, "status", "--config", config)
    assert code == 0, out
    assert "last cycle: never" not in out and "healthy" in out
    data = json.loads(run(capsys, "status", "--config", config, "--json")[1])
    assert data["healthy"] and data["last_cycle_at"]


# 6. Times: --json to the second with an offset; text in the configured zone.
def test_times_are_local_in_text_and_whole_seconds_in_json(make_config, replay_dir, capsys) -> None:
    config = str(make_config('timezone = "Europe/Berlin"\n' + PARCEL))
    write_replay(replay_dir, NUMBER, EVENTS)
    run(capsys, "check", "--config", config, "--now", "2026-10-07T00:00:00Z")
    _, out, _ = run(capsys, "show", "--config", config, NUMBER)
    assert "2026-10-02 02:00" in out and "(Europe/Berlin)" in out  # 00:00 UTC is 02:00 in Berlin
    assert "Z " not in out
    _, out, _ = run(capsys, "notifications", "--config", config, "--json")
    data = json.loads(run(capsys, "show", "--config", config, NUMBER, "--json")[1])
    assert data["events"][0]["time"] == "2026-10-02T00:00:00Z"
    for key in ("last_event_at", "next_poll_at"):
        assert data[key] is None or "." not in data[key]


# 7. `received` re-evaluates the parcel at once.
def test_received_closes_its_alert_at_once(config: str, capsys) -> None:
    run(capsys, "check", "--config", config, "--now", "2026-11-20T12:00:00Z")
    assert json.loads(run(capsys, "alerts", "--config", config, "--json")[1])
    code, out, _ = run(capsys, "received", "--config", config, NUMBER)
    assert code == 0 and "0 open alerts left" in out
    opened = [a for a in json.loads(run(capsys, "alerts", "--config", config, "--json")[1])]
    assert all(a["resolved_at"] for a in opened if a["tracking_number"] == NUMBER)


# 9. Severity maps to apprise's notify types.
def test_severity_maps_to_apprise_notify_types() -> None:
    assert NOTIFY_TYPES == {
        "critical": "failure",
        "warning": "warning",
        "info": "info",
        "resolved": "success",
    }


def test_apprise_receives_the_notify_type(monkeypatch) -> None:
    import apprise

    from watcher.notify.transport import AppriseNotifier

    seen: list[str] = []

    def notify(self, **kwargs):
        seen.append(kwargs["notify_type"].value)
        return True

    monkeypatch.setattr(apprise.Apprise, "notify", notify)
    notifier = AppriseNotifier({"phone": ["json://127.0.0.1:9/x"]})
    for severity in ("critical", "warning", "info", "resolved"):
        assert notifier.send("phone", "t", "b", severity=severity).ok
    assert seen == ["failure", "warning", "info", "success"]


# 10. `config check` validates notification URLs, one line each with the reason.
def test_config_check_names_bad_notification_urls(make_config, capsys) -> None:
    config = make_config(
        '[notify.targets.phone]\nurls = ["nfty://ntfy.sh/parcels", "xmpp://user:pass@host"]\n'
    )
    code, out, err = run(capsys, "config", "check", "--config", str(config))
    assert code == 2 and "OK" not in out
    lines = err.splitlines()
    assert len(lines) == 2
    assert "URL #1: unknown scheme nfty:// (did you mean ntfy://?)" in lines[0]
    assert "URL #2: xmpp:// is disabled in this installation: it needs slixmpp" in lines[1]
    assert "pass@host" not in err and "parcels" not in err  # the rest of a URL may be a secret
    assert url_problem("ntfy://ntfy.sh/parcels") is None


# 11. `db export` is JSON without `--json` (which is still accepted).
def test_db_export_defaults_to_json(config: str, capsys) -> None:
    code, out, _ = run(capsys, "db", "export", "--config", config)
    assert code == 0 and isinstance(json.loads(out), dict)
    code, out2, _ = run(capsys, "db", "export", "--json", "--config", config)
    assert code == 0 and json.loads(out2).keys() == json.loads(out).keys()


# 12. Global options before or after the command.
@pytest.mark.parametrize("before", [True, False])
def test_global_options_before_or_after_the_command(config: str, capsys, before: bool) -> None:
    run(capsys, "check", "--no-poll", "--config", config)
    argv = (
        ["--config", config, "list", "--json"] if before else ["list", "--json", "--config", config]
    )
    code, out, _ = run(capsys, *argv)
    assert code == 0 and json.loads(out)[0]["tracking_number"] == NUMBER


def test_verbosity_and_colour_options_are_global(config: str, capsys) -> None:
    run(capsys, "check", "--no-poll", "--config", config)
    assert run(capsys, "-q", "--no-color", "--config", config, "list")[0] == 0
    code, out, _ = run(capsys, "--color", "--config", config, "list")
    assert code == 0 and "\033[" in out  # forced on, even into a pipe
    code, out, _ = run(capsys, "list", "--config", config)
    assert "\033[" not in out  # not a terminal: plain


# 13. Broken pipes end quietly.
@pytest.mark.parametrize("argv", [["list", "--json"], ["advise", NUMBER], ["status"], ["list"]])
def test_broken_pipe_ends_quietly(make_config, replay_dir, argv: list[str]) -> None:
    many = "".join(
        f'\n[[shipments]]\ntracking_number = "LP00{i:012d}"\nlabel = "parcel {i}"\n'
        for i in range(400)
    )
    config = make_config(PARCEL + many)
    write_replay(replay_dir, NUMBER, EVENTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_")}
    subprocess.run(
        [sys.executable, "-m", "watcher", "check", "--no-poll", "--config", str(config)],
        env=env,
        capture_output=True,
        check=False,
    )
    command = f"{sys.executable} -m watcher {' '.join(argv)} --config {config} | head -1"
    done = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip(), done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


# 14. `list` fits the terminal, truncates with an ellipsis, shows the next action and its date.
def test_list_fits_the_width_and_shows_the_next_action(config: str, capsys, monkeypatch) -> None:
    from watcher.cli import renderer

    run(capsys, "check", "--config", config, "--now", "2026-11-20T12:00:00Z")
    run(capsys, "edit", "--config", config, NUMBER, "--label", "A" * 80)
    monkeypatch.setattr(renderer, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr(
        renderer.shutil, "get_terminal_size", lambda fallback: os.terminal_size((60, 20))
    )
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "list", "--config", config)
    lines = out.splitlines()
    assert "ACTION" in lines[0] and "BY" in lines[0]
    assert all(len(line) <= 60 for line in lines)
    assert "…" in lines[1] and NUMBER in lines[1]  # the label gives way, never the number
    assert "LAST EVENT" not in lines[0]  # left out before anything else is cut


def test_list_never_breaks_columns_on_a_long_number(make_config, capsys) -> None:
    config = str(make_config())
    long = "ABCDEFGHIJ1234567890KLMNOPQ"  # 27 characters
    assert run(capsys, "add", "--config", config, long, "--label", "x")[0] == 0
    run(capsys, "add", "--config", config, "RR123456785CN", "--label", "y")
    lines = run(capsys, "list", "--config", config)[1].splitlines()
    assert lines[1].index("pending") == lines[2].index("pending") == lines[0].index("STATUS")


# 15. `check` exits non-zero and says so when every poll failed.
def test_check_fails_when_every_poll_failed(make_config, capsys) -> None:
    config = make_config(PARCEL.replace("ordered_at", 'providers = ["cainiao"]\nordered_at'))
    import httpx
    import respx

    with respx.mock(assert_all_called=False) as mock:
        mock.route().mock(side_effect=httpx.ConnectError("down"))
        code, _, err = run(capsys, "check", "--config", str(config))
    assert code == 1
    assert "every poll failed" in err


# 16. `add` takes pasted tracking URLs and `--protection-days`.
@pytest.mark.parametrize(
    ("url", "number"),
    [
        (
            "https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012&lang=en",
            "LP00123456789012",
        ),
        ("https://t.17track.net/en#nums=RR123456785CN", "RR123456785CN"),
        (
            "https://www.aliexpress.com/p/tracking/index.html?tradeOrderId=8190000000000000&logisticsNo=LP00123456789012",
            "LP00123456789012",
        ),
        (
            "https://www.dhl.com/de-en/home/tracking/tracking-parcel.html?submit=1&tracking-id=JJD000390007788112",
            "JJD000390007788112",
        ),
        ("https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784", "1Z999AA10123456784"),
        ("https://www.fedex.com/fedextrack/?trknbr=123456789012", "123456789012"),
        (
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490",
            "9400111899223197428490",
        ),
        (
            "https://www.royalmail.com/track-your-item#/tracking-results/AB123456785GB",
            "AB123456785GB",
        ),
        ("https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1234AB", "3SABCD1234567"),
        ("https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901", "6A12345678901"),
        ("rr 1234 5678 5cn", "rr 1234 5678 5cn"),
    ],
)
def test_pasted_urls_give_the_number(url: str, number: str) -> None:
    assert from_pasted(url).number == number


def test_aliexpress_order_page_without_number_says_what_to_do() -> None:
    with pytest.raises(InputError, match="--order-id 8190000000000000"):
        from_pasted("https://www.aliexpress.com/p/order/detail.html?orderId=8190000000000000")


def test_add_from_url_with_protection_days(make_config, capsys) -> None:
    config = str(make_config())
    code, out, _ = run(
        capsys,
        "add",
        "--config",
        config,
        "https://t.17track.net/en#nums=RR123456785CN",
        "--protection-days",
        "10",
    )
    assert code == 0 and "watching RR123456785CN" in out
    shipment = json.loads(run(capsys, "list", "--config", config, "--json")[1])[0]
    assert shipment["tracking_number"] == "RR123456785CN"
    assert date.fromisoformat(shipment["protection_ends"]) >= date.today() + timedelta(days=9)


def test_add_echoes_bad_input_as_typed(make_config, capsys) -> None:
    code, _, err = run(capsys, "add", "--config", str(make_config()), "lp00 12?")
    assert code == 2 and "lp00 12?" in err and "LP0012?" not in err


# 17. `edit`, `unarchive`, `remove`.
def test_edit_unarchive_remove(make_config, capsys) -> None:
    config = str(make_config())
    run(capsys, "add", "--config", config, "RR123456785CN", "--label", "Lamp")
    code, out, _ = run(
        capsys,
        "edit",
        "--config",
        config,
        "RR123456785CN",
        "--label",
        "Desk lamp",
        "--order-id",
        "81",
        "--ordered-at",
        "2026-10-01",
        "--protection-ends",
        "2026-12-01",
        "--marketplace",
        "aliexpress",
        "--country",
        "de",
        "--insured",
    )
    assert code == 0 and "label: Lamp -> Desk lamp" in out
    item = json.loads(run(capsys, "list", "--config", config, "--json")[1])[0]
    assert (item["label"], item["order_id"], item["destination"]["country"]) == (
        "Desk lamp",
        "81",
        "DE",
    )
    assert item["protection_ends"] == "2026-12-01" and item["ordered_at"] == "2026-10-01"
    assert run(capsys, "edit", "--config", config, "RR123456785CN")[0] == 2  # nothing to change
    run(capsys, "archive", "--config", config, "RR123456785CN")
    assert json.loads(run(capsys, "list", "--config", config, "--json")[1]) == []
    assert run(capsys, "unarchive", "--config", config, "RR123456785CN")[0] == 0
    assert len(json.loads(run(capsys, "list", "--config", config, "--json")[1])) == 1
    code, out, _ = run(capsys, "remove", "--config", config, "RR123456785CN")
    assert code == 0 and "--yes" in out
    assert len(json.loads(run(capsys, "list", "--config", config, "--json")[1])) == 1
    code, out, _ = run(capsys, "remove", "--config", config, "RR123456785CN", "--yes")
    assert code == 0
    kept = Path(out.rsplit(" in ", 1)[1].strip())
    assert json.loads(kept.read_text())["label"] == "Desk lamp"
    assert json.loads(run(capsys, "list", "--config", config, "--all", "--json")[1]) == []


def test_remove_refuses_a_parcel_the_config_declares(config: str, capsys) -> None:
    run(capsys, "check", "--config", config, "--no-poll")
    code, _, err = run(capsys, "remove", "--config", config, NUMBER, "--yes")
    assert code == 2 and "declared in" in err


# 18. Help with an example for every command; completion; man pages.
def test_every_command_has_help_with_an_example(capsys) -> None:
    from tests.cli.test_cli import EVERY_COMMAND

    for argv in EVERY_COMMAND:
        path = [a for a in argv if a not in ("X", "P", "bash", "--out")]
        code, out, _ = run(capsys, *path, "--help")
        assert code == 0 and "Examples:" in out and f"watcher {path[0]}" in out, path


def test_completion_scripts(capsys) -> None:
    for shell, marker in (("bash", "complete"), ("zsh", "compdef"), ("fish", "complete")):
        code, out, _ = run(capsys, "completion", shell)
        assert code == 0 and marker in out and "_WATCHER_COMPLETE" in out


def test_a_man_page_for_every_command(tmp_path: Path, capsys) -> None:
    from tests.cli.test_cli import EVERY_COMMAND

    assert run(capsys, "man", "--out", str(tmp_path))[0] == 0
    pages = {p.name for p in tmp_path.glob("*.1")}
    for argv in EVERY_COMMAND:
        path = [a for a in argv if a not in ("X", "P", "bash", "--out")]
        assert f"watcher-{'-'.join(path)}.1" in pages
    text = (tmp_path / "watcher-add.1").read_text()
    assert (
        text.startswith('.TH "WATCHER-ADD" "1"')
        and ".SH EXAMPLES" in text
        and "\\-\\-label" in text
    )


def test_bad_option_value_is_one_line_exit_2(config: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["list", "--config", config, "--limit", "0"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "--limit: not a positive" in err


# 8 is in tests/notify/test_backlog.py; the quick start in tests/cli/test_quickstart.py.
def test_recording_notifier_keeps_severities() -> None:
    notifier = RecordingNotifier()
    notifier.send("default", "t", "b", severity="critical")
    assert notifier.severities == ["critical"]


def test_a_narrow_by_column_keeps_the_date_and_drops_the_phrase(monkeypatch) -> None:
    from watcher.cli import renderer

    # Piped (no width): the whole value, for scripts.
    piped = renderer.table_lines(
        (renderer.Column("BY", soft_cut=" ("),), [["28 Nov (tomorrow)"]], header=False
    )
    assert piped == ["28 Nov (tomorrow)"]
    monkeypatch.setattr(renderer, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("NO_COLOR", "1")
    columns = (renderer.Column("BY", max_width=24, flex=True, min_width=6, soft_cut=" ("),)
    rows = [["28 Nov (tomorrow)"], ["-"]]
    lines = renderer.table_lines(columns, rows, widths=[6], header=False)
    assert [line.rstrip() for line in lines] == ["28 Nov", "-"]


# A long first poll shows how far it got, on a terminal only.
def test_check_shows_poll_progress_on_a_terminal(config: str, capsys, monkeypatch) -> None:
    from watcher.cli import alerts

    code, _, err = run(capsys, "check", "--config", config, "--now", LATE)
    assert code == 0 and "numbers asked" not in err  # not a terminal: nothing on stderr
    monkeypatch.setattr(alerts, "is_terminal", lambda stream=None: True)
    code, _, err = run(capsys, "check", "--config", config, "--now", LATE)
    assert code == 0
    assert "checking 1 parcel…" in err and "1/1 numbers asked" in err
    assert err.endswith("\r\033[K")  # the line is cleared before the alerts are printed
