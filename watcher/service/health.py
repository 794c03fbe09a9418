"""`watcher providers`: every known provider, what works and what is blind, and its quota."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from watcher.domain.errors import ProviderError
from watcher.store import provider_states

if TYPE_CHECKING:
    from watcher.service.app import App

_LOGGER = logging.getLogger(__name__)


def configured_providers(app: App) -> list[str]:
    """Providers named in settings: tables, defaults, and per-shipment lists."""
    names = dict.fromkeys([*app.settings.providers, *app.settings.default_providers])
    for shipment in app.settings.shipments:
        names.update(dict.fromkeys(shipment.providers or ()))
    return list(names)


async def refresh_quotas(app: App) -> None:
    """Ask providers that report a quota (17TRACK) for it and store the figures."""
    for name in configured_providers(app):
        provider = app.providers.get(name)
        quota = getattr(provider, "quota", None)
        if quota is None or getattr(getattr(provider, "config", None), "api_key", None) is None:
            continue
        try:
            figures = await quota()
        except ProviderError as exc:
            _LOGGER.warning("provider %s: quota unavailable: %s", name, exc.detail)
            continue
        with app.sessions.begin() as session:
            provider_states.provider_state(session, name).quota = figures
    await app.aclose_providers()


def provider_listing(app: App) -> list[dict[str, Any]]:
    """`watcher providers`: one row per known provider (configured or not), last success/error, pause, quota."""
    from watcher.domain.timefmt import iso
    from watcher.providers.registry import available_providers

    now = app.clock.now()
    configured = configured_providers(app)
    with app.sessions() as session:
        states = {state.name: state for state in provider_states.provider_states(session)}
    rows = []
    for name in dict.fromkeys([*configured, *available_providers()]):
        state = states.get(name)
        rows.append(
            {
                "name": name,
                "configured": name in configured,
                "last_success_at": iso(state.last_success_at) if state else None,
                "last_error_at": iso(state.last_error_at) if state else None,
                "last_error": state.last_error if state else None,
                "consecutive_failures": state.consecutive_failures if state else 0,
                "failing_since": iso(state.failing_since) if state else None,
                "paused": bool(state and state.paused_until and state.paused_until > now),
                "paused_until": iso(state.paused_until) if state else None,
                "paused_reason": state.paused_reason if state else None,
                "quota": state.quota if state else None,
            }
        )
    return rows
