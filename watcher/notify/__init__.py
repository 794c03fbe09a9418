"""Notifications: routing (pure), the outbox (database), the dispatcher, messages and the apprise transport."""
