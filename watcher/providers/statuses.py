"""What every carrier's status table shares: the `Mapped` entry type and the `lookup` helper.

The tables live beside their adapters (`<carrier>/statuses.py`). Each maps a provider code to
`(Status, substatus)`. A `Status` of None is a deliberate "too vague to say": the timeline's
text classifier decides from the description. Codes missing from a table are unknown: `lookup`
maps them to `(None, None)` and logs each one once.

Substatus strings are `<area>.<detail>` and survive into alerts (lost, damaged and delayed
parcels need different advice), so extend them rather than rename them.
"""

from __future__ import annotations

import logging

from watcher.domain.models import Status

Mapped = tuple[Status | None, str | None]

_UNKNOWN_SEEN: set[tuple[str, str, str]] = set()


def lookup(provider: str, table_name: str, table: dict[str, Mapped], code: str | None) -> Mapped:
    """Map one provider code; unknown codes give (None, None) and are logged once per value."""
    if not code:
        return (None, None)
    if code in table:
        return table[code]
    key = (provider, table_name, code)
    if key not in _UNKNOWN_SEEN:
        _UNKNOWN_SEEN.add(key)
        logging.getLogger(f"watcher.providers.{provider}").warning(
            "unknown %s %r: left to the text classifier", table_name, code
        )
    return (None, None)


def reset_unknown_log() -> None:
    """Forget which unknown codes were logged (tests)."""
    _UNKNOWN_SEEN.clear()
