"""Persistence: engine (db), schema (tables), one module per aggregate, leases (claims), readers."""
