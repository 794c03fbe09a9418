"""Helpers shared by tests; tests import these, never a conftest or another test module."""
