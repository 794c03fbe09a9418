"""Hand-over numbers: the token that validates, with the same validation as typed numbers."""

from __future__ import annotations

import pytest

from watcher.domain.errors import InputError
from watcher.domain.numbers import (
    carrier_for_number,
    follow_on_numbers_from_text,
    normalize_tracking_number,
    number_in_field,
    origin_country_of,
)


@pytest.mark.parametrize(
    ("field", "number"),
    [
        ("Latest Tracking Number:\tRC000000003EE", "RC000000003EE"),  # observed Cainiao realMailNo
        ("PostNL 3SDFC0123456789", "3SDFC0123456789"),
        ("RR123456785DE", "RR123456785DE"),
        (" rr 123 456 785 de ", "RR123456785DE"),
        ("LP00123456789012", "LP00123456789012"),
        ("Latest Tracking Number:", None),  # a label alone
        ("../../etc/passwd", None),  # path-like
        ("RR123456785DE/../x", "RR123456785DE"),  # only the valid token, never the raw field
        ("A" * 300 + "RR123456785DE", None),  # over-long
        ("TRACKING", None),  # a word is not a number
        ("", None),
        (None, None),
    ],
)
def test_number_in_field(field: str | None, number: str | None) -> None:
    assert number_in_field(field) == number


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("RR123456785DE\nRR123456785CN", "line break or tab"),
        ("RR1234\t56785DE", "line break or tab"),
        ("../x", "invalid character '.'"),
        ("x" * 201, "expected 6-40 characters"),
    ],
)
def test_typed_numbers_reject_newlines_paths_and_overlong_input(raw: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as info:
        normalize_tracking_number(raw)
    assert "\n" not in str(info.value)


def test_text_handover_needs_a_valid_number() -> None:
    assert follow_on_numbers_from_text("Handed over, new tracking number RR123456785DE") == (
        "RR123456785DE",
    )
    # S10-shaped but a bad check digit: free text is noisy, so it is not taken.
    assert follow_on_numbers_from_text("Handed over, new tracking number RR123456784DE") == ()


@pytest.mark.parametrize(
    ("number", "carrier", "origin"),
    [
        ("RR123456785DE", "Deutsche Post", "DE"),
        ("RC000000003EE", "Omniva", "EE"),
        ("LP00123456789012", "Cainiao", "CN"),
        ("RR123456785CN", "China Post", "CN"),
        ("00340434161094015902", None, None),
    ],
)
def test_carrier_and_origin_from_the_number(
    number: str, carrier: str | None, origin: str | None
) -> None:
    assert carrier_for_number(number) == carrier
    assert origin_country_of(number) == origin
