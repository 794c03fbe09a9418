"""The Cainiao provider: its adapter (`adapter`) and its status tables (`statuses`)."""

from watcher.providers.cainiao.adapter import CainiaoProvider

__all__ = ["CainiaoProvider"]
