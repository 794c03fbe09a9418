"""Webhook signatures: known values, and every tampering refused."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from watcher.web.signatures import (
    aftership_signature,
    check_aftership,
    check_seventeentrack,
    seventeentrack_signature,
)

BODY = b'{"event":"TRACKING_UPDATED","data":{"number":"LP00123456789012"}}'


def test_17track_signature_is_sha256_of_body_slash_key() -> None:
    expected = hashlib.sha256(BODY + b"/KEY").hexdigest()
    assert seventeentrack_signature(BODY, "KEY") == expected
    assert check_seventeentrack(BODY, expected, "KEY")
    assert check_seventeentrack(BODY, expected.upper(), "KEY"), "hex case does not matter"
    assert not check_seventeentrack(BODY, expected, "OTHER")
    assert not check_seventeentrack(BODY, None, "KEY")
    assert not check_seventeentrack(BODY, expected, ""), "no key configured: nothing passes"


def test_aftership_signature_known_value() -> None:
    # base64(HMAC-SHA256(key="secret", msg="hello")), computed independently.
    assert aftership_signature(b"hello", "secret") == "iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs="
    assert check_aftership(b"hello", "iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=", "secret")
    assert not check_aftership(b"hello!", "iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=", "secret")
    assert not check_aftership(b"hello", "ünïcode", "secret")


@given(body=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=199))
def test_any_changed_byte_fails_both_checks(body: bytes, flip: int) -> None:
    sign17, sign_as = seventeentrack_signature(body, "k"), aftership_signature(body, "s")
    assert check_seventeentrack(body, sign17, "k") and check_aftership(body, sign_as, "s")
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]
        assert not check_seventeentrack(changed, sign17, "k")
        assert not check_aftership(changed, sign_as, "s")
