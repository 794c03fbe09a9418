"""Classification table: real-style phrases in 16 languages, each asserted, plus the resolution rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from tests.kits.timeline import load
from watcher.domain.models import Status, StoredEvent
from watcher.domain.text import normalize_clauses, normalize_text
from watcher.timeline import classify
from watcher.timeline.build import build_timeline
from watcher.timeline.classify import Classification, candidates, classify_text
from watcher.timeline.phrasebook import RULES

TABLE = load("classify.json")
LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "zh", "ja", "ko", "tr", "cs", "sv"
)  # fmt: skip
ROWS = [(lang, text, status, sub) for lang in LANGUAGES for text, status, sub in TABLE[lang]]


def test_the_table_is_big_and_wide() -> None:
    assert len(ROWS) >= 400
    assert all(len(TABLE[lang]) >= 20 for lang in LANGUAGES)
    assert set(TABLE) == {*LANGUAGES, "unknown", "compound"}


@pytest.mark.parametrize(
    ("lang", "text", "status", "substatus"), ROWS, ids=[f"{r[0]}:{r[1][:40]}" for r in ROWS]
)
def test_phrase(lang: str, text: str, status: str, substatus: str | None) -> None:
    got = classify_text(text)
    assert (got.status, got.substatus) == (Status(status), substatus)
    # A phrase with a specific sub-status was recognised; the generic fallback is not.
    if substatus is not None:
        assert got.matched


def test_no_phrase_matches_two_statuses() -> None:
    """After denial and containment, every table phrase states one status: precedence never decides."""
    ambiguous = {}
    for _, text, _, _ in ROWS:
        found = candidates(text)
        strong = {c.status for c in found if not c.weak}
        statuses = strong or {c.status for c in found}
        if len(statuses) > 1:
            ambiguous[text] = sorted(statuses)
    assert ambiguous == {}


@pytest.mark.parametrize(("text", "status", "substatus"), TABLE["compound"])
def test_texts_stating_two_facts_follow_the_documented_precedence(
    text: str, status: str, substatus: str
) -> None:
    found = {c.status for c in candidates(text) if not c.weak}
    assert len(found) == 2, found
    assert min(found, key=classify.PRECEDENCE.index) is Status(status)
    assert (classify_text(text).status, classify_text(text).substatus) == (
        Status(status),
        substatus,
    )


def test_rule_order_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [text for _, text, _, _ in ROWS] + [row[0] for row in TABLE["compound"]]
    before = {text: classify_text(text) for text in texts}
    shuffled = list(classify._COMPILED)
    random.Random(15).shuffle(shuffled)
    monkeypatch.setattr(classify, "_COMPILED", tuple(shuffled))
    classify._candidates.cache_clear()
    classify._classify_normalized.cache_clear()
    try:
        assert {text: classify_text(text) for text in texts} == before
    finally:
        classify._candidates.cache_clear()
        classify._classify_normalized.cache_clear()


def test_every_rule_is_exercised_by_the_table() -> None:
    used = {(Status(status), sub) for _, _, status, sub in ROWS}
    assert {(rule.status, rule.substatus) for rule in RULES} <= used


@pytest.mark.parametrize("text", TABLE["unknown"])
def test_unknown_text_falls_back_to_in_transit(text: str) -> None:
    assert classify_text(text) == Classification(Status.IN_TRANSIT, None, matched=False)


@pytest.mark.parametrize("value", [None, "", 0, b"delivered"])
def test_non_text_never_crashes(value: object) -> None:
    assert classify_text(value) == Classification(Status.IN_TRANSIT, None, matched=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Negative and conditional phrasings must not reach "delivered" or "returned".
        ("Item could not be delivered", Status.ATTEMPT_FAILED),
        ("Delivery attempt failed", Status.ATTEMPT_FAILED),
        ("Parcel will be returned to sender if not collected within 7 days", Status.IN_TRANSIT),
        ("Delivered to parcel locker", Status.AVAILABLE_FOR_PICKUP),
        ("DELIVERED", Status.DELIVERED),
        ("Die Sendung wird heute zugestellt", Status.OUT_FOR_DELIVERY),
        ("Die Sendung wurde nicht zugestellt", Status.ATTEMPT_FAILED),
        ("未妥投", Status.ATTEMPT_FAILED),
        ("Przesyłka odebrana od nadawcy", Status.IN_TRANSIT),
        ("Returned to sender, refused by recipient", Status.RETURNED),
        ("Duties paid, customs cleared", Status.CUSTOMS),
    ],
)
def test_rule_order(text: str, status: Status) -> None:
    assert classify_text(text).status is status


@pytest.mark.parametrize(
    "text",
    [
        "Shipment expected, but not yet arrived at PostNL",
        "The parcel has not arrived yet",
        "Die Sendung ist noch nicht eingetroffen",
        "Le colis n'est pas encore arrivé",
        "El paquete todavía no ha llegado",
        "Il pacco non è ancora arrivato",
        "A encomenda ainda não chegou",
        "Het pakket is nog niet aangekomen",
        "Przesyłka jeszcze nie dotarła",
        "Посылка ещё не прибыла",
        "Посилка ще не прибула",
        "包裹尚未到达",
        "荷物はまだ到着していません",
        "소포가 아직 도착하지 않았습니다",
        "Gönderi henüz ulaşmadı",
        "Zásilka ještě nedorazila",
        "Paketet har ännu inte anlänt",
    ],
)
def test_a_negation_never_gives_the_positive_status(text: str) -> None:
    got = classify_text(text)
    assert not any(c.substatus == "in_transit.arrived" for c in candidates(text))
    assert got.substatus not in ("in_transit.arrived", "in_transit.arrived_destination")


@pytest.mark.parametrize(
    "text",
    [
        "Parcel not delivered yet",
        "Noch nicht zugestellt",
        "Pas encore livré",
        "Todavía no entregado",
        "Non ancora consegnato",
        "Ainda não entregue",
        "Nog niet bezorgd",
        "Jeszcze nie doręczona",
        "Ещё не вручено",
        "Ще не вручено",
        "尚未签收",
        "まだ配達完了していません",
        "아직 배달완료 되지 않음",
        "Henüz teslim edilmedi",
        "Zásilka ještě nebyla doručena",
        "Ännu inte levererad",
        "Delivery will be made tomorrow, the parcel will be delivered by noon",
        "Die Sendung wird morgen zugestellt",
        "Votre colis sera livré demain",
    ],
)
def test_a_negated_or_announced_delivery_is_never_delivered(text: str) -> None:
    assert classify_text(text).status is not Status.DELIVERED


@pytest.mark.parametrize(
    "text",
    [
        "Shipper created a label, UPS has not received the package yet.",
        "Shipment information sent to FedEx",
        "Pre-Shipment Info Sent to USPS, USPS Awaiting Item",
        "Label Created",
        "Die Auftragsdaten zu dieser Sendung wurden vom Absender elektronisch an DHL übermittelt.",
        "Zending is aangemeld maar nog niet ontvangen door PostNL",
        "Sender despatching item",
        "Votre Colissimo va bientôt nous être confié",
        "Pre-registrado",
        "Spedizione creata",
        "Die Sendung wurde elektronisch angekündigt",
        "Etiqueta emitida",
        "Відправник самостійно створив цю накладну, але ще не надав до відправки",
        "Присвоен трек-номер",
        "商家正通知快递公司揽件",
    ],
)
def test_label_only_texts_of_the_big_carriers_are_never_in_transit(text: str) -> None:
    assert classify_text(text) == Classification(
        Status.INFO_RECEIVED, "info_received.label_created"
    )


def test_delays_use_the_documented_substatus() -> None:
    got = classify_text(
        "Die Sendung wurde zurückgestellt. Die Zustellung erfolgt vrs. am nächsten Werktag."
    )
    assert got == Classification(Status.EXCEPTION, "exception.delayed")
    assert classify_text("Delayed in transit").substatus == "exception.delayed"
    assert classify_text("Customs delay").substatus == "customs.held"
    assert classify_text("No delay expected").status is Status.IN_TRANSIT


def test_accents_and_case_do_not_matter() -> None:
    assert classify_text("DEVUELTO AL REMITENTE") == classify_text("devuelto al remitente")
    assert classify_text("Retourne a l'expediteur").status is Status.RETURNED
    assert normalize_text("  Zollabfertigung — ABGESCHLOSSEN! ") == "zollabfertigung abgeschlossen"


def test_clauses_end_at_sentence_punctuation_but_not_inside_dates_or_numbers() -> None:
    assert normalize_clauses("Expected, but not yet. Arrived") == "expected ; but not yet ; arrived"
    assert normalize_clauses("Zustellung am 12.03. um 1,5 kg") == "zustellung am 12 03 um 1 5 kg"
    assert (
        normalize_clauses("Delivery attempted - no one home") == "delivery attempted ; no one home"
    )


def test_duties_paid_counts_as_cleared() -> None:
    assert classify_text("Import duty has been paid").substatus == "customs.cleared"


# --- the destination post's "accepted" scan -------------------------------------------------


def _scan(day: int, text: str, country: str | None) -> StoredEvent:
    found = classify_text(text)
    return StoredEvent(
        time=datetime(2026, 3, day, 9, tzinfo=UTC),
        status=found.status,
        description=text,
        provider="17track",
        tracking_number="LX123456789CN",
        country=country,
        substatus=found.substatus,
    )


ACCEPTED_AT_DESTINATION = "Accepted for transportation by postal service"


def test_destination_acceptance_after_scans_abroad_is_an_arrival_not_the_acceptance() -> None:
    events = [
        _scan(1, "Shipper created a label, UPS has not received the package yet.", "CN"),
        _scan(9, ACCEPTED_AT_DESTINATION, "DE"),
        _scan(10, "Die Sendung befindet sich in der Zustellung", "DE"),
    ]
    timeline = build_timeline(events, destination_country="DE")
    # The label is not an acceptance and the German post's take-over is not the seller's.
    assert timeline.milestones.accepted is None
    assert timeline.milestones.arrived_destination == datetime(2026, 3, 9, 9, tzinfo=UTC)
    assert timeline.status is Status.OUT_FOR_DELIVERY


def test_destination_acceptance_never_moves_the_origin_acceptance_nor_counts_as_late() -> None:
    events = [
        _scan(2, "Accepted by carrier", "CN"),
        _scan(4, "Arrived at destination country/region", "DE"),
        _scan(5, ACCEPTED_AT_DESTINATION, "DE"),
    ]
    timeline = build_timeline(events, destination_country="DE")
    assert timeline.milestones.accepted == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert timeline.events[-1].flags == frozenset()
    assert timeline.substatus == "in_transit.accepted"


def test_acceptance_in_the_destination_country_without_scans_abroad_stays_the_acceptance() -> None:
    """A domestic parcel (or one whose other legs are unknown): nothing says it came from abroad."""
    timeline = build_timeline([_scan(3, ACCEPTED_AT_DESTINATION, "DE")], destination_country="DE")
    assert timeline.milestones.accepted == datetime(2026, 3, 3, 9, tzinfo=UTC)
