"""Helpers shared across layers: the tests' fixed instant and replay-provider files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def write_replay(directory: Path, number: str, events: list[dict[str, Any]]) -> Path:
    """Write `<directory>/<number>.json` in the replay provider's format."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{number}.json"
    path.write_text(json.dumps({"events": events}), encoding="utf-8")
    return path
