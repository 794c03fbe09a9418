"""The dispute advisor: rules that turn a shipment's timeline into alerts with one action and a date.

Rules are pure: `evaluate(ctx)` looks only at the RuleContext (shipment, timeline, `now`, profile,
zone) and returns the open problems; the store decides what is new, escalated or resolved by
comparing `Alert.key` and `Alert.state_key` across cycles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.domain.models import Alert
from watcher.rules.base import Rule, RuleContext, deadline_for, is_quiet, ladder_moments
from watcher.rules.case import STEPS, CaseState, CaseStep
from watcher.rules.customs import CustomsRule
from watcher.rules.deadline import DeadlineRule
from watcher.rules.delivery import DeliveredRule, NotReceivedRule
from watcher.rules.ladder import case_alerts, case_moments
from watcher.rules.profiles import BUILTIN_PROFILES, Profile, resolve_profile, validate_profiles
from watcher.rules.shipping import NotShippedRule
from watcher.rules.stall import StallRule
from watcher.rules.trouble import DeliveryFailedRule, ExceptionRule, ReturningRule

__all__ = [
    "BUILTIN_PROFILES",
    "STEPS",
    "CaseState",
    "CaseStep",
    "Evaluation",
    "Profile",
    "Rule",
    "RuleContext",
    "deadline_for",
    "default_rules",
    "evaluate",
    "resolve_profile",
    "validate_profiles",
]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The open alerts for one shipment, and when it next needs a look without new events."""

    alerts: tuple[Alert, ...]
    next_look_at: datetime | None


def default_rules() -> tuple[Rule, ...]:
    """Every built-in rule, in the order their alerts are listed."""
    return (
        NotShippedRule(),
        StallRule(),
        CustomsRule(),
        DeliveryFailedRule(),
        ReturningRule(),
        ExceptionRule(),
        DeliveredRule(),
        NotReceivedRule(),
        DeadlineRule(),
    )


def evaluate(ctx: RuleContext, rules: Sequence[Rule] | None = None) -> Evaluation:
    """Run the rules on one shipment: alerts (one per key) and the earliest moment any may change."""
    alerts: dict[str, Alert] = {}
    moments: list[datetime] = []
    for rule in default_rules() if rules is None else rules:
        for alert in rule.evaluate(ctx):
            alerts.setdefault(alert.alert_key, alert)  # one alert per problem
        moment = rule.next_change(ctx)
        if moment is not None and moment > ctx.now:
            moments.append(moment)
    found = case_alerts(ctx, list(alerts.values()))
    if found and not is_quiet(ctx):
        # The case alert's dates (reply period, escalation, chargeback periods).
        moments += [m for m in (*case_moments(ctx), *ladder_moments(ctx)) if m > ctx.now]
    return Evaluation(alerts=tuple(found), next_look_at=min(moments, default=None))
