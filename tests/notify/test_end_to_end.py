"""Alerts through the App to a real SMTP server and a real HTTP receiver, with an injected clock.

Two parcels stall on the same day. The email target takes warnings and criticals and has quiet
hours; the webhook target collects info and warnings into a daily digest and fails once. In the
middle the process "dies" after claiming a message and a new App takes over the database.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.kits.common import write_replay
from tests.kits.receivers import Hook, Inbox, outbox_summary
from watcher.config import load_settings
from watcher.domain.clock import FrozenClock
from watcher.notify.transport import AppriseNotifier, Delivery, notifier_for
from watcher.service.app import App
from watcher.store import claims

HUB, LAMP = "LP00123456789012", "LP00123456789029"
EVENTS = [
    {
        "time": "2026-10-02T08:00:00+08:00",
        "description": "Accepted by carrier",
        "location": "Shenzhen, CN",
    },
    {
        "time": "2026-10-05T23:10:00+08:00",
        "description": 'Departed from origin <script>alert("x")</script>',
        "location": "Shenzhen, CN",
    },
]
LAMP_MOVES = {
    "time": "2026-11-01T09:00:00+01:00",
    "description": "Arrived at destination country",
    "location": "Leipzig, DE",
    "status": "in_transit",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_config(tmp_path: Path, smtp_port: int, http_port: int) -> Path:
    path = tmp_path / "watcher.toml"
    path.write_text(
        f"""
default_providers = ["replay"]
database_url = "sqlite:///{tmp_path / "watcher.db"}"
timezone = "Europe/Berlin"

[providers.replay]
path = "replay"

[notify]
reminders = {{ critical = [7, 3, 1], warning = [3, 1] }}

[notify.targets.email]
urls = ["mailto://127.0.0.1:{smtp_port}?from=watcher@example.com&to=owner@example.com"]
severities = ["warning", "critical"]
quiet_hours = {{ start = "22:00", end = "07:00", allow_critical = true }}

[notify.targets.hook]
urls = ["json://127.0.0.1:{http_port}/hook"]
digest = {{ at = "08:00", severities = ["info", "warning"] }}

[[shipments]]
tracking_number = "{HUB}"
label = "USB hub"
order_id = "8190000000000001"
ordered_at = 2026-10-01
protection_ends = 2026-12-05
destination = {{ country = "DE" }}

[[shipments]]
tracking_number = "{LAMP}"
label = "Desk lamp"
ordered_at = 2026-10-01
protection_ends = 2026-12-20
destination = {{ country = "DE" }}
""",
        encoding="utf-8",
    )
    return path


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


class CrashingNotifier:
    """Dies on the first send, after the dispatcher claimed the rows."""

    def __init__(self, inner: AppriseNotifier) -> None:
        self.inner = inner

    def targets(self) -> list[str]:
        return self.inner.targets()

    def send(self, target: str, title: str, body: str, **kwargs: Any) -> Delivery:
        raise Crash


def open_app(config: Path, clock: FrozenClock, notifier: Any = None) -> App:
    settings = load_settings(config)
    return App(settings, clock=clock, notifier=notifier or notifier_for(settings))


def run_until(
    app: App, clock: FrozenClock, until: datetime, step: timedelta = timedelta(hours=1)
) -> None:
    """Cycle every `step` from now until `until` (inclusive), like the daemon's ticks."""
    while clock.now() <= until:
        asyncio.run(app.cycle())
        clock.advance(step)
    clock.set(until)


def mails(inbox: Inbox) -> list[tuple[str, str]]:
    return [(m.at.isoformat(timespec="minutes"), m.subject) for m in inbox.mails]


def posts(hook: Hook) -> list[tuple[str, str]]:
    return [(at.isoformat(timespec="minutes"), post["title"]) for at, post in hook.posts]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_messages_arrive_once_at_the_right_time(
    tmp_path: Path, smtp, hook, test_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Leases are measured on the wall clock; here the test clock is the wall.
    monkeypatch.setattr(claims, "lease_clock", test_clock.now)
    inbox, smtp_port = smtp
    receiver, http_port = hook
    write_replay(tmp_path / "replay", HUB, EVENTS)
    write_replay(tmp_path / "replay", LAMP, EVENTS)
    config = write_config(tmp_path, smtp_port, http_port)
    clock = test_clock
    clock.set(utc("2026-10-25T21:30"))  # 22:30 in Berlin: quiet hours

    # Both parcels stall (their last scan is 20 days old). It is night: nothing is sent.
    app = open_app(config, clock)
    app.sync_config()
    run_until(app, clock, utc("2026-10-26T05:00"))
    assert mails(inbox) == [] and posts(receiver) == []
    with app.sessions() as session:
        summary = outbox_summary(session, clock.now())
    assert summary["pending"] == 4 and summary["targets"]["hook"]["pending"] == 2

    # 07:00 Berlin: the dispatcher claims the two emails and the process dies before sending.
    clock.set(utc("2026-10-26T06:00"))
    crashing = open_app(config, clock, CrashingNotifier(notifier_for(app.settings)))
    with pytest.raises(Crash):
        asyncio.run(crashing.cycle())
    crashing.engine.dispose()
    app.engine.dispose()
    assert mails(inbox) == []

    # A new process on the same database: the claim expires, then both emails go out once.
    receiver.fail_next = 1  # the webhook is down for the first digest attempt
    app = open_app(config, clock)
    clock.set(utc("2026-10-26T06:01"))
    asyncio.run(app.cycle())
    assert mails(inbox) == [], "claimed by the dead process until its lease expires"
    run_until(app, clock, utc("2026-10-26T09:00"), step=timedelta(minutes=5))
    assert mails(inbox) == [
        ("2026-10-26T06:06+00:00", "Contact the seller about USB hub by 28 Nov"),
        ("2026-10-26T06:06+00:00", "Contact the seller about Desk lamp by 13 Dec"),
    ]
    # 08:00 Berlin: the digest fails once, is retried a few minutes later, and arrives once.
    assert receiver.refused == 1
    assert posts(receiver) == [
        ("2026-10-26T07:06+00:00", "watcher digest for Mon 26 Oct: 2 updates")
    ]
    digest = receiver.posts[0][1]["message"]
    assert (
        "- Contact the seller about USB hub by 28 Nov\n  Stalled (warning): contact seller by 2026-11-28"
        in digest
    )
    assert "Desk lamp" in digest

    # Email gets HTML (apprise derives the text/plain alternative from it); provider text is escaped.
    html = inbox.mails[0].part("html")
    assert "<strong>USB hub</strong>" in html and HUB in html and "Order: 8190000000000001" in html
    assert (
        "<script>" not in html
        and "Departed from origin &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    )
    assert "<h3>Evidence to gather</h3>" in html and "<h3>Last tracking events</h3>" in html

    # The desk lamp moves again: its stall resolves. Email says so by day; the webhook's digest
    # carries it the next morning.
    write_replay(tmp_path / "replay", LAMP, [*EVENTS, LAMP_MOVES])
    clock.set(utc("2026-11-01T11:00"))
    run_until(app, clock, utc("2026-11-02T08:00"), step=timedelta(hours=1))
    assert mails(inbox)[2:] == [("2026-11-01T11:00+00:00", "Resolved: Desk lamp (stalled)")]
    assert "no action needed" in inbox.mails[2].part("html")
    assert posts(receiver)[1:] == [
        ("2026-11-02T07:00+00:00", "watcher digest for Mon 02 Nov: 1 update")
    ]

    # Three weeks later (the daemon was down in between). The desk lamp has stalled again: a
    # second stall is critical, sent at once. Buyer protection of the USB hub nears its end: a
    # second problem opens at midnight and waits for 07:00 by email (quiet hours) and 08:00 on
    # the webhook (digest). Reminders before act_by (28 Nov; warning: 3 and 1 days before, at
    # 09:00) skip the digest, and two problems asking for the same action by the same date make
    # one reminder, not two.
    clock.set(utc("2026-11-24T12:00"))
    run_until(app, clock, utc("2026-11-28T20:00"), step=timedelta(hours=1))
    reminder = "Reminder: Contact the seller about USB hub by 28 Nov"
    assert mails(inbox)[3:] == [
        ("2026-11-24T12:00+00:00", "Open a dispute for Desk lamp by 19 Dec"),
        ("2026-11-25T06:00+00:00", "Contact the seller about USB hub by 28 Nov"),
        ("2026-11-25T08:00+00:00", f"{reminder} (3 days left)"),
        ("2026-11-27T08:00+00:00", f"{reminder} (1 day left)"),
    ]
    assert "Deadline near (warning)" in inbox.mails[4].part("html")
    assert posts(receiver)[2:] == [
        ("2026-11-24T12:00+00:00", "Open a dispute for Desk lamp by 19 Dec"),
        ("2026-11-25T07:00+00:00", "watcher digest for Wed 25 Nov: 1 update"),
        ("2026-11-25T08:00+00:00", f"{reminder} (3 days left)"),
        ("2026-11-27T08:00+00:00", f"{reminder} (1 day left)"),
    ]

    # Midnight in Berlin: both problems escalate to critical. Critical passes quiet hours, and
    # skips the digest.
    run_until(app, clock, utc("2026-11-29T01:00"), step=timedelta(hours=1))
    critical = mails(inbox)[7:]
    assert critical == [
        ("2026-11-28T23:00+00:00", "Open a dispute for USB hub by 4 Dec"),
        ("2026-11-28T23:00+00:00", "Open a dispute for USB hub by 4 Dec"),
    ]
    assert posts(receiver)[6:] == critical
    # Push targets get plain text: parcel, problem, action, date, evidence, last events.
    text = receiver.posts[-1][1]["message"]
    assert text.startswith("The problem with USB hub got more urgent.\n\nParcel: USB hub\n")
    assert f"Tracking number: {HUB}\nOrder: 8190000000000001\n" in text
    assert "Action: open dispute\nAct by: Fri 04 Dec 2026 (5 days left)\n" in text
    assert "\nEvidence to gather:\n- " in text
    assert "Last tracking events:\n- 02 Oct 02:00  Accepted by carrier (Shenzhen, CN)\n" in text
    assert (
        '- 05 Oct 17:10  Departed from origin <script>alert("x")</script> (Shenzhen, CN)' in text
    )  # Berlin time

    # Nothing was sent twice, nothing is left behind, and another restart sends nothing.
    app.engine.dispose()
    count = len(inbox.mails), len(receiver.posts)
    app = open_app(config, clock)
    run_until(app, clock, utc("2026-11-29T03:00"))
    assert (len(inbox.mails), len(receiver.posts)) == count
    with app.sessions() as session:
        summary = outbox_summary(session, clock.now())
    assert summary["failed"] == 0 and summary["due"] == 0
    app.engine.dispose()
    assert json.dumps(summary, default=str)
