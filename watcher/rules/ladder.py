"""The case's own alert: a running dispute's next rung, or what remains once the window closed.

Rules speak about the parcel; this speaks about the buyer's case. While a dispute runs, or after
the dispute window has closed, the rules' seller/dispute advice is replaced by one alert that
says which rung, why, by when and what to gather (evidence lives in `watcher case`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from watcher.domain.models import Action, Alert, Severity
from watcher.rules.base import (
    RuleContext,
    act_by_for,
    by_when,
    escalate_by,
    is_quiet,
    last_dispute_day,
    order_ref,
    window_closed,
)

#: Actions that are rungs of the ladder: a case alert replaces them.
LADDER_ACTIONS = frozenset(
    {Action.CONTACT_SELLER, Action.OPEN_DISPUTE, Action.ESCALATE_DISPUTE, Action.WAIT}
)
_WHY = {
    "not_shipped": "not shipped",
    "stalled": "no tracking updates",
    "customs_hold": "held in customs",
    "delivery_failed": "not collected",
    "returning": "sent back to the seller",
    "exception": "carrier problem",
    "delivered_unconfirmed": "'delivered' not confirmed",
    "delivered_suspicious": "doubtful delivery scan",
    "not_received": "not received",
    "deadline_near": "protection ends soon",
    "deadline_passed": "protection ended",
}


def case_alerts(ctx: RuleContext, alerts: Sequence[Alert]) -> list[Alert]:
    """The rules' alerts with ladder advice replaced by the case's alert where the case decides."""
    if is_quiet(ctx):
        return list(alerts)
    problems = [a for a in alerts if Action(a.action) in LADDER_ACTIONS]
    if ctx.case.dispute_open:
        replacement = dispute_alert(ctx, problems)
    elif window_closed(ctx) and problems:
        replacement = closed_alert(ctx, problems)
    else:
        return list(alerts)
    kept = [a for a in alerts if Action(a.action) not in LADDER_ACTIONS and a.key != "deadline"]
    return [replacement, *kept]


def _why(problems: Sequence[Alert]) -> str:
    """'no tracking updates, protection ends soon' from the replaced alerts."""
    words = dict.fromkeys(_WHY.get(a.kind, a.kind.replace("_", " ")) for a in problems)
    return ", ".join(words)


def dispute_alert(ctx: RuleContext, problems: Sequence[Alert]) -> Alert:
    """A dispute runs: wait for the seller's reply, then escalate; once escalated, wait."""
    case = ctx.case
    opened = case.at("dispute-opened")
    assert opened is not None
    why = _why(problems)
    because = f" ({why})" if why else ""
    head = (
        f"Dispute for {order_ref(ctx.shipment)} open since {ctx.date_of(opened):%Y-%m-%d}{because}."
    )
    if case.has("escalated"):
        escalated = case.at("escalated")
        assert escalated is not None
        text = (
            f"{head} Escalated on {ctx.date_of(escalated):%Y-%m-%d}: the platform decides; answer its "
            f"questions in the dispute page. {_remains(ctx)}"
        )
        return ctx.alert("dispute", Action.WAIT, Severity.INFO, text, act_by=None, key="case")
    day = escalate_by(ctx)
    assert day is not None
    reply_ends = ctx.date_of(opened) + timedelta(days=ctx.profile.seller_reply_days)
    gather = "Attach the tracking export and the seller chat."
    if day < ctx.today:
        text = (
            f"{head} Next rung: escalate to the platform now (it was due {day:%Y-%m-%d}); "
            f"the seller has not resolved it. {gather}"
        )
        return ctx.alert(
            "dispute", Action.ESCALATE_DISPUTE, Severity.CRITICAL, text, act_by=None, key="case"
        )
    replied = case.at("seller-replied")
    if replied is not None and replied >= opened:
        wait = f"The seller replied on {ctx.date_of(replied):%Y-%m-%d}: accept only a full refund."
    elif ctx.today <= reply_ends:
        wait = f"The seller has until {reply_ends:%Y-%m-%d} to reply."
    else:
        wait = f"The seller's reply period ended {reply_ends:%Y-%m-%d}."
    text = f"{head} {wait} Next rung: escalate{by_when(day)} if not resolved. {gather}"
    severity = Severity.INFO if ctx.today <= reply_ends else Severity.WARNING
    return ctx.alert("dispute", Action.ESCALATE_DISPUTE, severity, text, act_by=day, key="case")


def closed_alert(ctx: RuleContext, problems: Sequence[Alert]) -> Alert:
    """The dispute window closed without a dispute: say so, and what remains (if anything)."""
    deadline = ctx.deadline
    assert deadline is not None
    last = last_dispute_day(deadline, ctx.profile)
    head = (
        f"{order_ref(ctx.shipment)} ({_why(problems)}): protection ended {deadline:%Y-%m-%d} and "
        f"the dispute window closed {last:%Y-%m-%d}."
    )
    card, paypal = remaining_days(ctx)
    open_ends = [day for day in (card, paypal) if day is not None]
    if not open_ends:
        text = (
            f"{head} No chargeback or PayPal claim period is left either: only the platform's "
            f"support can still help, without a deadline or a guarantee."
        )
        return ctx.alert(
            "deadline_passed",
            Action.CONTACT_SUPPORT,
            Severity.WARNING,
            text,
            act_by=None,
            key="deadline",
        )
    act_by = min(open_ends)
    options = []
    if card is not None:
        options.append(f"a card chargeback ('merchandise not received'){by_when(card)}")
    if paypal is not None:
        options.append(f"a PayPal claim{by_when(paypal)}")
    text = (
        f"{head} What remains: ask the platform's support, and if you paid by card or PayPal, "
        f"{' or '.join(options)}. Gather the order page, tracking export and seller chat."
    )
    return ctx.alert(
        "deadline_passed",
        Action.REQUEST_CHARGEBACK,
        Severity.CRITICAL,
        text,
        act_by=act_by,
        key="deadline",
    )


def remaining_days(ctx: RuleContext) -> tuple[date | None, date | None]:
    """act_by for a card chargeback and a PayPal claim (None: that period is over or unknown)."""
    deadline = ctx.deadline
    p = ctx.profile
    card = act_by_for(ctx, deadline + timedelta(days=p.chargeback_days)) if deadline else None
    paid = ctx.shipment.ordered_at
    paypal = act_by_for(ctx, paid + timedelta(days=p.paypal_claim_days)) if paid else None
    return card, paypal


def _remains(ctx: RuleContext) -> str:
    """If the platform decides against the buyer: the chargeback dates, in one sentence."""
    card, paypal = remaining_days(ctx)
    if card is None and paypal is None:
        return "If it decides against you, nothing with a deadline remains."
    parts = [
        f"a card chargeback{by_when(card)}" if card else "",
        f"a PayPal claim{by_when(paypal)}" if paypal else "",
    ]
    return f"If it decides against you: {' or '.join(p for p in parts if p)}."


def case_moments(ctx: RuleContext) -> list[datetime]:
    """When the case alert changes: reply period end, escalation day, the remaining periods' ends."""
    moments: list[datetime] = []
    opened = ctx.case.at("dispute-opened")
    if opened is not None:
        reply_ends = ctx.date_of(opened) + timedelta(days=ctx.profile.seller_reply_days)
        moments.append(ctx.day_start(reply_ends + timedelta(days=1)))
    deadline = ctx.deadline
    if deadline is not None:
        margin = timedelta(days=ctx.profile.act_margin_days)
        ends = [deadline + timedelta(days=ctx.profile.chargeback_days)]
        if ctx.shipment.ordered_at:
            ends.append(ctx.shipment.ordered_at + timedelta(days=ctx.profile.paypal_claim_days))
        for end in ends:
            moments += [
                ctx.day_start(end - margin + timedelta(days=1)),
                ctx.day_start(end + timedelta(days=1)),
            ]
    return moments
