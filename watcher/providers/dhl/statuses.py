"""DHL's status codes mapped to watcher's `(Status, substatus)` (see providers.statuses)."""

from __future__ import annotations

from watcher.domain.models import Status
from watcher.providers.statuses import Mapped

#: DHL unified tracking `statusCode` (per event and per shipment).
STATUS_MAP: dict[str, Mapped] = {
    "pre-transit": (Status.INFO_RECEIVED, None),
    # "transit" covers customs, pickup points and returns alike: the description decides.
    "transit": (None, None),
    "delivered": (Status.DELIVERED, None),
    # A failure always needs attention, even when the text is not recognised.
    "failure": (Status.EXCEPTION, None),
    "unknown": (None, None),
}

#: Every table above by the name `lookup` logs it under (documentation and entry-by-entry tests).
TABLES: dict[str, dict[str, Mapped]] = {"statusCode": STATUS_MAP}
