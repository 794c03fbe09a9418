"""The container files (no Docker engine here: their structure is checked, not a build)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_structure() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"watcher", "postgres", "mqtt"}
    watcher = services["watcher"]
    assert "profiles" not in watcher  # always on; the others are optional
    assert services["postgres"]["profiles"] == ["postgres"]
    assert services["mqtt"]["profiles"] == ["mqtt"]
    assert watcher["healthcheck"]["test"] == ["CMD", "watcher", "status"]
    assert "watcher-state:/var/lib/watcher" in watcher["volumes"]
    # Published on the host's loopback only; the web password arrives as a credential file.
    assert all(port.startswith("127.0.0.1:") for port in watcher["ports"])
    assert watcher["secrets"][0]["target"] == "watcher.web.password_hash"
    assert watcher["environment"]["CREDENTIALS_DIRECTORY"] == "/run/secrets"
    for name in ("watcher-state", "postgres-data", "mosquitto-data"):
        assert name in compose["volumes"]
    assert compose["secrets"]["web_password_hash"]["file"].startswith("./secrets/")


def test_dockerfile_is_slim_non_root_with_a_healthcheck() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    assert "USER watcher" in lines
    assert lines.index("USER watcher") < lines.index('CMD ["watcher", "run"]')
    assert 'VOLUME ["/var/lib/watcher"]' in lines
    assert 'CMD ["watcher", "status"]' in lines
    assert any("WATCHER_WEB__ENABLED=true" in line for line in lines)
    assert (ROOT / ".dockerignore").is_file()


def test_container_environment_enables_the_web_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Dockerfile's variables are real settings: [web] enabled on 0.0.0.0:8750."""
    from watcher.config import load_settings

    monkeypatch.setenv("WATCHER_WEB__ENABLED", "true")
    monkeypatch.setenv("WATCHER_WEB__LISTEN", "0.0.0.0:8750")
    settings = load_settings(None, use_default_search=False)
    assert settings.web.enabled and settings.web.listen == "0.0.0.0:8750"


def test_credentials_directory_gives_the_password_hash(tmp_path: Path) -> None:
    """compose's secret lands as `watcher.web.password_hash` in $CREDENTIALS_DIRECTORY."""
    from watcher.config.credentials import read_credentials

    (tmp_path / "watcher.web.password_hash").write_text("scrypt$1$2$3$a$b\n", encoding="utf-8")
    assert read_credentials(tmp_path) == {"web": {"password_hash": "scrypt$1$2$3$a$b"}}
