"""The systemd units: parsed here everywhere, and checked by `systemd-analyze verify` where it exists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kits.daemon import REPO

UNITS = REPO / "systemd"
SYSTEM, USER = UNITS / "watcher.service", UNITS / "watcher-user.service"
HARDENING = (
    "NoNewPrivileges",
    "ProtectSystem",
    "PrivateTmp",
    "RestrictAddressFamilies",
    "SystemCallFilter",
    "LockPersonality",
    "RestrictNamespaces",
    "MemoryDenyWriteExecute",
)


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> values (systemd allows repeated keys), rejecting anything malformed."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = sections.setdefault(line[1:-1], {})
            continue
        match = re.fullmatch(r"([A-Za-z]+)=(.*)", line)
        assert match and current is not None, (
            f"{path.name}:{number}: not a key=value line in a section: {raw!r}"
        )
        current.setdefault(match[1], []).append(match[2])
    return sections


@pytest.mark.parametrize("path", [SYSTEM, USER], ids=lambda p: p.name)
def test_unit_is_a_hardened_notify_service_with_watchdog_and_reload(path: Path) -> None:
    unit = parse_unit(path)
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["Type"] == ["notify"]
    assert service["WatchdogSec"] and service["Restart"] == ["on-failure"]
    assert service["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert " run --config " in service["ExecStart"][0]
    assert service["LoadCredential"][0].startswith("watcher:")
    assert service["StateDirectory"] == ["watcher"] and service["ConfigurationDirectory"] == [
        "watcher"
    ]
    for key in HARDENING:
        assert key in service, f"{path.name}: {key} missing"
    families = service["RestrictAddressFamilies"][0].split()
    assert {"AF_INET", "AF_INET6", "AF_UNIX"} <= set(families), (
        "network, PostgreSQL and sd_notify need these"
    )


def test_system_unit_runs_as_its_own_user_with_the_system_locked_down() -> None:
    service = parse_unit(SYSTEM)["Service"]
    assert service["DynamicUser"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"] and service["ProtectHome"] == ["yes"]
    assert service["CapabilityBoundingSet"] == [""]
    assert "network-online.target" in parse_unit(SYSTEM)["Unit"]["After"][0]


def _verify(path: Path, exe: str, tmp_path: Path, *user: str) -> subprocess.CompletedProcess[str]:
    # verify checks that ExecStart's binary exists: point it at this test run's watcher.
    text = re.sub(r"(?m)^ExecStart=\S+", f"ExecStart={exe}", path.read_text())
    copy = tmp_path / path.name
    copy.write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_LEVEL="warning")
    return subprocess.run(
        ["systemd-analyze", *user, "verify", str(copy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze not installed (units parsed above)",
)
@pytest.mark.parametrize(
    ("path", "user"), [(SYSTEM, ()), (USER, ("--user",))], ids=["system", "user"]
)
def test_systemd_analyze_verify_passes(path: Path, user: tuple[str, ...], tmp_path: Path) -> None:
    exe = shutil.which("watcher") or str(Path(sys.executable).with_name("watcher"))
    result = _verify(path, exe, tmp_path, *user)
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if path.name in line or "Unknown" in line
    ]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_system_unit_exposure_is_low(tmp_path: Path) -> None:
    copy = tmp_path / SYSTEM.name
    copy.write_text(SYSTEM.read_text())
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match[1]) <= 2.0, result.stdout
