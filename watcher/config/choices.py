"""Choices checked the same way by the CLI and the web: provider names and marketplace profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watcher.domain.errors import ConfigError, InputError


def check_providers(names: Iterable[str] | Any, what: str = "--provider") -> None:
    """Refuse a provider no adapter answers to (and anything but a list of names)."""
    from watcher.providers.registry import available_providers

    if isinstance(names, str | bytes) or not isinstance(names, Iterable):
        raise InputError(f"{what}: expected a list of provider names")
    known = available_providers()
    for name in names:
        if name not in known:
            shown = name[:40] if isinstance(name, str) else name
            raise InputError(f"{what}: unknown provider {shown!r} (known: {', '.join(known)})")


def check_marketplace(profiles: Any, marketplace: Any, what: str = "--marketplace") -> None:
    """Refuse a marketplace without a rules profile, as the config file does."""
    from watcher.rules.profiles import known_profiles, resolve_profile

    if not isinstance(marketplace, str):
        raise InputError(f"{what}: expected a marketplace name, not {type(marketplace).__name__}")
    known = known_profiles(profiles)
    if marketplace not in known:
        raise InputError(
            f"{what}: unknown marketplace profile {marketplace[:40]!r} (known: {', '.join(known)})"
        )
    try:
        resolve_profile(profiles, marketplace)
    except (KeyError, ValueError, ConfigError) as exc:
        raise InputError(f"{what}: {exc}") from None
