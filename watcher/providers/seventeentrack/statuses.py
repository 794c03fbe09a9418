"""17TRACK's status codes mapped to watcher's `(Status, substatus)` (see providers.statuses)."""

from __future__ import annotations

from watcher.domain.models import Status
from watcher.providers.statuses import Mapped

#: 17TRACK `status` (main status), used when the sub-status is missing or unknown.
STATUS_MAP: dict[str, Mapped] = {
    "NotFound": (Status.PENDING, None),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit": (Status.IN_TRANSIT, None),
    # 17TRACK's own "no news for a long time" verdict: a strong stall signal, kept as substatus.
    "Expired": (Status.IN_TRANSIT, "in_transit.expired"),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (Status.ATTEMPT_FAILED, None),
    "Delivered": (Status.DELIVERED, None),
    "Exception": (Status.EXCEPTION, None),
}

#: 17TRACK `sub_status` (latest status and per event).
SUBSTATUS_MAP: dict[str, Mapped] = {
    "NotFound_Other": (Status.PENDING, None),
    "NotFound_InvalidCode": (Status.PENDING, "pending.invalid_number"),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit_PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "InTransit_Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "InTransit_Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "InTransit_CustomsProcessing": (Status.CUSTOMS, "customs.processing"),
    "InTransit_CustomsReleased": (Status.IN_TRANSIT, "customs.released"),
    "InTransit_CustomsRequiringInformation": (Status.CUSTOMS, "customs.information_required"),
    "InTransit_Other": (Status.IN_TRANSIT, None),
    "Expired_Other": (Status.IN_TRANSIT, "in_transit.expired"),
    "AvailableForPickup_Other": (Status.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery_Other": (Status.OUT_FOR_DELIVERY, None),
    "DeliveryFailure_Other": (Status.ATTEMPT_FAILED, None),
    "DeliveryFailure_NoBody": (Status.ATTEMPT_FAILED, "attempt.nobody_home"),
    "DeliveryFailure_Security": (Status.ATTEMPT_FAILED, "attempt.security"),
    "DeliveryFailure_Rejected": (Status.ATTEMPT_FAILED, "attempt.refused"),
    "DeliveryFailure_InvalidAddress": (Status.ATTEMPT_FAILED, "attempt.bad_address"),
    "Delivered_Other": (Status.DELIVERED, None),
    "Exception_Other": (Status.EXCEPTION, None),
    "Exception_Returning": (Status.RETURNING, None),
    "Exception_Returned": (Status.RETURNED, None),
    "Exception_NoBody": (Status.EXCEPTION, "exception.nobody_home"),
    "Exception_Security": (Status.EXCEPTION, "exception.security"),
    "Exception_Damage": (Status.EXCEPTION, "exception.damaged"),
    "Exception_Rejected": (Status.EXCEPTION, "exception.refused"),
    "Exception_Delayed": (Status.EXCEPTION, "exception.delayed"),
    "Exception_Lost": (Status.EXCEPTION, "exception.lost"),
    "Exception_Destroyed": (Status.EXCEPTION, "exception.destroyed"),
    "Exception_Cancel": (Status.EXCEPTION, "exception.cancelled"),
}

#: 17TRACK event `stage` (often the only code an event carries: no `sub_status`).
STAGE_MAP: dict[str, Mapped] = {
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (Status.ATTEMPT_FAILED, None),
    "Delivered": (Status.DELIVERED, None),
    "Returning": (Status.RETURNING, None),
    "Returned": (Status.RETURNED, None),
    "Exception": (Status.EXCEPTION, None),
}

#: Every table above by the name `lookup` logs it under (documentation and entry-by-entry tests).
TABLES: dict[str, dict[str, Mapped]] = {
    "status": STATUS_MAP,
    "sub_status": SUBSTATUS_MAP,
    "stage": STAGE_MAP,
}
