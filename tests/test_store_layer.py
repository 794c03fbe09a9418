"""The store's place in the layers: it stores ready rows and knows no domain logic."""

from __future__ import annotations

import ast
from pathlib import Path

import watcher.store

#: What the store must not import (type-only imports included): it gets normalized events and
#: plain shipment facts from its callers.
FORBIDDEN = (
    "watcher.timeline",
    "watcher.rules",
    "watcher.config",
    "watcher.service",
    "watcher.cli",
)


def test_store_imports_no_domain_logic() -> None:
    for path in sorted(Path(watcher.store.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not [n for n in names if n.startswith(FORBIDDEN)], f"{path.name} imports {names}"


def test_no_repo_module_left() -> None:
    """The old catch-all `repo.py` was split per aggregate; nothing re-exports it."""
    assert not (Path(watcher.store.__file__).parent / "repo.py").exists()
