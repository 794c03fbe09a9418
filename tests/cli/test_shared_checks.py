"""The checks the CLI shares with the web: the date window, marketplaces, providers. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from watcher.config.choices import check_marketplace, check_providers
from watcher.domain.errors import InputError
from watcher.domain.userinput import country_code, parse_day, parse_protection, parse_when

NOW = datetime(2026, 11, 11, 12, tzinfo=UTC)


def test_days_and_instants_keep_to_the_window() -> None:
    assert parse_day("2026-12-01", "ordered_at", NOW) == date(2026, 12, 1)
    assert parse_day("", "ordered_at", NOW) is None
    for bad in ("1900-01-01", "2999-01-01"):
        with pytest.raises(InputError, match=f"ordered_at: {bad} is not between 2000-01-01"):
            parse_day(bad, "ordered_at", NOW)
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_when("2026-11-10", "at", NOW, berlin) == datetime(2026, 11, 9, 23, tzinfo=UTC)
    with pytest.raises(InputError, match="at: 1900-01-01 is not between"):
        parse_when("1900-01-01", "at", NOW, berlin)
    with pytest.raises(InputError, match="protection_ends: "):
        parse_protection("9999 days left", date(2026, 11, 11), NOW)


def test_unknown_marketplace_and_provider_are_refused_with_the_field_name() -> None:
    with pytest.raises(InputError, match="marketplace: unknown marketplace profile 'nowhere'"):
        check_marketplace({}, "nowhere", "marketplace")
    with pytest.raises(InputError, match="--marketplace: unknown marketplace profile"):
        check_marketplace({}, "nowhere")
    with pytest.raises(InputError, match="providers: unknown provider 'nope'"):
        check_providers(["nope"], "providers")
    with pytest.raises(InputError, match="providers: expected a list"):
        check_providers("17track", "providers")


def test_country_codes() -> None:
    assert country_code(" de ") == "DE" and country_code("") == ""
    with pytest.raises(InputError, match="--country: expected a two-letter country code"):
        country_code("Germany")
