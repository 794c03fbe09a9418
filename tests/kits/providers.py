"""Helpers for adapter tests: JSON fixtures on disk and providers that never wait."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from watcher.providers.base import HttpProvider
from watcher.providers.ratelimit import RateLimiter

FIXTURES = Path(__file__).resolve().parents[1] / "providers" / "fixtures"
SECRET = "sk-test-DO-NOT-LEAK-123"


def load(provider: str, name: str) -> Any:
    """A JSON fixture from tests/providers/fixtures/<provider>/<name>.json."""
    return json.loads((FIXTURES / provider / f"{name}.json").read_text(encoding="utf-8"))


def make(cls: type[HttpProvider], **config: Any) -> Any:
    """An adapter whose rate limiters never wait (limiter behaviour is tested on its own)."""
    provider = cls(cls.config_model(**config))
    provider.limiter = RateLimiter(name=provider.name)
    if hasattr(provider, "limiters"):
        provider.limiters = {}
    return provider
