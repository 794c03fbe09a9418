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


# ----------------------------------------------------------------- issue 15: places and regions

SUMMER = datetime(2023, 7, 1, 12, 0)  # DST in the northern hemisphere


@pytest.mark.parametrize(
    ("kw", "zone"),
    [
        ({"location": "HENDERSON, NV, US"}, "America/Los_Angeles"),
        ({"country": "US", "region": "NV"}, "America/Los_Angeles"),
        ({"country": "USA", "region": "Nevada"}, "America/Los_Angeles"),
        ({"location": "Las Vegas, Nevada, United States"}, "America/Los_Angeles"),
        ({"location": "HENDERSON NV 89011", "country": "US"}, "America/Los_Angeles"),
        ({"location": "Phoenix, AZ, USA"}, "America/Phoenix"),
        ({"location": "CHICAGO IL GATEWAY, IL, US"}, "America/Chicago"),
        ({"location": "Denver, CO, US"}, "America/Denver"),
        ({"location": "Anchorage, AK, US"}, "America/Anchorage"),
        ({"location": "Honolulu, HI, US"}, "Pacific/Honolulu"),
        ({"location": "Miami, FL, US"}, "America/New_York"),
        ({"location": "Vancouver, BC, CA"}, "America/Vancouver"),
        ({"location": "Calgary, Alberta, Canada"}, "America/Edmonton"),
        ({"location": "Halifax, NS, CAN"}, "America/Halifax"),
        ({"location": "Manaus, AM, BR"}, "America/Manaus"),
        ({"location": "Curitiba - PR, Brasil"}, "America/Sao_Paulo"),
        ({"location": "Novosibirsk, Russia"}, "Asia/Novosibirsk"),
        ({"location": "VLADIVOSTOK SORTING CENTER, RU"}, "Asia/Vladivostok"),
        ({"country": "RUS", "location": "Kaliningrad"}, "Europe/Kaliningrad"),
        ({"location": "Perth, WA, Australia"}, "Australia/Perth"),
        ({"location": "Brisbane QLD, AU"}, "Australia/Brisbane"),
        ({"location": "Tijuana, Baja California, MX"}, "America/Tijuana"),
        ({"location": "Cancun, Quintana Roo, Mexico"}, "America/Cancun"),
        ({"country": "DEU"}, "Europe/Berlin"),
        ({"country": "Germany"}, "Europe/Berlin"),
        ({"country": "Deutschland"}, "Europe/Berlin"),
        ({"location": "Kyiv, Україна"}, "Europe/Kyiv"),
        ({"location": "Mainland China"}, "Asia/Shanghai"),
        ({"country": "gbr"}, "Europe/London"),
    ],
)
def test_places_resolve_by_region_and_any_country_spelling(kw: dict[str, str], zone: str) -> None:
    got, why = resolve_time(event(SUMMER, **kw))
    assert got == SUMMER.replace(tzinfo=_zone(zone)).astimezone(UTC)
    assert why is not None and why.startswith(zone)


def test_us_state_code_inside_a_sentence_is_not_a_state() -> None:
    # "IN" (Indiana) inside a sentence must not move an event to Indianapolis.
    _, why = resolve_time(event(SUMMER, location="SORTING CENTER IN MEMPHIS, TN, US"))
    assert why == "America/Chicago (from location country US, region)"


def test_multi_zone_country_without_region_records_the_guess() -> None:
    _, why = resolve_time(event(SUMMER, country="AU"))
    assert why == "Australia/Sydney (from country AU; region unknown, most populous zone)"


@pytest.mark.parametrize(
    ("kw", "context", "zone", "reason"),
    [
        ({"home_country": "DE"}, {}, "Europe/Berlin", "provider's home country DE"),
        (
            {},
            {"origin": "CN", "destination": "DE", "side": "origin"},
            "Asia/Shanghai",
            "shipment origin CN",
        ),
        (
            {},
            {"origin": "CN", "destination": "DE", "side": "destination"},
            "Europe/Berlin",
            "shipment destination DE",
        ),
        ({}, {"origin": "CN", "destination": "DE"}, "Europe/Berlin", "shipment destination DE"),
        ({}, {"origin": "CN", "side": "destination"}, None, None),
        # The place beats the provider's home, which beats the shipment.
        (
            {"location": "Paris, FR", "home_country": "DE"},
            {"destination": "GB"},
            "Europe/Paris",
            "from location country FR",
        ),
        (
            {"home_country": "DE"},
            {"destination": "GB"},
            "Europe/Berlin",
            "provider's home country DE",
        ),
    ],
)
def test_events_without_a_place(kw: dict, context: dict, zone: str | None, reason: str) -> None:
    got, why = resolve_time(event(SUMMER, **kw), **context)
    if zone is None:
        assert why == "UTC (unknown zone)"
        return
    assert got == SUMMER.replace(tzinfo=_zone(zone)).astimezone(UTC)
    assert why == f"{zone} ({reason})"


def test_every_region_zone_exists() -> None:
    from watcher.timeline.zone_tables import REGION_ZONES

    assert {"US", "CA", "BR", "RU", "AU", "MX"} <= REGION_ZONES.keys()
    missing = [z for table in REGION_ZONES.values() for z in table.values() if _zone(z) is None]
    assert missing == []
    us_states = {k for k in REGION_ZONES["US"] if len(k) == 2}
    assert len(us_states) >= 51  # 50 states and DC (and Puerto Rico)


def test_normalize_event_places_a_placeless_delivery_at_the_destination() -> None:
    from watcher.domain.models import Status
    from watcher.timeline.normalize import normalize_event

    delivered = ProviderEvent(time=SUMMER, description="Delivered", status=Status.DELIVERED)
    accepted = ProviderEvent(time=SUMMER, description="Label", status=Status.INFO_RECEIVED)
    assert normalize_event(delivered, origin="CN", destination="US").tz_assumption == (
        "America/New_York (shipment destination US)"
    )
    assert normalize_event(accepted, origin="CN", destination="US").tz_assumption == (
        "Asia/Shanghai (shipment origin CN)"
    )
