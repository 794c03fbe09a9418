"""What to gather for each kind of alert: the evidence a seller, marketplace or courier asks for."""

from __future__ import annotations

from watcher.domain.models import ShipmentView

# Item names are stable: `render_advice` marks the ones watcher already holds by these prefixes.
ORDER_NUMBER = "order number"
TRACKING_NUMBER = "tracking number"
TIMELINE = "timeline export (`watcher show {tracking} --json`)"
SCREENSHOTS = "screenshots of the order page and the carrier's tracking page"
SELLER_MESSAGES = "your messages with the seller (screenshots)"
COURIER_MESSAGES = "your messages with the courier or local post office"
POST_OFFICE = "a written statement from your local post office that the parcel was not delivered"
POLICE = (
    "a police report if the post office cannot help (AliExpress accepts it for 'delivered' parcels)"
)
PHOTOS = "photos of your mailbox/door area, and of the parcel and packaging if it arrived damaged"
CUSTOMS_LETTER = (
    "the customs or courier notice (letter, e-mail or SMS) and the invoice from the order page"
)
PICKUP_NOTICE = "the delivery or pickup notice (card, e-mail or SMS) with its reference"
RETURN_PROOF = "the return scan from the tracking page (shows the parcel never reached you)"

_BASE = (ORDER_NUMBER, TRACKING_NUMBER, TIMELINE, SCREENSHOTS)

_EXTRA: dict[str, tuple[str, ...]] = {
    "not_shipped": (SELLER_MESSAGES,),
    "stalled": (SELLER_MESSAGES, COURIER_MESSAGES),
    "customs_hold": (CUSTOMS_LETTER, COURIER_MESSAGES),
    "delivery_failed": (PICKUP_NOTICE, COURIER_MESSAGES),
    "returning": (RETURN_PROOF, SELLER_MESSAGES),
    "exception": (PHOTOS, COURIER_MESSAGES, SELLER_MESSAGES),
    "delivered_unconfirmed": (COURIER_MESSAGES,),
    "delivered_suspicious": (POST_OFFICE, COURIER_MESSAGES, PHOTOS),
    "not_received": (POST_OFFICE, POLICE, PHOTOS, COURIER_MESSAGES, SELLER_MESSAGES),
    "deadline_near": (SELLER_MESSAGES,),
    "deadline_passed": (SELLER_MESSAGES,),
}


#: The `held` key `render_advice` looks up to mark an item as already in hand.
HELD_KEYS: dict[str, str] = {
    ORDER_NUMBER: "order_id",
    TRACKING_NUMBER: "tracking_number",
    TIMELINE: "timeline",
    SCREENSHOTS: "screenshots",
    SELLER_MESSAGES: "seller_messages",
    COURIER_MESSAGES: "courier_messages",
    POST_OFFICE: "post_office_statement",
    POLICE: "police_report",
    PHOTOS: "photos",
    CUSTOMS_LETTER: "customs_notice",
    PICKUP_NOTICE: "pickup_notice",
    RETURN_PROOF: "timeline",  # the return scan is in the timeline watcher keeps
}


def evidence_checklist(alert_kind: str, shipment: ShipmentView) -> list[str]:
    """The evidence to gather for an alert kind, with this shipment's numbers filled in."""
    return [text for _, text in evidence_items(alert_kind, shipment)]


def evidence_items(alert_kind: str | None, shipment: ShipmentView) -> list[tuple[str, str]]:
    """(held key, text) pairs for an alert kind (None: the basics every case needs)."""
    items = [*_BASE, *_EXTRA.get(alert_kind or "", ())]
    return [(HELD_KEYS[item], _fill(item, shipment)) for item in items]


def _fill(item: str, shipment: ShipmentView) -> str:
    """Put the shipment's own numbers into an item."""
    if item == ORDER_NUMBER:
        return (
            f"{ORDER_NUMBER}: {shipment.order_id}"
            if shipment.order_id
            else f"{ORDER_NUMBER} (from the order page)"
        )
    if item == TRACKING_NUMBER:
        return f"{TRACKING_NUMBER}: {shipment.tracking_number}"
    return item.format(tracking=shipment.tracking_number)
