"""The README quick start works on a fresh account (a new HOME, no ~/.local/bin, no network)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


def test_quick_start_runs_with_a_fresh_home(tmp_path: Path) -> None:
    pipx_block, venv_block = quick_start_blocks()
    assert "pipx install ." in pipx_block and "mkdir -p ~/.local/bin" in venv_block
    home = tmp_path / "home"
    home.mkdir()
    # The venv step, with the checkout's own interpreter instead of a network install: a venv
    # that sees this environment's packages, and watcher installed from the checkout.
    venv = home / ".local/share/watcher-venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    # This environment's packages (the dependencies) and the checkout, as an install would give.
    paths = [p for p in sys.path if p.endswith("site-packages")] + [str(ROOT)]
    (site / "watcher-checkout.pth").write_text("\n".join(paths) + "\n")
    script = venv / "bin/watcher"
    script.write_text(
        f"#!{venv}/bin/python\nfrom watcher.cli.main import main\nraise SystemExit(main())\n"
    )
    script.chmod(0o755)
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "LP00123456789012.json").write_text(
        '{"events": [{"time": "2026-10-02T08:00:00+08:00", "description": "Accepted by carrier"}]}'
    )
    env = {
        "HOME": str(home),
        "PATH": f"{home}/.local/bin:/usr/bin:/bin",
        "NO_COLOR": "1",
        # Never the internet: the replay provider stands in for cainiao.
        "WATCHER_DEFAULT_PROVIDERS": '["replay"]',
        "WATCHER_PROVIDERS__REPLAY__PATH": str(replay),
    }
    link = venv_block.splitlines()[1].replace("~", str(home))
    steps = [link, *pipx_block.splitlines()[1:]]
    for line in steps:
        command = line.split("  #", 1)[0].strip()
        if not command or command.startswith(("watcher run", "pipx")):
            continue  # the daemon runs forever; pipx needs the network
        done = subprocess.run(
            ["bash", "-c", command.replace("~", str(home))],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{command}: {done.stderr}"
        assert "Traceback" not in done.stderr
    listing = subprocess.run(
        ["bash", "-c", "watcher list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "LP00123456789012" in listing.stdout and "USB hub" in listing.stdout
    assert (home / ".local/state/watcher/watcher.db").exists()
