"""The 17TRACK provider: its adapter (`adapter`) and its status tables (`statuses`)."""

from watcher.providers.seventeentrack.adapter import SeventeenTrackProvider

__all__ = ["SeventeenTrackProvider"]
