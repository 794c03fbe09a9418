"""Text normalization shared by classification, place matching and number extraction. Pure."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "strip_accents"]

#: Letters that NFKD does not decompose but that users expect to match their base letter.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i"})
_NON_WORD = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """Casefold and drop combining marks (é→e, ü→u, ё→е); CJK is left untouched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_text(text: str) -> str:
    """Casefolded, accent-free text with punctuation collapsed to single spaces."""
    return _NON_WORD.sub(" ", strip_accents(text)).strip()
