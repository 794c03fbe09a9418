"""watcher: follows marketplace parcels and says what to do when a delivery goes wrong."""

__version__ = "0.1.0"
__all__ = ["__version__"]
