"""Packaging: every package directory ships, and the demo data ships with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "watcher").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    missing = found - listed
    assert not missing, f"add these packages to [tool.setuptools] packages: {sorted(missing)}"
    assert {"watcher._demo", "watcher._demo.replay"} <= listed


def test_demo_data_is_mapped_into_the_package() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert (ROOT / setuptools["package-dir"]["watcher._demo"] / "watcher.toml").is_file()
    assert any((ROOT / setuptools["package-dir"]["watcher._demo.replay"]).glob("*.json"))


def test_fast_head_check_agrees_with_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from watcher.store.db import MIGRATIONS_DIR, script_head

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert script_head() == ScriptDirectory.from_config(config).get_current_head()
