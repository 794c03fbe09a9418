"""Webhook signature checks: pure functions of the raw body, the header and the secret.

Both compare in constant time on bytes, before the body is parsed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def seventeentrack_signature(body: bytes, api_key: str) -> str:
    """17TRACK's `sign` header: hex SHA-256 of the raw body, "/", and the API key."""
    return hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()


def check_seventeentrack(body: bytes, header: str | None, api_key: str) -> bool:
    """True when `header` is 17TRACK's signature of `body` (hex compared case-insensitively)."""
    if not header or not api_key:
        return False
    expected = seventeentrack_signature(body, api_key).encode()
    return hmac.compare_digest(expected, header.strip().lower().encode("ascii", "replace"))


def aftership_signature(body: bytes, secret: str) -> str:
    """AfterShip's `aftership-hmac-sha256` header: base64 HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_aftership(body: bytes, header: str | None, secret: str) -> bool:
    """True when `header` is AfterShip's signature of `body`."""
    if not header or not secret:
        return False
    expected = aftership_signature(body, secret).encode()
    return hmac.compare_digest(expected, header.strip().encode("ascii", "replace"))
