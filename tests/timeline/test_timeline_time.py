"""resolve_time: offsets win, then the provider's zone, the country, the location, else UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from watcher.domain.models import ProviderEvent
from watcher.timeline.zones import COUNTRY_ZONES, _zone, resolve_time

NAIVE = datetime(2026, 10, 12, 14, 20)  # CEST in Europe, UTC+8 in China
WINTER = datetime(2026, 12, 12, 14, 20)


def event(time: datetime, **kw: str) -> ProviderEvent:
    return ProviderEvent(time=time, description="x", **kw)


@pytest.mark.parametrize(
    ("ev", "utc", "assumption"),
    [
        (
            event(NAIVE.replace(tzinfo=timezone(timedelta(hours=2)))),
            datetime(2026, 10, 12, 12, 20, tzinfo=UTC),
            None,
        ),
        (
            event(NAIVE, tz_hint="Asia/Shanghai", country="DE"),
            datetime(2026, 10, 12, 6, 20, tzinfo=UTC),
            "Asia/Shanghai (provider convention)",
        ),
        (
            event(NAIVE, country="DE"),
            datetime(2026, 10, 12, 12, 20, tzinfo=UTC),
            "Europe/Berlin (from country DE)",
        ),
        (
            event(WINTER, country="de"),
            datetime(2026, 12, 12, 13, 20, tzinfo=UTC),
            "Europe/Berlin (from country DE)",
        ),
        (
            event(NAIVE, country="US"),
            datetime(2026, 10, 12, 18, 20, tzinfo=UTC),
            "America/New_York (from country US; region unknown, most populous zone)",
        ),
        (
            event(NAIVE, tz_hint="Not/AZone", country="CN"),
            datetime(2026, 10, 12, 6, 20, tzinfo=UTC),
            "Asia/Shanghai (from country CN)",
        ),
        (
            event(NAIVE, location="Frankfurt, DE"),
            datetime(2026, 10, 12, 12, 20, tzinfo=UTC),
            "Europe/Berlin (from location country DE)",
        ),
        (
            event(NAIVE, location="SHENZHEN, CHINA"),
            datetime(2026, 10, 12, 6, 20, tzinfo=UTC),
            "Asia/Shanghai (from location country CN)",
        ),
        (
            event(WINTER, location="London Heathrow, United Kingdom"),
            datetime(2026, 12, 12, 14, 20, tzinfo=UTC),
            "Europe/London (from location country GB)",
        ),
        (
            event(NAIVE, location="Sorting centre 4"),
            datetime(2026, 10, 12, 14, 20, tzinfo=UTC),
            "UTC (unknown zone)",
        ),
        (
            event(NAIVE, country="XX", location="Hub, ZZ"),
            datetime(2026, 10, 12, 14, 20, tzinfo=UTC),
            "UTC (unknown zone)",
        ),
    ],
)
def test_resolve_time(ev: ProviderEvent, utc: datetime, assumption: str | None) -> None:
    got, why = resolve_time(ev)
    assert got == utc and got.tzinfo is UTC
    assert why == assumption


def test_country_table_covers_the_usual_countries_with_real_zones() -> None:
    assert len(COUNTRY_ZONES) >= 40
    assert {
        "CN",
        "DE",
        "US",
        "FR",
        "ES",
        "IT",
        "NL",
        "PL",
        "RU",
        "BR",
        "GB",
    } <= COUNTRY_ZONES.keys()
    assert [cc for cc, zone in COUNTRY_ZONES.items() if _zone(zone) is None] == []
