"""Printable reports: the evidence report as self-contained HTML and JSON, and its PDF print.

Rendering only: the data comes ready from `watcher/service/evidence.py`; nothing here reads the
store or the clock.
"""
