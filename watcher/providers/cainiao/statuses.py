"""Cainiao's status codes mapped to watcher's `(Status, substatus)` (see providers.statuses)."""

from __future__ import annotations

from watcher.domain.models import Status
from watcher.providers.statuses import Mapped

#: Cainiao `actionCode` (per event; the most stable field Cainiao gives).
ACTION_MAP: dict[str, Mapped] = {
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
    # Observed as "Departed from customs" in the export-customs group (AE_GROUP_EX_CLEARING_CUSTOMS):
    # an origin-side step, not import clearance.
    "CC_HO_OUT_SUCCESS": (Status.IN_TRANSIT, "customs.export"),
    "CUS_DECLARE": (Status.CUSTOMS, "customs.processing"),
    "CUS_SUCCESS": (Status.IN_TRANSIT, "customs.released"),
    "CUS_FAILURE": (Status.CUSTOMS, "customs.held"),
    "CUS_TAX": (Status.CUSTOMS, "customs.payment_required"),
    # Destination carrier (last mile).
    "GTMS_ACCEPT": (Status.IN_TRANSIT, "in_transit.handed_to_last_mile"),
    # Observed: "Shipment departed from facility" in the destination-processing group.
    "GTMS_OE_DEPART": (Status.IN_TRANSIT, "in_transit.departed"),
    # Observed: the destination post accepting the parcel ("Accepted for transportation by
    # postal service"), not the origin's acceptance.
    "LH_POST_COLLECTION": (Status.IN_TRANSIT, "in_transit.handed_to_last_mile"),
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

#: Every table above by the name `lookup` logs it under (documentation and entry-by-entry tests).
TABLES: dict[str, dict[str, Mapped]] = {"actionCode": ACTION_MAP}
