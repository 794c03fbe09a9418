"""Secrets from systemd credentials ($CREDENTIALS_DIRECTORY), below the environment, above the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from watcher.config import load_settings
from watcher.config.credentials import parse_value, read_credentials
from watcher.domain.errors import ConfigError


@pytest.fixture
def creds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "credentials"
    directory.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(directory))
    return directory


def test_named_credentials_and_a_loaded_directory_both_work(creds: Path) -> None:
    (creds / "watcher.providers.17track.api_key").write_text("key-one\n")
    (creds / "watcher_notify.urls").write_text("json://a/\n\njson://b/\n")
    (creds / "watcher_database_url").write_text("sqlite:////tmp/x.db")
    (creds / "other-service-secret").write_text("not ours")
    assert read_credentials(creds) == {
        "providers": {"17track": {"api_key": "key-one"}},
        "notify": {"urls": ["json://a/", "json://b/"]},
        "database_url": "sqlite:////tmp/x.db",
    }


def test_credentials_beat_the_file_and_lose_to_the_environment(
    creds: Path, make_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config(
        '[providers.17track]\napi_key = "from-file"\nbase_url = "https://api.example"\n'
    )
    (creds / "watcher.providers.17track.api_key").write_text("from-credential\n")
    settings = load_settings(config)
    assert settings.providers["17track"] == {
        "api_key": "from-credential",
        "base_url": "https://api.example",
    }
    monkeypatch.setenv("WATCHER_PROVIDERS__17TRACK__API_KEY", "from-env")
    assert load_settings(config).providers["17track"]["api_key"] == "from-env"


def test_a_bad_credential_is_reported_by_its_key(creds: Path, make_config: Any) -> None:
    (creds / "watcher.database_url").write_text("[not a url")
    (creds / "watcher.polling.tick_seconds").write_text("s3cr3t-nonsense")
    with pytest.raises(ConfigError) as info:
        load_settings(make_config(database=False))
    assert "polling.tick_seconds" in str(info.value)


@pytest.mark.parametrize(
    ("keys", "text", "expected"),
    [
        (("x",), "plain\n", "plain"),
        (("x",), '["a", "b"]', ["a", "b"]),
        (("notify", "urls"), "u1\nu2\n", ["u1", "u2"]),
        (("x",), "[broken", "[broken"),
    ],
)
def test_parse_value(keys: tuple[str, ...], text: str, expected: object) -> None:
    assert parse_value(keys, text) == expected
