"""Settings: file + environment, and one-line errors that name the file and the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watcher.config import find_config_file, load_settings
from watcher.domain.errors import ConfigError

SHIPMENT = """
[[shipments]]
tracking_number = "lp 0012 3456 7890 12"
label = "USB hub"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
destination = { country = "de", city = "Berlin" }
"""


def test_loads_shipments_and_normalizes_numbers(make_config) -> None:
    settings = load_settings(make_config(SHIPMENT))
    shipment = settings.shipments[0]
    assert shipment.tracking_number == "LP00123456789012"
    assert shipment.ordered_at == date(2026, 10, 1)
    assert shipment.destination.country == "DE"
    assert shipment.marketplace == "aliexpress"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("bogus = 1\n", "bogus: unknown key"),
        ("[polling]\ntick_seconds = 'often'\n", "polling.tick_seconds:"),
        (
            '[[shipments]]\ntracking_number = "LP00123456789012"\nordered_at = "2026-13-01"\n',
            "shipments[0].ordered_at:",
        ),
        ('[[shipments]]\nlabel = "x"\n', "shipments[0].tracking_number: required key is missing"),
        (
            '[[shipments]]\ntracking_number = "LP00123456789012"\ncolour = "red"\n',
            "shipments[0].colour: unknown key",
        ),
        (
            '[[shipments]]\ntracking_number = "LP00123456789012"\nproviders = ["nope"]\n',
            "shipments[0].providers[0]: unknown provider 'nope'",
        ),
        ("[providers.nope]\napi_key = 'x'\n", "providers.nope: unknown provider"),
        ("[providers.replay]\npath = 'r'\ntimeout = -1\n", "providers.replay.timeout:"),
        ('[[shipments]]\ntracking_number = "RR123456784CN"\n', "shipments[0].tracking_number:"),
        ("timezone = 'Mars/Olympus'\n", "timezone: unknown time zone"),
    ],
)
def test_bad_config_names_file_and_key(make_config, body: str, expected: str) -> None:
    path = make_config(body)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_toml_syntax_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "watcher.toml"
    path.write_text("[[shipments]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_settings(path)
    assert str(info.value).startswith(str(path))


def test_environment_overrides_file(make_config, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_config("[polling]\ntick_seconds = 30\n")
    monkeypatch.setenv("WATCHER_POLLING__TICK_SECONDS", "5")
    monkeypatch.setenv("WATCHER_TIMEZONE", "Europe/Berlin")
    settings = load_settings(path)
    assert settings.polling.tick_seconds == 5
    assert settings.timezone == "Europe/Berlin"


def test_secret_from_environment_is_not_printed(
    make_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHER_DATABASE_URL", "postgresql://u:hunter2@localhost/db")
    settings = load_settings(make_config(database=False))
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value().endswith("/db")
    assert "hunter2" not in repr(settings)


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config_file() is None
    user = tmp_path / "home" / "watcher"
    user.mkdir(parents=True)
    (user / "watcher.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    assert find_config_file() == user / "watcher.toml"
    (tmp_path / "watcher.toml").write_text("", encoding="utf-8")
    assert find_config_file() == tmp_path / "watcher.toml"
    explicit = tmp_path / "other.toml"
    explicit.write_text("", encoding="utf-8")
    monkeypatch.setenv("WATCHER_CONFIG", str(explicit))
    assert find_config_file() == explicit
    with pytest.raises(ConfigError, match="config file not found"):
        find_config_file(tmp_path / "missing.toml")


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "watcher.example.toml"
    settings = load_settings(example)
    # The example documents a [[shipments]] entry, commented out: a first `check` must not store it.
    assert not settings.shipments
    assert "# [[shipments]]" in example.read_text(encoding="utf-8")
