"""Persistence: engine and migrations (db), schema (tables), queries and commands (repo)."""
