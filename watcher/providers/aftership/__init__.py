"""The AfterShip provider: its adapter (`adapter`) and its status tables (`statuses`)."""

from watcher.providers.aftership.adapter import AfterShipProvider

__all__ = ["AfterShipProvider"]
