"""The buyer's case: the steps taken on the ladder, and what they mean for the advice. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

#: Every step the buyer can record, in ladder order (`watcher case TRACKING STEP`).
STEPS: tuple[str, ...] = (
    "seller-contacted",
    "extension-requested",
    "extension-granted",
    "dispute-opened",
    "seller-replied",
    "escalated",
    "refunded",
    "closed",
    "claim-filed",
    "chargeback",
    "received",
    "not-received",
)

#: Steps after which watcher has nothing left to advise: the money is back or the buyer gave up.
FINAL_STEPS = frozenset({"refunded", "closed", "chargeback"})


@dataclass(frozen=True, slots=True)
class CaseStep:
    """One recorded step: what, when (aware UTC), and its details."""

    step: str
    at: datetime
    until: date | None = None  # extension-granted: the new protection end
    by: str | None = None  # claim-filed: "buyer" or "seller"
    detail: str | None = None  # refunded: "full", "partial" or an amount
    note: str | None = None
    undone_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseState:
    """The case as the rules see it: the latest active moment of each step."""

    steps: tuple[CaseStep, ...] = ()

    @classmethod
    def of(cls, steps: Iterable[CaseStep]) -> CaseState:
        """The state from recorded steps (undone ones are kept but ignored)."""
        return cls(tuple(sorted(steps, key=lambda s: s.at)))

    def latest(self, step: str) -> CaseStep | None:
        """The most recent active record of a step."""
        found = [s for s in self.steps if s.step == step and s.undone_at is None]
        return found[-1] if found else None

    def has(self, step: str) -> bool:
        """The step was taken (and not undone)."""
        return self.latest(step) is not None

    def at(self, step: str) -> datetime | None:
        """When the step was last taken."""
        found = self.latest(step)
        return found.at if found else None

    @property
    def extended_until(self) -> date | None:
        """The protection end the seller granted, if any."""
        found = self.latest("extension-granted")
        return found.until if found else None

    @property
    def dispute_open(self) -> bool:
        """A dispute is running (opened and not ended by a refund, close or chargeback)."""
        return self.has("dispute-opened") and not self.finished

    @property
    def finished(self) -> bool:
        """Refunded, closed or charged back: no more advice."""
        return any(self.has(step) for step in FINAL_STEPS)

    @property
    def active(self) -> tuple[CaseStep, ...]:
        """Steps not undone, oldest first."""
        return tuple(s for s in self.steps if s.undone_at is None)

    def position(self) -> str:
        """Where the buyer stands, in a few words."""
        if self.has("refunded"):
            found = self.latest("refunded")
            amount = found.detail if found and found.detail else "full"
            return f"refunded ({amount})"
        for step, words in (
            ("closed", "closed"),
            ("chargeback", "chargeback requested"),
            ("escalated", "dispute escalated to the platform"),
            ("seller-replied", "dispute open, the seller replied"),
            ("dispute-opened", "dispute open"),
            ("extension-granted", "protection extended by the seller"),
            ("extension-requested", "extension requested from the seller"),
            ("seller-contacted", "seller contacted"),
        ):
            if self.has(step):
                return words
        return "no step taken yet"


EMPTY_CASE = CaseState()


def state_of(records: Iterable[Any]) -> CaseState:
    """The state from stored step records (anything with CaseStep's attribute names)."""
    return CaseState.of(
        CaseStep(
            step=r.step,
            at=r.at,
            until=r.until,
            by=r.by,
            detail=r.detail,
            note=r.note,
            undone_at=r.undone_at,
        )
        for r in records
    )
