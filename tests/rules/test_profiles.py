"""Profiles: built-in defaults, user overrides, per-shipment values and config errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from watcher.config import Settings
from watcher.domain.errors import ConfigError
from watcher.domain.models import ShipmentView
from watcher.rules import (
    BUILTIN_PROFILES,
    Profile,
    deadline_for,
    resolve_profile,
    validate_profiles,
)


def _settings(profiles: dict, marketplaces: tuple[str, ...] = ()) -> Settings:
    shipments = [
        {"tracking_number": f"LP0000000000000{i}", "marketplace": m}
        for i, m in enumerate(marketplaces)
    ]
    return Settings(profiles=profiles, shipments=shipments)


def _validate(settings: Settings, where: str) -> None:
    """`validate_profiles` as config loading calls it."""
    validate_profiles(settings.profiles, [s.marketplace for s in settings.shipments], where)


def test_aliexpress_is_built_in_with_60_days() -> None:
    assert BUILTIN_PROFILES["aliexpress"].max_delivery_days == 60


def test_user_table_overrides_only_its_keys() -> None:
    profile = resolve_profile({"aliexpress": {"customs_days": 5}}, "aliexpress")
    assert profile.customs_days == 5
    assert profile.max_delivery_days == 60


def test_new_profile_starts_from_aliexpress_defaults() -> None:
    profile = resolve_profile({"temu": {"max_delivery_days": 30}}, "temu")
    assert profile.max_delivery_days == 30
    assert profile.last_mile_days == Profile().last_mile_days


def test_shipment_max_delivery_days_beats_profile() -> None:
    shipment = ShipmentView("LP00000000000001", max_delivery_days=20)
    assert (
        resolve_profile(
            {"aliexpress": {"max_delivery_days": 45}}, "aliexpress", shipment
        ).max_delivery_days
        == 20
    )


def test_unknown_marketplace_falls_back_to_defaults() -> None:
    assert resolve_profile({}, "nowhere") == BUILTIN_PROFILES["aliexpress"]


@pytest.mark.parametrize(
    ("profiles", "message"),
    [
        (
            {"aliexpress": {"stall_days": 3}},
            "watcher.toml: profiles.aliexpress.stall_days: unknown key",
        ),
        (
            {"aliexpress": {"customs_days": 0}},
            "watcher.toml: profiles.aliexpress.customs_days: Input should be greater than 0",
        ),
        (
            {"temu": {"max_delivery_days": "soon"}},
            "watcher.toml: profiles.temu.max_delivery_days: Input should be a valid integer",
        ),
        (
            {"aliexpress": {"not_shipped_days": 30}},
            "watcher.toml: profiles.aliexpress: not_shipped_dispute_days must be >= not_shipped_days",
        ),
        (
            {"aliexpress": {"fast_delivery_days": {"DE": -1}}},
            "watcher.toml: profiles.aliexpress: fast_delivery_days values must be >= 0",
        ),
    ],
)
def test_bad_profile_tables_name_file_and_key(profiles: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _validate(_settings(profiles), "watcher.toml")
    assert str(caught.value).startswith(message)


def test_unknown_marketplace_in_shipments_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        _validate(_settings({"temu": {}}, ("aliexpress", "ebay")), "watcher.toml")
    assert str(caught.value) == (
        "watcher.toml: shipments[1].marketplace: unknown marketplace profile 'ebay' (known: aliexpress, temu)"
    )


def test_valid_profiles_pass() -> None:
    _validate(
        _settings({"temu": {"max_delivery_days": 30}}, ("temu", "aliexpress")), "watcher.toml"
    )


def test_documented_snippet_matches_the_defaults() -> None:
    """docs/alerts.md and the example config list every key with its default: document new keys."""
    root = Path(__file__).resolve().parents[2]
    for doc in (root / "docs" / "alerts.md", root / "config" / "watcher.example.toml"):
        text = doc.read_text()
        for key, value in Profile().model_dump().items():
            rendered = _toml(value)
            assert f"# {key} = {rendered}" in text, f"{doc.name}: {key} = {rendered} missing"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    return str(value)


@pytest.mark.parametrize(
    ("shipment", "expected"),
    [
        (
            ShipmentView(
                "LP00000000000001", protection_ends=date(2026, 11, 5), ordered_at=date(2026, 10, 1)
            ),
            date(2026, 11, 5),
        ),
        (ShipmentView("LP00000000000001", ordered_at=date(2026, 10, 1)), date(2026, 11, 30)),
        (
            ShipmentView("LP00000000000001", ordered_at=date(2026, 10, 1), max_delivery_days=30),
            date(2026, 10, 31),
        ),
        # Without an order date: when watcher first saw it, minus the assumed 3-day lag.
        (
            ShipmentView("LP00000000000001", created_at=datetime(2026, 10, 4, 9, tzinfo=UTC)),
            date(2026, 11, 30),
        ),
        (ShipmentView("LP00000000000001"), None),
    ],
)
def test_deadline_for(shipment: ShipmentView, expected: date | None) -> None:
    profile = resolve_profile({}, "aliexpress", shipment)
    assert deadline_for(shipment, profile) == expected


def test_deadline_without_order_date_can_be_switched_off() -> None:
    shipment = ShipmentView("LP00000000000001", created_at=datetime(2026, 10, 4, tzinfo=UTC))
    profile = resolve_profile({"aliexpress": {"deadline_without_order_date": "none"}}, "aliexpress")
    assert deadline_for(shipment, profile) is None


def test_deadline_extra_days() -> None:
    shipment = ShipmentView("LP00000000000001", ordered_at=date(2026, 10, 1))
    profile = resolve_profile({"x": {"deadline_extra_days": 5}}, "x")
    assert deadline_for(shipment, profile) == date(2026, 12, 5)


def test_pickup_holds_reject_a_malformed_period() -> None:
    with pytest.raises(
        ConfigError, match=r"pickup_holds.US: expected 'N days' or 'N working days'"
    ):
        _validate(_settings({"aliexpress": {"pickup_holds": {"US": "two weeks"}}}), "watcher.toml")
