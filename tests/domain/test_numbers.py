"""Tracking-number normalization and the UPU S10 check digit."""

from __future__ import annotations

import pytest

from watcher.domain.errors import InputError
from watcher.domain.numbers import default_provider_for, normalize_tracking_number, s10_check_digit


def test_s10_worked_example() -> None:
    assert s10_check_digit("12345678") == 5
    assert normalize_tracking_number("RR123456785CN") == "RR123456785CN"


def test_s10_bad_check_digit_names_number_and_expected_digit() -> None:
    with pytest.raises(InputError, match=r"^RR123456784CN: bad S10 check digit \(expected 5\)$"):
        normalize_tracking_number("RR123456784CN")


@pytest.mark.parametrize(
    ("serial", "check"),
    # s = 0 and s = 44 give c = 11 -> 5; s = 12 gives c = 10 -> 0; s = 7 gives plain 4.
    [("00000000", 5), ("11111111", 5), ("10100000", 0), ("00000001", 4), ("12345678", 5)],
)
def test_s10_check_digit_special_cases(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


def test_s10_unknown_country() -> None:
    with pytest.raises(InputError, match="RR123456785ZZ: unknown S10 origin country code 'ZZ'"):
        normalize_tracking_number("RR123456785ZZ")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" rr 123 456 785 cn ", "RR123456785CN"),
        ("lp00123456789012", "LP00123456789012"),
        ("CAINIAO0123456789", "CAINIAO0123456789"),
        ("AEL123456789", "AEL123456789"),
        ("00340434292135100186", "00340434292135100186"),
        ("JD-0142", "JD-0142"),
    ],
)
def test_normalizes_valid_numbers(raw: str, expected: str) -> None:
    assert normalize_tracking_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty tracking number"),
        ("   ", "empty tracking number"),
        ("AB#123456", "invalid character '#'"),
        ("ABC12", "expected 6-40 characters"),
        ("A" * 41, "expected 6-40 characters"),
        ("LP0012345678901", "14 digits after LP"),
    ],
)
def test_rejects_invalid_numbers(raw: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as info:
        normalize_tracking_number(raw)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("number", "provider"),
    [
        ("LP00123456789012", "cainiao"),
        ("CAINIAO0123456789", "cainiao"),
        ("AEL123456789", "cainiao"),
        ("AE0012345678", "cainiao"),
        ("RR123456785CN", None),
        ("00340434292135100186", None),
    ],
)
def test_default_provider_for(number: str, provider: str | None) -> None:
    assert default_provider_for(number) == provider
