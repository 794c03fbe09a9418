"""The provider registry: built-in adapters plus the `watcher.providers` entry-point group.

A third-party package registers an adapter class under its provider name:

    [project.entry-points."watcher.providers"]
    myprovider = "my_package.module:MyProvider"

Built-ins win over entry points of the same name; any other duplicate is logged and skipped.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from watcher.domain.errors import ConfigError

GROUP = "watcher.providers"

_LOGGER = logging.getLogger(__name__)

#: Built-in adapters by provider name ("module:Class", imported on first use).
BUILTINS: dict[str, str] = {
    "replay": "watcher.providers.replay:ReplayProvider",
    "17track": "watcher.providers.seventeentrack:SeventeenTrackProvider",
    "aftership": "watcher.providers.aftership:AfterShipProvider",
    "cainiao": "watcher.providers.cainiao:CainiaoProvider",
    "dhl": "watcher.providers.dhl:DhlProvider",
}


def discover(extra: Iterable[EntryPoint] | None = None) -> dict[str, str]:
    """Every provider name mapped to its "module:Class" target (built-ins first)."""
    found = dict(BUILTINS)
    points = list(entry_points(group=GROUP)) if extra is None else list(extra)
    for point in points:
        if point.name not in found:
            found[point.name] = point.value
        elif found[point.name] != point.value:
            _LOGGER.warning(
                "provider %r from %s ignored: already provided by %s",
                point.name,
                point.value,
                found[point.name],
            )
    return found


def available_providers(extra: Iterable[EntryPoint] | None = None) -> list[str]:
    """Sorted names of every provider that can be configured."""
    return sorted(discover(extra))


def load_provider_class(name: str, extra: Iterable[EntryPoint] | None = None) -> type[Any]:
    """The adapter class registered as `name`; ConfigError when there is none or it is broken."""
    targets = discover(extra)
    target = targets.get(name)
    if target is None:
        raise ConfigError(f"unknown provider {name!r} (known: {', '.join(sorted(targets))})")
    module_name, _, attr = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"provider {name!r} cannot be loaded from {target}: {exc}") from None
    if not isinstance(obj, type):
        raise ConfigError(f"provider {name!r}: {target} is not a class")
    return obj


def provider_config(
    name: str, table: Mapping[str, Any] | None, extra: Iterable[EntryPoint] | None = None
) -> Any:
    """Validate a `[providers.NAME]` table with that adapter's config model (pydantic errors pass)."""
    cls = load_provider_class(name, extra)
    model = getattr(cls, "config_model", None)
    if model is None:
        from watcher.providers.base import ProviderConfig

        model = ProviderConfig
    return model.model_validate(dict(table or {}))
