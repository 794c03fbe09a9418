"""What people paste and type: numbers in tracking links, "N days left", urgency order. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from watcher.domain.errors import InputError
from watcher.web.forms import number_from_input, parse_protection
from watcher.web.views import ParcelLine, sort_by_urgency


@pytest.mark.parametrize(
    ("pasted", "number"),
    [
        (" rr123456785cn ", "RR123456785CN"),
        ("https://t.17track.net/en#nums=RR123456785CN", "RR123456785CN"),
        ("https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012", "LP00123456789012"),
        ("https://parcelsapp.com/en/tracking/RR123456785CN", "RR123456785CN"),
        (
            "https://www.dhl.com/de-en/home/tracking/tracking-parcel.html?submit=1&tracking-id=00340434161234567890",
            "00340434161234567890",
        ),
        (
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000000",
            "9400111899223100000000",
        ),
        ("www.example.com/track?order=AB12&trackingNumber=LP00123456789012", "LP00123456789012"),
    ],
)
def test_numbers_from_links(pasted: str, number: str) -> None:
    assert number_from_input(pasted) == number


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("https://example.com/tracking/index.html", "no tracking number found in this address"),
        ("RR123456789CN", "RR123456789CN: bad S10 check digit"),
        ("", "empty tracking number"),
    ],
)
def test_bad_input_says_why(pasted: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        number_from_input(pasted)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-20", date(2026, 12, 20)),
        ("12", date(2026, 11, 23)),
        ("12 days left", date(2026, 11, 23)),
        ("1 day", date(2026, 11, 12)),
        ("", None),
    ],
)
def test_protection_end_as_date_or_days_left(text: str, day: date | None) -> None:
    assert parse_protection(text, date(2026, 11, 11)) == day


def test_protection_nonsense_is_refused() -> None:
    with pytest.raises(InputError, match="protection_ends: a date"):
        parse_protection("next week", date(2026, 11, 11))


def line(number: str, **kw: object) -> ParcelLine:
    values: dict[str, object] = {
        "tracking_number": number,
        "label": None,
        "status": "in_transit",
        "substatus": None,
        "last_event_at": None,
        "action": None,
        "act_by": None,
        "severity": None,
        "message": None,
        "alerts": 0,
        "received": False,
        "archived": False,
    }
    values.update(kw)
    return ParcelLine(**values)  # type: ignore[arg-type]


def test_most_urgent_first() -> None:
    lines = [
        line("A-DELIVERED", status="delivered"),
        line("B-RECEIVED", received=True, severity="critical", act_by=date(2026, 11, 12)),
        line("C-WARN-LATE", severity="warning", act_by=date(2026, 12, 1)),
        line("D-WARN-SOON", severity="warning", act_by=date(2026, 11, 15)),
        line("E-CRIT", severity="critical", act_by=date(2026, 12, 30)),
        line("F-PICKUP", status="available_for_pickup"),
        line("G-TRANSIT"),
        line("H-ARCHIVED", archived=True),
    ]
    order = [x.tracking_number for x in sort_by_urgency(lines)]
    assert order == [
        "E-CRIT",
        "D-WARN-SOON",
        "C-WARN-LATE",
        "F-PICKUP",
        "G-TRANSIT",
        "A-DELIVERED",
        "B-RECEIVED",
        "H-ARCHIVED",
    ]
