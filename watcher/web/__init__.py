"""The web side of watcher: pages, the JSON API and provider webhooks (Starlette)."""
