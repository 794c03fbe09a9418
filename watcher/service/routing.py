"""Which providers are asked about a shipment. Pure: reads only the row and the settings."""

from __future__ import annotations

from typing import Any

from watcher.config import Settings
from watcher.domain.numbers import default_provider_for


def providers_for(row: Any, settings: Settings) -> list[str]:
    """The adapters to ask for a shipment, in order, without those switched off (`enabled = false`)."""
    if row.providers:
        names = list(row.providers)
    else:
        preferred = default_provider_for(row.tracking_number)
        names = list(settings.default_providers)
        if preferred and preferred not in names and preferred in settings.providers:
            names.insert(0, preferred)
    return [
        name for name in names if settings.providers.get(name, {}).get("enabled", True) is not False
    ]
