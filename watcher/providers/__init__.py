"""Tracking-provider adapters: the registry, the HTTP base, rate limiting, retries, one package per carrier."""
