"""`watcher serve`: server-rendered pages and a JSON API over the same store as the CLI."""
