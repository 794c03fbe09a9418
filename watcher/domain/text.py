"""Text normalization shared by classification, place matching and number extraction. Pure."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_clauses", "normalize_text", "strip_accents"]

#: Letters that NFKD does not decompose but that users expect to match their base letter.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})
_NON_WORD = re.compile(r"[\W_]+")
#: Where a clause ends: sentence punctuation (not a decimal point or a date's dots such as
#: "12.03."), CJK punctuation, line breaks and a dash between spaces.
_CLAUSE_BREAK = re.compile(r"[;!?。，；！？、\n\r|]|(?<!\d)[.,:](?!\d)|\s[-–—]+\s")


def strip_accents(text: str) -> str:
    """Casefold and drop combining marks (é→e, ü→u, ё→е); CJK is left untouched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_text(text: str) -> str:
    """Casefolded, accent-free text with punctuation collapsed to single spaces."""
    return _NON_WORD.sub(" ", strip_accents(text)).strip()


def normalize_clauses(text: str) -> str:
    """`normalize_text` of each clause, joined by " ; " so a phrase never spans two clauses."""
    clauses = (normalize_text(part) for part in _CLAUSE_BREAK.split(text))
    return " ; ".join(clause for clause in clauses if clause)
