"""Domain: the status vocabulary, models, clock, errors and tracking numbers. Imports nothing of watcher."""
