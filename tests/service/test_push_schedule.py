"""Push-aware polling: parcels whose providers all push are polled only as a safety net."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.kits.common import T0
from watcher.config import PollingConfig, PushConfig, Settings
from watcher.domain.models import Status
from watcher.service.schedule import next_poll_at, push_providers, push_safety_net, pushed_at

PUSH = PushConfig(safety_net_hours=24, trust_days=14)
POLLING = PollingConfig()


@pytest.mark.parametrize(
    ("status", "pushed", "expected_hours"),
    [
        (Status.IN_TRANSIT, None, 6),  # no push: the adaptive interval
        (Status.IN_TRANSIT, T0 - timedelta(hours=1), 24),  # pushed: the safety net
        (Status.OUT_FOR_DELIVERY, T0 - timedelta(days=2), 24),  # even on the last mile
        (Status.IN_TRANSIT, T0 - timedelta(days=15), 6),  # pushes went quiet: polling is back
    ],
)
def test_next_poll_at_with_pushes(status: Status, pushed, expected_hours: float) -> None:
    got = next_poll_at(T0, status=status, polling=POLLING, pushed_at=pushed, push=PUSH)
    assert got == T0 + timedelta(hours=expected_hours)


def test_safety_net_never_shortens_and_keeps_polling_over() -> None:
    later = T0 + timedelta(days=3)
    assert push_safety_net(T0, later, pushed_at=T0, push=PUSH) == later
    assert push_safety_net(T0, None, pushed_at=T0, push=PUSH) is None
    received = T0 - timedelta(days=1)
    # A received parcel's grace-period polls are not pushed out.
    assert next_poll_at(
        T0, status=Status.DELIVERED, polling=POLLING, received_at=received, pushed_at=T0, push=PUSH
    ) == T0 + timedelta(hours=6)


def _settings(**extra) -> Settings:
    return Settings(providers={"17track": {"api_key": "k"}, "cainiao": {}}, **extra)


def test_push_providers_follow_the_setup() -> None:
    assert push_providers(Settings()) == frozenset()
    assert push_providers(_settings()) == {"17track"}
    assert push_providers(_settings(push={"aftership_secret": "s"})) == {"17track", "aftership"}


def test_parcel_also_asked_of_a_provider_that_cannot_push_keeps_polling() -> None:
    settings = _settings()
    row = SimpleNamespace(tracking_number="LP00123456789012", last_push_at=T0, providers=None)
    row.providers = ["17track"]
    assert pushed_at(row, settings) == T0
    row.providers = ["17track", "cainiao"]
    assert pushed_at(row, settings) is None, "Cainiao's news must not wait for the safety net"
    row.providers, row.last_push_at = ["17track"], None
    assert pushed_at(row, settings) is None
