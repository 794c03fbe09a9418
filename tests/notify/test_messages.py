"""Titles, bodies, HTML escaping and user template overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watcher.notify.messages import (
    AlertFacts,
    DigestItem,
    EventLine,
    Templates,
    alert_title,
    render_alert,
    render_digest,
)

FACTS = AlertFacts(
    name="USB hub <b>",
    tracking_number="LP00123456789012",
    kind="stalled",
    action="open_dispute",
    severity="critical",
    message='Last seen: "<script>alert(1)</script>" & more',
    event="opened",
    today=date(2026, 12, 1),
    act_by=date(2026, 12, 5),
    evidence=("screenshots <img src=x onerror=alert(1)>",),
    events=(EventLine("05 Oct 17:10", "Departed <script>x</script>", "Shenzhen, CN"),),
    order_id="8190000000000001",
)


@pytest.mark.parametrize(
    ("act_by", "event", "title"),
    [
        (date(2026, 12, 5), "opened", "Open a dispute for USB hub by 5 Dec"),
        (date(2027, 1, 5), "opened", "Open a dispute for USB hub by 5 Jan 2027"),
        (date(2026, 12, 1), "opened", "Open a dispute for USB hub today"),
        (date(2026, 11, 20), "opened", "Open a dispute for USB hub now (was due 20 Nov)"),
        (
            date(2026, 12, 4),
            "reminder",
            "Reminder: Open a dispute for USB hub by 4 Dec (3 days left)",
        ),
        (
            date(2026, 12, 2),
            "reminder",
            "Reminder: Open a dispute for USB hub by 2 Dec (1 day left)",
        ),
        (None, "opened", "Open a dispute for USB hub"),
        (date(2026, 12, 5), "resolved", "Resolved: USB hub (stalled)"),
    ],
)
def test_titles(act_by: date | None, event: str, title: str) -> None:
    got = alert_title(
        action="open_dispute",
        name="USB hub",
        act_by=act_by,
        event=event,
        today=date(2026, 12, 1),
        kind="stalled",
    )
    assert got == title


def test_plain_text_body_has_everything_to_act() -> None:
    text = render_alert(FACTS, Templates()).text
    assert text == (
        "New problem with USB hub <b>.\n\n"
        "Parcel: USB hub <b>\n"
        "Tracking number: LP00123456789012\n"
        "Order: 8190000000000001\n"
        "Problem: Stalled (critical)\n"
        "Action: open dispute\n"
        "Act by: Sat 05 Dec 2026 (4 days left)\n\n"
        'Last seen: "<script>alert(1)</script>" & more\n\n'
        "Evidence to gather:\n"
        "- screenshots <img src=x onerror=alert(1)>\n\n"
        "Last tracking events:\n"
        "- 05 Oct 17:10  Departed <script>x</script> (Shenzhen, CN)\n"
    )


def test_html_body_escapes_everything_from_outside() -> None:
    html = render_alert(FACTS, Templates()).html
    for raw in ("<script>", "<img", "<b>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Departed &lt;script&gt;x&lt;/script&gt; (Shenzhen, CN)" in html
    assert "USB hub &lt;b&gt;" in html and "&amp; more" in html
    assert "<li>screenshots &lt;img src=x onerror=alert(1)&gt;</li>" in html


def test_user_templates_override_built_in_ones(tmp_path: Path) -> None:
    (tmp_path / "alert.txt").write_text(
        "$title / $parcel / $act_by / $unknown_name\n", encoding="utf-8"
    )
    rendered = render_alert(FACTS, Templates(tmp_path))
    assert (
        rendered.text
        == "Open a dispute for USB hub <b> by 5 Dec / USB hub <b> / 2026-12-05 / $unknown_name\n"
    )
    assert rendered.html.startswith("<div")  # alert.html not overridden: the built-in one


def test_digest_groups_items() -> None:
    rendered = render_digest(
        [
            DigestItem("Keep an eye on USB hub", "Stalled (info): wait"),
            DigestItem("Resolved: <lamp>", ""),
        ],
        date(2026, 11, 2),
        Templates(),
    )
    assert rendered.title == "watcher digest for Mon 02 Nov: 2 updates"
    assert "- Keep an eye on USB hub\n  Stalled (info): wait\n- Resolved: <lamp>" in rendered.text
    assert "<strong>Resolved: &lt;lamp&gt;</strong>" in rendered.html
