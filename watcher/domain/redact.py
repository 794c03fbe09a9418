"""The one redaction layer: every configured secret, and any URL userinfo, blanked out of text.

The settings register their secrets once loaded (`watcher/config/secrets.py`); everything that
leaves the process passes through `redact`: log records (a filter on the root logger and its
handlers), error texts before they are stored or truncated, alert and notification texts, and
all command output. Secrets are never removed from the registry: a reload only adds.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
#: Shorter values are not treated as secrets: blanking every "ab" would garble all output.
MIN_SECRET_LENGTH = 4
#: `scheme://user:password@host` and `scheme://token@host`: userinfo is always a secret.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/@'\"<>]+@")
#: Query parameters whose name says they carry a credential.
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:[a-z0-9_\-]*(?:key|token|secret|pass(?:word)?|auth|sig(?:nature)?)"
    r"[a-z0-9_\-]*)=)[^&\s'\"<>#]+"
)

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(values: Iterable[str | None]) -> None:
    """Add secret values (and their URL- and JSON-encoded forms) to the registry."""
    global _pattern
    added = set()
    for value in values:
        if not value or len(value) < MIN_SECRET_LENGTH:
            continue
        added |= {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    with _lock:
        if added <= _secrets:
            return
        _secrets.update(added)
        ordered = sorted(_secrets, key=len, reverse=True)  # the longest match wins
        _pattern = re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE)


def registered() -> frozenset[str]:
    """The registered secrets (tests and diagnostics)."""
    return frozenset(_secrets)


def clear() -> None:
    """Forget every registered secret (tests only)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def redact(text: str) -> str:
    """`text` without any registered secret, URL userinfo or credential query value."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    if "://" in text:
        text = _USERINFO.sub(rf"\g<1>{MASK}@", text)
    if "=" in text:
        text = _SECRET_QUERY.sub(rf"\g<1>{MASK}", text)
    return text


def redact_any(value: object) -> object:
    """`value` with every string inside it (dicts, lists, tuples) redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_any(k): redact_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_any(v) for v in value)
    return value


def truncate(text: str, limit: int) -> str:
    """Redact first, then cut to `limit` characters (cutting first could leave most of a key)."""
    clean = redact(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def describe_exception(exc: BaseException) -> str:
    """'OverflowError: date value out of range', redacted, for logs and stored errors."""
    return redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
