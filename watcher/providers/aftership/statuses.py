"""AfterShip's status codes mapped to watcher's `(Status, substatus)` (see providers.statuses)."""

from __future__ import annotations

from watcher.domain.models import Status
from watcher.providers.statuses import Mapped

#: AfterShip `tag`, used when the subtag is missing or unknown.
TAG_MAP: dict[str, Mapped] = {
    "Pending": (Status.PENDING, None),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit": (Status.IN_TRANSIT, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "AttemptFail": (Status.ATTEMPT_FAILED, None),
    "Delivered": (Status.DELIVERED, None),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "Exception": (Status.EXCEPTION, None),
    "Expired": (Status.IN_TRANSIT, "in_transit.expired"),
}

#: AfterShip `subtag` (documented "Delivery Sub-statuses" enum).
SUBTAG_MAP: dict[str, Mapped] = {
    "Pending_001": (Status.PENDING, None),
    "Pending_002": (Status.PENDING, None),
    "Pending_003": (Status.PENDING, None),
    "Pending_004": (Status.PENDING, None),
    "Pending_005": (Status.PENDING, None),
    "Pending_006": (Status.PENDING, None),
    "InfoReceived_001": (Status.INFO_RECEIVED, None),
    "InTransit_001": (Status.IN_TRANSIT, None),
    "InTransit_002": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "InTransit_003": (Status.IN_TRANSIT, "in_transit.arrived"),
    "InTransit_004": (Status.IN_TRANSIT, "in_transit.arrived_destination_country"),
    "InTransit_005": (Status.IN_TRANSIT, "customs.released"),
    "InTransit_006": (Status.CUSTOMS, "customs.processing"),
    "InTransit_007": (Status.IN_TRANSIT, "in_transit.departed"),
    "InTransit_008": (Status.IN_TRANSIT, "in_transit.problem_resolved"),
    "InTransit_009": (Status.IN_TRANSIT, "in_transit.forwarded"),
    "OutForDelivery_001": (Status.OUT_FOR_DELIVERY, None),
    "OutForDelivery_002": (Status.OUT_FOR_DELIVERY, None),
    "OutForDelivery_003": (Status.OUT_FOR_DELIVERY, None),
    "OutForDelivery_004": (Status.OUT_FOR_DELIVERY, None),
    "AttemptFail_001": (Status.ATTEMPT_FAILED, None),
    "AttemptFail_002": (Status.ATTEMPT_FAILED, None),
    "AttemptFail_003": (Status.ATTEMPT_FAILED, None),
    "Delivered_001": (Status.DELIVERED, None),
    "Delivered_002": (Status.DELIVERED, "delivered.picked_up"),
    "Delivered_003": (Status.DELIVERED, "delivered.signed"),
    "Delivered_004": (Status.DELIVERED, "delivered.cash_on_delivery"),
    "Delivered_005": (Status.DELIVERED, "delivered.neighbour"),
    "AvailableForPickup_001": (Status.AVAILABLE_FOR_PICKUP, None),
    "Exception_001": (Status.EXCEPTION, None),
    "Exception_002": (Status.EXCEPTION, "exception.recipient_moved"),
    "Exception_003": (Status.EXCEPTION, "exception.refused"),
    "Exception_004": (Status.CUSTOMS, "customs.held"),
    "Exception_005": (Status.EXCEPTION, "exception.delayed"),
    "Exception_006": (Status.CUSTOMS, "customs.payment_required"),
    "Exception_007": (Status.EXCEPTION, "exception.bad_address"),
    "Exception_008": (Status.EXCEPTION, "exception.pickup_missed"),
    "Exception_009": (Status.EXCEPTION, "exception.rejected_by_carrier"),
    "Exception_010": (Status.RETURNING, None),
    "Exception_011": (Status.RETURNED, None),
    "Exception_012": (Status.EXCEPTION, "exception.damaged"),
    "Exception_013": (Status.EXCEPTION, "exception.lost"),
    "Exception_016": (Status.EXCEPTION, "exception.delayed"),
    "Exception_017": (Status.EXCEPTION, "exception.delayed_weather"),
    "Exception_018": (Status.EXCEPTION, "exception.documents_missing"),
    "Expired_001": (Status.IN_TRANSIT, "in_transit.expired"),
}

#: Every table above by the name `lookup` logs it under (documentation and entry-by-entry tests).
TABLES: dict[str, dict[str, Mapped]] = {"tag": TAG_MAP, "subtag": SUBTAG_MAP}
