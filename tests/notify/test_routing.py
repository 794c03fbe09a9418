"""Routing, quiet hours, digests, escalation and reminders: the pure decisions of watcher/notify/routing.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from watcher.config import DigestConfig, QuietHoursConfig
from watcher.notify.routing import (
    Route,
    Router,
    State,
    is_escalation,
    quiet_end,
    reminder_due,
    schedule,
)

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = QuietHoursConfig(start=time(22), end=time(7))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "end"),
    [
        ("2026-11-10T20:59", None),  # 21:59 Berlin: not yet quiet
        ("2026-11-10T21:00", "2026-11-11T06:00"),  # 22:00 Berlin: quiet until 07:00 tomorrow
        ("2026-11-11T02:00", "2026-11-11T06:00"),  # 03:00 Berlin: until 07:00 today
        ("2026-11-11T06:00", None),  # 07:00 Berlin: over
        ("2026-10-24T21:30", "2026-10-25T06:00"),  # the night clocks go back: 07:00 CET
    ],
)
def test_quiet_hours_wrap_midnight_in_the_owner_zone(moment: str, end: str | None) -> None:
    found = quiet_end(NIGHT, utc(moment), BERLIN)
    assert found == (utc(end) if end else None)


def test_daytime_quiet_hours() -> None:
    lunch = QuietHoursConfig(start=time(12), end=time(13))
    assert quiet_end(lunch, utc("2026-11-10T11:30"), BERLIN) == utc("2026-11-10T12:00")
    assert quiet_end(lunch, utc("2026-11-10T12:30"), BERLIN) is None


@pytest.mark.parametrize(
    ("severity", "allow_critical", "due", "digest"),
    [
        ("warning", True, "2026-11-11T06:00", False),  # waits for the end of the night
        ("critical", True, "2026-11-10T23:00", False),  # passes
        ("critical", False, "2026-11-11T06:00", False),  # not allowed to pass
        ("info", True, "2026-11-11T07:00", True),  # the 08:00 digest
    ],
)
def test_schedule(severity: str, allow_critical: bool, due: str, digest: bool) -> None:
    route = Route(
        "phone",
        quiet_hours=QuietHoursConfig(start=time(22), end=time(7), allow_critical=allow_critical),
        digest=DigestConfig(at=time(8), severities=["info"]),
    )
    slot = schedule(route, utc("2026-11-10T23:00"), severity, BERLIN)
    assert (slot.due_at, slot.digest) == (utc(due), digest)


def test_digest_time_inside_quiet_hours_waits_for_their_end() -> None:
    route = Route("phone", quiet_hours=NIGHT, digest=DigestConfig(at=time(6), severities=["info"]))
    assert schedule(route, utc("2026-11-10T12:00"), "info", BERLIN).due_at == utc(
        "2026-11-11T06:00"
    )


@pytest.mark.parametrize(
    ("kind", "severity", "takes"),
    [
        ("stalled", "warning", True),
        ("stalled", "info", False),
        ("deadline_passed", "critical", True),
        ("deadline_near", "critical", False),  # excluded
        ("customs_hold", "critical", False),  # not listed
    ],
)
def test_route_filters(kind: str, severity: str, takes: bool) -> None:
    route = Route(
        "phone",
        severities=frozenset({"warning", "critical"}),
        kinds=("stalled", "deadline_*"),
        exclude_kinds=("deadline_near",),
    )
    assert route.takes(kind, severity) is takes


@pytest.mark.parametrize(
    ("last", "current", "escalates"),
    [
        (
            ("warning", "contact_seller", "2026-12-05"),
            ("critical", "contact_seller", "2026-12-05"),
            True,
        ),
        (
            ("critical", "open_dispute", "2026-12-05"),
            ("warning", "contact_seller", "2026-12-05"),
            False,
        ),
        (
            ("warning", "contact_seller", "2026-12-05"),
            ("warning", "open_dispute", "2026-12-05"),
            True,
        ),
        (
            ("warning", "contact_seller", "2026-12-05"),
            ("warning", "contact_seller", "2026-12-01"),
            True,
        ),
        (
            ("warning", "contact_seller", "2026-12-05"),
            ("warning", "contact_seller", "2026-12-09"),
            False,
        ),
        (
            ("warning", "contact_seller", "2026-12-05"),
            ("warning", "contact_seller", "2026-12-05"),
            False,
        ),
        (("info", "wait", None), ("info", "wait", "2026-12-05"), True),
    ],
)
def test_escalation(
    last: tuple[str, str, str | None], current: tuple[str, str, str | None], escalates: bool
) -> None:
    assert is_escalation(State(*last), State(*current)) is escalates


def test_reminders_pick_the_closest_passed_day_since_the_owner_was_told() -> None:
    router = Router([Route("x")], tz=BERLIN, remind_at=time(9))
    act_by = date(2026, 12, 5)
    told = utc("2026-11-20T10:00")
    assert reminder_due((7, 3, 1), act_by, told, utc("2026-11-28T07:59"), router) is None
    assert (
        reminder_due((7, 3, 1), act_by, told, utc("2026-11-28T08:00"), router) == 7
    )  # 09:00 Berlin
    # The daemon was down for a week: only the latest reminder, not three.
    assert reminder_due((7, 3, 1), act_by, told, utc("2026-12-04T12:00"), router) == 1
    # Told after the 7-day moment: that reminder is skipped.
    assert (
        reminder_due((7, 3, 1), act_by, utc("2026-11-29T10:00"), utc("2026-11-29T12:00"), router)
        is None
    )
    assert reminder_due((7, 3, 1), act_by, told, utc("2026-12-06T12:00"), router) is None  # past


def test_router_is_the_list_of_target_names() -> None:
    router = Router([Route("email"), Route("phone")])
    assert list(router) == ["email", "phone"] and len(router) == 2 and router[1] == "phone"
    assert Router.coerce(["a"]).route("a") == Route("a")
    assert Router.coerce(router) is router
