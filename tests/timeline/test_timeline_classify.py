"""Classification table: several phrases per language, plus unknown text falling back."""

from __future__ import annotations

import pytest

from tests.kits.timeline import load
from watcher.domain.models import Status
from watcher.domain.text import normalize_text
from watcher.timeline.classify import Classification, classify_text

TABLE = load("classify.json")
LANGUAGES = ("en", "zh", "es", "fr", "de", "pt", "it", "nl", "pl", "ru")
ROWS = [(lang, text, status, sub) for lang in LANGUAGES for text, status, sub in TABLE[lang]]


def test_every_language_has_at_least_four_phrases() -> None:
    assert all(len(TABLE[lang]) >= 4 for lang in LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "text", "status", "substatus"), ROWS, ids=[f"{r[0]}:{r[1][:40]}" for r in ROWS]
)
def test_phrase(lang: str, text: str, status: str, substatus: str | None) -> None:
    got = classify_text(text)
    assert (got.status, got.substatus) == (Status(status), substatus)
    # A phrase with a specific sub-status was recognised; the generic fallback is not.
    if substatus is not None:
        assert got.matched


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


def test_accents_and_case_do_not_matter() -> None:
    assert classify_text("DEVUELTO AL REMITENTE") == classify_text("devuelto al remitente")
    assert classify_text("Retourne a l'expediteur").status is Status.RETURNED
    assert normalize_text("  Zollabfertigung — ABGESCHLOSSEN! ") == "zollabfertigung abgeschlossen"


def test_duties_paid_counts_as_cleared() -> None:
    assert classify_text("Import duty has been paid").substatus == "customs.cleared"
