"""Similarity: whether two event texts say the same and two locations can be one place. Pure."""

from __future__ import annotations

import re
from functools import lru_cache

from watcher.domain.text import normalize_text

__all__ = ["same_place", "similar_text"]

_SIMILAR = 0.5  # token Jaccard similarity for "same wording"
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: Words that say what kind of place it is, not which place: they do not tell places apart.
# fmt: off
_PLACE_NOISE = frozenset(
    {
        "sorting", "center", "centre", "facility", "hub", "office", "post", "postal",
        "international", "mail", "processing", "distribution", "airport", "gateway", "delivery",
        "exchange", "depot", "branch", "station", "service", "terminal", "parcel", "logistics",
        "warehouse", "city", "district", "province", "region", "country", "the", "and", "of",
    }
)
# fmt: on


@lru_cache(maxsize=16384)
def _text_tokens(text: str) -> frozenset[str]:
    """Comparable tokens of an event text: words, or character pairs for CJK runs."""
    tokens: set[str] = set()
    for word in normalize_text(text).split():
        if _CJK_RE.search(word):
            tokens.update(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            tokens.add(word)
    return frozenset(tokens)


@lru_cache(maxsize=16384)
def _place_tokens(location: str) -> frozenset[str]:
    """The tokens of a location that name the place (no codes, no generic words)."""
    return frozenset(t for t in _text_tokens(location) if len(t) > 2 and t not in _PLACE_NOISE)


def same_place(a: str | None, b: str | None) -> bool:
    """False only when both locations name places and the names have nothing in common."""
    if not a or not b or a == b:
        return True
    ta, tb = _place_tokens(a), _place_tokens(b)
    if not ta or not tb or ta & tb:
        return True
    # Different scripts ("深圳" vs "Shenzhen") cannot be compared: do not call them different.
    return all(t.isascii() for t in ta) != all(t.isascii() for t in tb)


def similar_text(a: str, b: str) -> bool:
    """Token Jaccard similarity of two texts reaches the threshold."""
    ta, tb = _text_tokens(a), _text_tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) >= _SIMILAR * len(ta | tb)
