"""Every provider's status vocabulary mapped to watcher's, in one place.

Each table maps a provider code to `(Status, substatus)`. A `Status` of None is a deliberate
"too vague to say": the timeline's text classifier decides from the description. Codes missing
from a table are unknown: `lookup` maps them to `(None, None)` and logs each one once.

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


# --- 17TRACK ---------------------------------------------------------------------------------

#: 17TRACK `status` (main status), used when the sub-status is missing or unknown.
SEVENTEENTRACK_STATUS_MAP: dict[str, Mapped] = {
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
SEVENTEENTRACK_SUBSTATUS_MAP: dict[str, Mapped] = {
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

# --- AfterShip -------------------------------------------------------------------------------

#: AfterShip `tag`, used when the subtag is missing or unknown.
AFTERSHIP_TAG_MAP: dict[str, Mapped] = {
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
AFTERSHIP_SUBTAG_MAP: dict[str, Mapped] = {
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

# --- Cainiao ---------------------------------------------------------------------------------

#: Cainiao `actionCode` (per event; the most stable field Cainiao gives).
CAINIAO_ACTION_MAP: dict[str, Mapped] = {
    # Seller / warehouse side: announced, not yet with a carrier.
    "CONSIGN": (Status.INFO_RECEIVED, None),
    "OM_CONSIGN": (Status.INFO_RECEIVED, None),
    "GTMS_ASN": (Status.INFO_RECEIVED, None),
    "LAST_MILE_ASN_NOTIFY": (Status.INFO_RECEIVED, None),
    "GWMS_ACCEPT": (Status.INFO_RECEIVED, None),
    "GWMS_PICK": (Status.INFO_RECEIVED, None),
    "GWMS_PACKAGE": (Status.INFO_RECEIVED, None),
    "GWMS_OUTBOUND": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "GWMS_HANDOVER": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "GWMS_EXCEPTION": (Status.EXCEPTION, None),
    "GWMS_CANCEL": (Status.EXCEPTION, "exception.cancelled"),
    "PU_PICKUP_SUCCESS": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "PU_SIGN_IN_SUCCESS": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "CW_INBOUND": (Status.IN_TRANSIT, "in_transit.arrived"),
    "CW_OUTBOUND": (Status.IN_TRANSIT, "in_transit.departed"),
    # Origin sorting centre.
    "SC_INBOUND_SUCCESS": (Status.IN_TRANSIT, "in_transit.arrived"),
    "SC_OUTBOUND_SUCCESS": (Status.IN_TRANSIT, "in_transit.departed"),
    "SC_HO_OUT_SUCCESS": (Status.IN_TRANSIT, "in_transit.departed"),
    # Export customs: origin side, not the customs step owners worry about.
    "CC_EX_START": (Status.IN_TRANSIT, "customs.export"),
    "CC_EX_SUCCESS": (Status.IN_TRANSIT, "customs.export"),
    "CC_EX_FAILURE": (Status.EXCEPTION, "customs.export_failed"),
    # Line haul / flights / transit hubs.
    "LH_HO_IN_SUCCESS": (Status.IN_TRANSIT, None),
    "LH_HO_AIRLINE": (Status.IN_TRANSIT, None),
    "LH_DEPART": (Status.IN_TRANSIT, "in_transit.departed"),
    "LH_ARRIVE": (Status.IN_TRANSIT, "in_transit.arrived_destination_country"),
    "LH_HO_OUT_SUCCESS": (Status.IN_TRANSIT, None),
    "LH_OTHER": (Status.IN_TRANSIT, None),
    "TD_TRANS_ARRIVE": (Status.IN_TRANSIT, "in_transit.arrived"),
    "TD_TRANS_DEPART": (Status.IN_TRANSIT, "in_transit.departed"),
    "CC_TRANS_START": (Status.IN_TRANSIT, None),
    "CC_TRANS_SUCCESS": (Status.IN_TRANSIT, None),
    # Import customs.
    "CC_IM_START": (Status.CUSTOMS, "customs.processing"),
    "CC_IM_PROCESS": (Status.CUSTOMS, "customs.processing"),
    "CC_IM_SUCCESS": (Status.IN_TRANSIT, "customs.released"),
    "CC_IM_FAILURE": (Status.CUSTOMS, "customs.held"),
    "CC_HO_IN_SUCCESS": (Status.CUSTOMS, "customs.processing"),
    "CC_HO_OUT_SUCCESS": (Status.IN_TRANSIT, "customs.released"),
    "CUS_DECLARE": (Status.CUSTOMS, "customs.processing"),
    "CUS_SUCCESS": (Status.IN_TRANSIT, "customs.released"),
    "CUS_FAILURE": (Status.CUSTOMS, "customs.held"),
    "CUS_TAX": (Status.CUSTOMS, "customs.payment_required"),
    # Destination carrier (last mile).
    "GTMS_ACCEPT": (Status.IN_TRANSIT, "in_transit.handed_to_last_mile"),
    "GTMS_SC_ARRIVE": (Status.IN_TRANSIT, "in_transit.arrived"),
    "GTMS_DO_ARRIVE": (Status.IN_TRANSIT, "in_transit.arrived"),
    # Observed: "left the delivery office" is how Cainiao reports the van leaving.
    "GTMS_DO_DEPART": (Status.OUT_FOR_DELIVERY, None),
    "GTMS_STATION_IN": (Status.IN_TRANSIT, "in_transit.arrived"),
    "GTMS_STATION_OUT": (Status.IN_TRANSIT, "in_transit.departed"),
    "GTMS_DELIVERING": (Status.OUT_FOR_DELIVERY, None),
    "GTMS_RE_DELIVERING": (Status.OUT_FOR_DELIVERY, None),
    "GTMS_DEL_FAILURE": (Status.ATTEMPT_FAILED, None),
    "GTMS_SIGN_FAILURE": (Status.ATTEMPT_FAILED, None),
    "GTMS_FAILURE": (Status.EXCEPTION, None),
    "GTMS_WAIT_SELF_PICK": (Status.AVAILABLE_FOR_PICKUP, None),
    "GSTA_INBOUND": (Status.AVAILABLE_FOR_PICKUP, None),
    "GTMS_SIGNED": (Status.DELIVERED, None),
    "GTMS_STA_SIGNED": (Status.DELIVERED, "delivered.picked_up"),
    "GSTA_SIGN": (Status.DELIVERED, "delivered.picked_up"),
    "GSTA_BUYER_SIGN": (Status.DELIVERED, "delivered.picked_up"),
    "SIGNED": (Status.DELIVERED, None),
    "GTMS_STA_WAIT_CUST_CHANGE_ADDRESS": (Status.EXCEPTION, "exception.bad_address"),
    # Returns.
    "RT_INBOUND": (Status.RETURNING, None),
    "RT_OUTBOUND": (Status.RETURNING, None),
    "RT_WH_INBOUND": (Status.RETURNING, None),
    "RT_TMS_ACCEPT": (Status.RETURNING, None),
    "RETURNED": (Status.RETURNED, None),
    "RT_DESTROY": (Status.EXCEPTION, "exception.destroyed"),
    "RT_WH_DESTROY": (Status.EXCEPTION, "exception.destroyed"),
    # Known but vague: the description decides.
    "GTMS_OTHER": (None, None),
    "GSTA_OTHER": (None, None),
    "COMMON_INTRANSIT": (None, None),
}

# --- DHL -------------------------------------------------------------------------------------

#: DHL unified tracking `statusCode` (per event and per shipment).
DHL_STATUS_MAP: dict[str, Mapped] = {
    "pre-transit": (Status.INFO_RECEIVED, None),
    # "transit" covers customs, pickup points and returns alike: the description decides.
    "transit": (None, None),
    "delivered": (Status.DELIVERED, None),
    # A failure always needs attention, even when the text is not recognised.
    "failure": (Status.EXCEPTION, None),
    "unknown": (None, None),
}

#: Every table by name, for documentation and the entry-by-entry tests.
ALL_TABLES: dict[str, dict[str, Mapped]] = {
    "17track.status": SEVENTEENTRACK_STATUS_MAP,
    "17track.sub_status": SEVENTEENTRACK_SUBSTATUS_MAP,
    "aftership.tag": AFTERSHIP_TAG_MAP,
    "aftership.subtag": AFTERSHIP_SUBTAG_MAP,
    "cainiao.actionCode": CAINIAO_ACTION_MAP,
    "dhl.statusCode": DHL_STATUS_MAP,
}
