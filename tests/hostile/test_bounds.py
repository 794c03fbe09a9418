"""Bounds at every edge: dates, instants and numbers from the config and the command line."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kits.common import T0
from watcher.cli.main import main
from watcher.config import PollingConfig, ServiceConfig, load_settings
from watcher.domain.bounds import EARLIEST, date_in_window, instant_in_window
from watcher.domain.clock import SystemClock
from watcher.domain.errors import ConfigError

NUMBER = "LP00123456789012"
HYPO = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("watcher: error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, err)


@given(day=st.dates())
@HYPO
def test_config_dates_outside_the_window_are_one_line_errors(make_config, day: date) -> None:
    path = make_config(f'[[shipments]]\ntracking_number = "{NUMBER}"\nordered_at = {day}\n')
    if date_in_window(day, SystemClock().now()):
        assert load_settings(path).shipments[0].ordered_at == day
    else:
        with pytest.raises(ConfigError, match=r"shipments\[0\]\.ordered_at: .* is not between"):
            load_settings(path)


@pytest.mark.parametrize("flag", ["--ordered-at", "--protection-ends"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_add_refuses_dates_outside_the_window(capsys, make_config, flag: str, value: str) -> None:
    config = str(make_config())
    code, _, err = run(capsys, "add", NUMBER, "--config", config, flag, value)
    assert code == 2
    one_line_error(err, flag, value, "is not between")
    assert run(capsys, "list", "--config", config)[1].count(NUMBER) == 0


@pytest.mark.parametrize(
    "value", ["", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "1970-01-01"]
)
@pytest.mark.parametrize("command", ["received", "not-received", "archive"])
def test_at_must_be_a_sane_instant(capsys, make_config, command: str, value: str) -> None:
    config = str(make_config())
    assert run(capsys, "add", NUMBER, "--config", config)[0] == 0
    code, out, err = run(capsys, command, NUMBER, "--config", config, "--at", value)
    assert code == 2 and out == ""
    one_line_error(err, "--at")


@pytest.mark.parametrize("value", ["", "9999-12-31T00:00:00Z", "0001-01-01"])
def test_now_must_be_a_sane_instant(capsys, make_config, value: str) -> None:
    code, _, err = run(capsys, "check", "--config", str(make_config()), "--now", value)
    assert code == 2
    one_line_error(err, "--now")


@given(moment=st.datetimes(timezones=st.timezones()))
@settings(max_examples=300, deadline=None)
def test_instant_window_never_raises(moment) -> None:
    inside = instant_in_window(moment, T0)
    if inside:
        assert EARLIEST <= moment <= T0 + timedelta(days=731)


@pytest.mark.parametrize(
    "body",
    [
        "[polling]\ninterval_hours = 1e300\n",
        "[polling]\ntick_seconds = inf\n",
        "[polling]\ntick_seconds = nan\n",
        f"[polling]\nmax_shipments_per_cycle = {2**70}\n",
        "[polling]\nmax_backoff_hours = 1e20\n",
        "[service]\nstall_seconds = inf\n",
        "[notify]\nretry_max_hours = 1e308\n",
        "[providers.aftership]\ntimeout = inf\n",
        "[providers.aftership]\ntotal_timeout = 1e300\n",
        f"[providers.aftership]\nbatch_size = {2**70}\n",
    ],
)
def test_absurd_numbers_are_one_line_errors(capsys, make_config, body: str) -> None:
    code, _, err = run(capsys, "config", "check", "--config", str(make_config(body)))
    assert code == 2
    key = body.split("\n")[1].split(" =")[0]
    one_line_error(err, key)


NUMERIC = [
    (model, name)
    for model in (PollingConfig, ServiceConfig)
    for name, field in model.model_fields.items()
    if field.annotation in (int, float)
]


@pytest.mark.parametrize(("model", "name"), NUMERIC)
@given(value=st.one_of(st.floats(), st.integers(min_value=-(2**80), max_value=2**80)))
@settings(max_examples=40, deadline=None)
def test_every_accepted_number_is_usable(model, name: str, value: float) -> None:
    """Whatever the model accepts converts to a timedelta and fits a 64-bit database column."""
    from pydantic import ValidationError

    try:
        config = model(**{name: value})
    except ValidationError:
        return
    accepted = getattr(config, name)
    assert math.isfinite(accepted) and abs(accepted) < 2**63
    timedelta(hours=accepted)  # would raise OverflowError for a number that slipped through


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--limit", str(2**70)],
        ["alerts", "--days", str(10**20)],
        ["alerts", "--days", "-5"],
        ["notifications", "--limit", str(2**64)],
        ["add", NUMBER, "--max-delivery-days", str(2**70)],
    ],
)
def test_huge_command_line_numbers_are_refused(capsys, make_config, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--config", str(make_config())])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("between" in err or "at most" in err or "range" in err)
