"""The DHL provider: its adapter (`adapter`) and its status tables (`statuses`)."""

from watcher.providers.dhl.adapter import DhlProvider

__all__ = ["DhlProvider"]
