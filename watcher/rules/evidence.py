"""What to gather for each kind of case: the evidence a seller, marketplace or courier asks for.

A case kind is an alert kind (`stalled`, `customs_hold`, `not_received`, ...) or a step on the
ladder that needs its own papers (`extension_requested`, `dispute`, `courier_claim`,
`chargeback`). Each item says why it is asked for; photos of the mailbox or door appear only
where they prove something (a "delivered" scan the buyer disputes).
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher.domain.models import ShipmentView

# Item names are stable: `render_advice` marks the ones watcher already holds by these prefixes.
ORDER_NUMBER = "order number"
TRACKING_NUMBER = "tracking number"
TIMELINE = "timeline export (`watcher show {tracking} --json`)"
TRACKING_RECORD = (
    "the tracking record with every provider's events (`watcher evidence {tracking} --out DIR`)"
)
SCREENSHOTS = "screenshots of the order page and the carrier's tracking page"
SELLER_MESSAGES = "your messages with the seller (screenshots)"
EXTENSION_REQUEST = (
    "a screenshot of your request to extend buyer protection, and of the seller's answer"
)
COURIER_MESSAGES = "your messages with the courier or local post office"
POST_OFFICE = "a written statement from your local post office that the parcel was not delivered"
POLICE = (
    "a police report if the post office cannot help (AliExpress accepts it for 'delivered' parcels)"
)
PHOTOS = "photos of your mailbox/door area, and of the parcel and packaging if it arrived damaged"
MAILBOX_PHOTOS = (
    "photos of your mailbox or door only where they prove something (a locked or too small "
    "mailbox, no safe place, a different house number at the delivery photo)"
)
DAMAGE_PHOTOS = "photos of the parcel, its packaging and the label, before you throw anything away"
CUSTOMS_LETTER = (
    "the customs or courier notice (letter, e-mail or SMS) and the invoice from the order page"
)
CUSTOMS_DOCUMENTS = (
    "the official customs documents: the detention or seizure notice with its reference number "
    "(not only the courier's e-mail)"
)
PROOF_OF_VALUE = (
    "proof of value and purchase: the order invoice or receipt and the payment confirmation"
)
PICKUP_NOTICE = "the delivery or pickup notice (card, e-mail or SMS) with its reference"
RETURN_PROOF = "the return scan from the tracking page (shows the parcel never reached you)"
DISPUTE_RECORD = "screenshots of the dispute: your claim, the seller's answer and every date"
PAYMENT_RECORD = (
    "your card or PayPal statement line for the payment, and the dispute's outcome page"
)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One thing to gather: its `held` key, its text with the shipment's numbers, and why."""

    key: str
    text: str
    why: str


#: Why each item is asked for (shown in the evidence report).
_WHY: dict[str, str] = {
    ORDER_NUMBER: "every form asks for it first",
    TRACKING_NUMBER: "identifies the parcel with the carrier",
    TIMELINE: "shows when the parcel last moved",
    TRACKING_RECORD: "the dated scans, as each provider reported them",
    SCREENSHOTS: "the platform's own record of the promise and the status",
    SELLER_MESSAGES: "shows you asked the seller first and what they answered",
    EXTENSION_REQUEST: "only the seller can extend protection: proof you asked in time",
    COURIER_MESSAGES: "shows what the courier said about the parcel",
    POST_OFFICE: "a 'delivered' scan is disputed with the carrier's own word",
    POLICE: "the platform accepts it when the carrier does not answer",
    PHOTOS: "shows where the parcel should have been, or the damage",
    MAILBOX_PHOTOS: "contradicts a 'delivered to mailbox/door' scan",
    DAMAGE_PHOTOS: "couriers refuse damage claims without them",
    CUSTOMS_LETTER: "shows what customs asked for",
    CUSTOMS_DOCUMENTS: "the platform decides a customs case on official papers",
    PICKUP_NOTICE: "shows where and until when the parcel waits",
    RETURN_PROOF: "shows the parcel went back, not to you",
    PROOF_OF_VALUE: "a courier pays a claim up to the proven value",
    DISPUTE_RECORD: "shows the platform's decision and that you followed its process",
    PAYMENT_RECORD: "a card issuer or PayPal needs the payment and the failed dispute",
}

_BASE = (ORDER_NUMBER, TRACKING_NUMBER, TIMELINE, SCREENSHOTS)

_EXTRA: dict[str, tuple[str, ...]] = {
    "not_shipped": (SELLER_MESSAGES,),
    "stalled": (SELLER_MESSAGES, COURIER_MESSAGES),
    "customs_hold": (CUSTOMS_LETTER, CUSTOMS_DOCUMENTS, COURIER_MESSAGES),
    "delivery_failed": (PICKUP_NOTICE, COURIER_MESSAGES),
    "returning": (RETURN_PROOF, SELLER_MESSAGES),
    "exception": (DAMAGE_PHOTOS, COURIER_MESSAGES, SELLER_MESSAGES),
    "delivered_unconfirmed": (COURIER_MESSAGES,),
    "delivered_suspicious": (POST_OFFICE, COURIER_MESSAGES, MAILBOX_PHOTOS),
    "not_received": (POST_OFFICE, POLICE, MAILBOX_PHOTOS, COURIER_MESSAGES, SELLER_MESSAGES),
    "deadline_near": (SELLER_MESSAGES, EXTENSION_REQUEST),
    "deadline_passed": (SELLER_MESSAGES, EXTENSION_REQUEST),
    # Steps on the ladder with papers of their own.
    "extension_requested": (SELLER_MESSAGES, EXTENSION_REQUEST),
    "dispute": (TRACKING_RECORD, SELLER_MESSAGES, DISPUTE_RECORD),
    "courier_claim": (TRACKING_RECORD, PROOF_OF_VALUE, COURIER_MESSAGES, DAMAGE_PHOTOS),
    "chargeback": (TRACKING_RECORD, PROOF_OF_VALUE, DISPUTE_RECORD, PAYMENT_RECORD),
}

#: Case kinds with a checklist of their own (alert kinds and ladder steps).
CASE_KINDS = tuple(_EXTRA)


#: The `held` key `render_advice` looks up to mark an item as already in hand.
HELD_KEYS: dict[str, str] = {
    ORDER_NUMBER: "order_id",
    TRACKING_NUMBER: "tracking_number",
    TIMELINE: "timeline",
    TRACKING_RECORD: "timeline",  # watcher keeps every provider's events
    SCREENSHOTS: "screenshots",
    SELLER_MESSAGES: "seller_messages",
    EXTENSION_REQUEST: "extension_request",
    COURIER_MESSAGES: "courier_messages",
    POST_OFFICE: "post_office_statement",
    POLICE: "police_report",
    PHOTOS: "photos",
    MAILBOX_PHOTOS: "photos",
    DAMAGE_PHOTOS: "photos",
    CUSTOMS_LETTER: "customs_notice",
    CUSTOMS_DOCUMENTS: "customs_documents",
    PROOF_OF_VALUE: "proof_of_value",
    PICKUP_NOTICE: "pickup_notice",
    RETURN_PROOF: "timeline",  # the return scan is in the timeline watcher keeps
    DISPUTE_RECORD: "dispute_record",
    PAYMENT_RECORD: "payment_record",
}


def evidence_checklist(alert_kind: str, shipment: ShipmentView) -> list[str]:
    """The evidence to gather for an alert kind, with this shipment's numbers filled in."""
    return [text for _, text in evidence_items(alert_kind, shipment)]


def evidence_items(alert_kind: str | None, shipment: ShipmentView) -> list[tuple[str, str]]:
    """(held key, text) pairs for a case kind (None: the basics every case needs)."""
    return [(item.key, item.text) for item in evidence_details(alert_kind, shipment)]


def evidence_details(kind: str | None, shipment: ShipmentView) -> list[EvidenceItem]:
    """The checklist for a case kind, each item with its reason (None: the basics)."""
    items = dict.fromkeys([*_BASE, *_EXTRA.get(kind or "", ())])
    return [EvidenceItem(HELD_KEYS[item], _fill(item, shipment), _WHY[item]) for item in items]


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
