"""The classifier's phrase table: rules (status, sub-status, patterns) and negation cues. Pure data.

Patterns are regexes over normalized text (casefolded, accents stripped, punctuation turned into
spaces, clauses joined by " ; "); they go through the same normalization when compiled, so they
are written with their natural accents. No `\\b` around CJK: those characters are all `\\w`.
The rows live by theme in `phrases_outcomes`, `phrases_last_mile` and `phrases_journey`;
`watcher.timeline.classify` explains how matches are resolved (the order of rows does not matter).
"""

from __future__ import annotations

from typing import NamedTuple

from watcher.domain.models import Status
from watcher.timeline.phrases_journey import JOURNEY
from watcher.timeline.phrases_last_mile import LAST_MILE
from watcher.timeline.phrases_outcomes import OUTCOMES

__all__ = ["MODAL_CUES", "MODAL_DENIED", "NEGATION_CUES", "RULES", "Rule"]


class Rule(NamedTuple):
    """One meaning and the phrases that say it; `weak` rules only decide when nothing else does."""

    status: Status
    substatus: str | None
    patterns: tuple[str, ...]
    weak: bool = False


#: Generic movement words: context, not a fact of their own ("delayed in transit" is a delay).
_WEAK = frozenset({"in_transit.departed", "in_transit.arrived", None})

RULES: tuple[Rule, ...] = tuple(
    Rule(status, sub, patterns, weak=status is Status.IN_TRANSIT and sub in _WEAK)
    for status, sub, patterns in (*OUTCOMES, *LAST_MILE, *JOURNEY)
)

#: Words that deny what follows them in the clause ("not yet arrived", "noch nicht", "尚未").
#: A phrase that itself starts with or contains the cue ("not delivered", "未妥投") is a rule of
#: its own and is not denied. "no" followed by a number is "No. 123", not a negation.
# fmt: off
NEGATION_CUES: tuple[str, ...] = (
    r"\bnot\b", r"\bnever\b", r"\bno\b(?! \w*\d)", r"\byet to\b", r"\bhas ?n t\b", r"\bwasn t\b",
    r"\bnoch nicht\b", r"\bnicht\b", r"\bkein(e|en)?\b",
    r"\bpas\b(?! de calais)", r"\bnon\b", r"\bjamais\b",
    r"\btodavía no\b", r"\baún no\b", r"\bno ha\b",
    r"\bancora non\b", r"\bnon ancora\b",
    r"\bainda não\b", r"\bnão\b",
    r"\bnog niet\b", r"\bniet\b", r"\bgeen\b",
    r"\bjeszcze nie\b", r"\bnie\b",
    r"\bещё не\b", r"\bне\b", r"\bнет\b",
    r"\bще не\b",
    r"尚未", r"未能", r"还没", r"还未", r"没有", r"无法",
    r"まだ", r"未だ",
    r"아직",
    r"\bhenüz\b",
    r"\bještě ne\b", r"\bzatím ne\b", r"\bne\b", r"\bnebyl[ao]?\b",
    r"\bännu inte\b", r"\binte\b", r"\bej\b",
)
#: Future and conditional markers: "will be delivered", "wird … zugestellt", "sera livré" are
#: announcements, not facts. They deny the outcome statuses (`MODAL_DENIED`) that follow them in
#: the clause; movement stays ("wird sortiert" is German for "is being sorted").
MODAL_CUES: tuple[str, ...] = (
    r"\bwill\b", r"\bwould\b", r"\bto be\b", r"\bmay be\b", r"\bexpected to\b", r"\bscheduled\b",
    r"\bwird\b", r"\bwerden\b", r"\bsoll\b",
    r"\bsera\b", r"\bva être\b", r"\bdevrait\b",
    r"\bserá\b", r"\bse entregará\b",
    r"\bsarà\b", r"\bverrà\b",
    r"\bzal\b", r"\bwordt\b",
    r"\bzostanie\b",
    r"\bбудет\b", r"\bбуде\b",
    r"将", r"预计",
    r"\bbude\b",
    r"\bkommer att\b", r"\bska\b",
)
# fmt: on
#: What a modal cue denies: outcomes announced for later are not outcomes yet.
MODAL_DENIED = frozenset(
    {
        Status.DELIVERED,
        Status.RETURNED,
        Status.RETURNING,
        Status.EXCEPTION,
        Status.ATTEMPT_FAILED,
        Status.AVAILABLE_FOR_PICKUP,
    }
)
