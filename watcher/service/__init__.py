"""Service: the composition root, the poll/evaluate/dispatch cycle, the daemon and operations."""
