"""Classify tracking-event text into watcher's status vocabulary. Pure, no I/O.

Every rule of the phrase table (`watcher.timeline.phrasebook`) is tried; what the text says is
decided from all matches, not by the first row that fits, so the order of rows never matters:

1. **Denied** matches are dropped: a match that follows a negation ("not yet arrived", "noch
   nicht", "尚未") in the same clause, or an outcome that follows a future or conditional marker
   ("will be returned", "wird … zugestellt"). Phrases that contain their cue ("not delivered",
   "未妥投", "could not be delivered") are rules of their own and are not denied.
2. **Contained** matches are dropped: a match inside a longer match of another rule is part of
   that phrase ("delivered" in "not delivered", "delivered to airline", "customs cleared").
3. **Weak** rules (generic departure, arrival and transit words) count only when nothing else
   is left: "delayed in transit" is a delay.
4. One status should remain. Texts stating two facts ("returned to sender, refused by
   recipient") are settled by `PRECEDENCE`: outcomes before progress, and never "delivered" when
   another last-mile fact is stated too. The phrase table is tested to never need it.
5. Within the status, a sub-status refined by another gives way (none to any; a catch-all such
   as "customs.started" or "in_transit.arrived" to a specific one; "attempt_failed.other" to
   "attempt_failed.recipient_absent"), then the one furthest along the journey wins, then the
   longest phrase, then the first in the text.

Unknown text gives `Classification(Status.IN_TRANSIT, None, matched=False)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from watcher.domain.models import Status
from watcher.domain.text import normalize_clauses, strip_accents
from watcher.timeline.phrasebook import MODAL_CUES, MODAL_DENIED, NEGATION_CUES, RULES, Rule
from watcher.timeline.ranks import progress_rank

__all__ = ["PRECEDENCE", "Candidate", "Classification", "candidates", "classify_text"]


@dataclass(frozen=True, slots=True)
class Classification:
    """The normalized meaning of one event text."""

    status: Status
    substatus: str | None = None
    matched: bool = True


@dataclass(frozen=True, slots=True)
class Candidate:
    """One rule's match that survived denial and containment."""

    status: Status
    substatus: str | None
    start: int
    end: int
    weak: bool


#: Which status a text stating two facts gets, first wins (see the module docstring, step 4).
PRECEDENCE: tuple[Status, ...] = (
    Status.RETURNED,
    Status.RETURNING,
    Status.EXCEPTION,
    Status.AVAILABLE_FOR_PICKUP,
    Status.ATTEMPT_FAILED,
    Status.DELIVERED,
    Status.OUT_FOR_DELIVERY,
    Status.CUSTOMS,
    Status.IN_TRANSIT,
    Status.INFO_RECEIVED,
    Status.PENDING,
)
_PRECEDENCE_INDEX = {status: i for i, status in enumerate(PRECEDENCE)}
#: Catch-all sub-statuses that any other sub-status of their status refines.
_GENERIC_SUBSTATUSES = frozenset(
    {None, "customs.started", "in_transit.departed", "in_transit.arrived"}
)
#: How far a negation or modal marker reaches within its clause, in characters.
_SCOPE = 60
_CLAUSE_END = " ; "


#: A leading word boundary before a plain letter ("\\bdelivered").
_LEADING_BOUNDARY = re.compile(r"^\\b(\w)(?![?*+{])")


def _fast(pattern: str) -> str:
    """The same pattern with a leading `\\b` checked after the first letter ("d(?<!\\w.)elivered").

    `re` can only skip ahead quickly when a pattern starts with a literal; this keeps the
    matches identical and makes the table about three times faster to scan.
    """
    return _LEADING_BOUNDARY.sub(lambda m: m.group(1) + r"(?<!\w.)", strip_accents(pattern))


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation over normalized patterns."""
    return re.compile("|".join(f"(?:{_fast(p)})" for p in patterns))


_COMPILED: tuple[tuple[Rule, re.Pattern[str]], ...] = tuple(
    (rule, _compile(rule.patterns)) for rule in RULES
)
_NEGATION = _compile(NEGATION_CUES)
_MODAL = _compile(MODAL_CUES)
_UNMATCHED = Classification(Status.IN_TRANSIT, None, matched=False)

_Match = tuple[int, int, Rule]


def _scopes(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, int]]:
    """(cue start, cue end, scope end) for each cue: the scope runs to the clause's end."""
    scopes = []
    for cue in pattern.finditer(text):
        clause_end = text.find(_CLAUSE_END, cue.end())
        limit = cue.end() + _SCOPE
        scopes.append((cue.start(), cue.end(), limit if clause_end < 0 else min(clause_end, limit)))
    return scopes


def _denied(start: int, end: int, scopes: list[tuple[int, int, int]]) -> bool:
    """Whether a match lies after a cue and inside its scope (a match holding the cue is not)."""
    return any(
        cue_start < start and cue_end <= start and end <= scope_end
        for cue_start, cue_end, scope_end in scopes
    )


def _all_matches(text: str) -> list[_Match]:
    """Every rule's every match, minus the denied ones."""
    negations = _scopes(_NEGATION, text)
    modals = _scopes(_MODAL, text)
    found: list[_Match] = []
    for rule, pattern in _COMPILED:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end or _denied(start, end, negations):
                continue
            if rule.status in MODAL_DENIED and _denied(start, end, modals):
                continue
            found.append((start, end, rule))
    return found


def _uncontained(found: list[_Match]) -> list[_Match]:
    """Matches not inside a longer match of another rule."""
    return [
        (s, e, rule)
        for s, e, rule in found
        if not any(
            other is not rule and os <= s and e <= oe and oe - os > e - s for os, oe, other in found
        )
    ]


@lru_cache(maxsize=8192)
def _candidates(text: str) -> tuple[Candidate, ...]:
    """Surviving matches of already-normalized text, in text order (cached: texts repeat)."""
    kept = _uncontained(_all_matches(text))
    kept.sort(key=lambda match: (match[0], match[1]))
    return tuple(Candidate(r.status, r.substatus, s, e, r.weak) for s, e, r in kept)


def candidates(text: str | None) -> tuple[Candidate, ...]:
    """What the text says before the final pick: every surviving match (for tests and debugging)."""
    if not text or not isinstance(text, str):
        return ()
    return _candidates(normalize_clauses(text))


def _refines(a: str | None, b: str | None) -> bool:
    """Whether sub-status `a` refines `b`, its status's "<status>.other"."""
    return a is not None and b is not None and a != b and b == f"{a.split('.', 1)[0]}.other"


def _pick_substatus(found: list[Candidate]) -> str | None:
    """The sub-status among one status's candidates (module docstring, step 5)."""
    found = [c for c in found if c.substatus is not None] or found
    specific = [c for c in found if c.substatus not in _GENERIC_SUBSTATUSES] or found
    subs = {c.substatus for c in specific}
    kept = [c for c in specific if not any(_refines(o, c.substatus) for o in subs)]
    best = max(
        kept, key=lambda c: (progress_rank(c.status, c.substatus), c.end - c.start, -c.start)
    )
    return best.substatus


@lru_cache(maxsize=8192)
def _classify_normalized(text: str) -> Classification:
    """Resolve the candidates of normalized text into one status and sub-status."""
    found = _candidates(text)
    strong = [c for c in found if not c.weak]
    pool = strong or list(found)
    if not pool:
        return _UNMATCHED
    status = min((c.status for c in pool), key=_PRECEDENCE_INDEX.__getitem__)
    return Classification(status, _pick_substatus([c for c in pool if c.status is status]))


def classify_text(text: str | None) -> Classification:
    """Classify one event description; unknown or empty text falls back to in_transit."""
    if not text or not isinstance(text, str):
        return _UNMATCHED
    normalized = normalize_clauses(text)
    if not normalized:
        return _UNMATCHED
    return _classify_normalized(normalized)
