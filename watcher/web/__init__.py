"""The web side of watcher: `watcher serve` pages, the JSON API and provider webhooks (Starlette)."""
