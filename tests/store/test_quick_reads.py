"""`watcher list` and `watcher status` read through `store/quickread.py` (plain SQL, `sqlite3` on SQLite).

The reader must say exactly what the ORM says: these tests fill a database through the ORM and
compare the reader's lines and records with the ORM-based definitions, and its outbox summary
with figures worked out by hand, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.kits.common import T0
from watcher.cli import listing, renderer
from watcher.cli.main import main
from watcher.cli.render import shipment_json, shipment_record
from watcher.config import database_url, load_settings
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import db, quickread, shipments
from watcher.store.tables import NotificationRow, ShipmentRow

NOW = T0 + timedelta(days=20)
EMPTY = "No parcels watched yet. Add one with `watcher add TRACKING` or in the config file.\n"

SHIPMENTS: list[dict[str, Any]] = [
    {
        "tracking_number": "LP00000000000001",
        "label": "USB hub",
        "status": "in_transit",
        "created_at": T0,
        "last_event_at": T0 + timedelta(days=2, microseconds=123456),
        "next_poll_at": T0 + timedelta(days=3),
        "ordered_at": date(2026, 10, 1),
        "protection_ends": date(2026, 12, 5),
        "dest_country": "DE",
        "dest_city": "Berlin",
    },
    # Same created_at: the id decides.
    {
        "tracking_number": "LP00000000000002",
        "label": None,
        "status": "pending",
        "created_at": T0,
        "providers": ["cainiao", "17track"],
        "max_delivery_days": 45,
        "marketplace": "temu",
    },
    # Created first: listed first.
    {
        "tracking_number": "RR123456785CN",
        "label": "Lampe für die Küche — 日本",
        "status": "delivered",
        "created_at": T0 - timedelta(days=1),
        "last_event_at": T0 + timedelta(days=9),
        "received_at": T0 + timedelta(days=10),
        "providers": [],
        "substatus": "delivered.mailbox",
    },
    {
        "tracking_number": "LP00000000000004",
        "label": "old",
        "status": "delivered",
        "created_at": T0 + timedelta(hours=1),
        "last_event_at": T0 + timedelta(days=5),
        "received_at": T0 + timedelta(days=6),
        "archived_at": T0 + timedelta(days=7),
    },
    # Wider than its column, and every other time set.
    {
        "tracking_number": "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345",
        "label": "",
        "status": "available_for_pickup",
        "substatus": "exception.customs_hold",
        "created_at": T0 + timedelta(hours=2),
        "last_event_at": datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "not_received_at": T0 + timedelta(days=11),
        "order_id": "8190000000000000",
        "dest_postcode": "10115",
    },
    # Padding counts characters, not bytes.
    {
        "tracking_number": "LP0000000000000Ü",
        "label": "x",
        "status": "zugestellt—ü",
        "created_at": T0 + timedelta(hours=3),
    },
]


def fill(session: Session) -> None:
    for values in SHIPMENTS:
        session.add(ShipmentRow(**{"updated_at": values["created_at"], **values}))


def orm_cells(row: ShipmentRow) -> list[str]:
    """A `watcher list` row's cells from the ORM row (no open alerts in these tests)."""
    values = [
        getattr(row, "dest_" + c[5:] if c.startswith("dest_") else c)
        for c in quickread.RECORD_COLUMNS
    ]
    return listing.cells(values, {}, datetime.now(UTC), UTC)


def cells_of(table: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def config_file(make_config: Any, database_url: str) -> Path:
    return make_config(f'database_url = "{database_url}"\n', database=False)


@pytest.fixture
def app(config_file: Path) -> Iterator[App]:
    app = App(load_settings(config_file), notifier=RecordingNotifier())
    yield app
    app.engine.dispose()


@pytest.fixture
def config(config_file: Path, app: App) -> Path:
    with app.sessions.begin() as session:
        fill(session)
    return config_file


@contextmanager
def reader(app: App) -> Iterator[quickread.Database]:
    """The reader on the app's database, as the CLI opens it: `sqlite3` on SQLite, else SQLAlchemy."""
    path = db.sqlite_path(database_url(app.settings))
    if path is None:
        with app.engine.connect() as connection:
            yield quickread.SqlAlchemyDatabase(connection)
    else:
        with quickread.open_sqlite(path) as database:
            yield database


def expected_listing(
    app: App, *, include_archived: bool, limit: int | None = None
) -> tuple[str, list[dict[str, Any]]]:
    with app.sessions() as session:
        rows = shipments.list_shipments(session, include_archived=include_archived)[:limit]
        lines = renderer.table_lines(listing.COLUMNS, [orm_cells(row) for row in rows])
        text = "".join(line + "\n" for line in lines)
        return text, [shipment_json(row) for row in rows]


@pytest.mark.parametrize("include_archived", [False, True])
def test_list_says_what_the_orm_rows_say(
    config: Path, app: App, capsys: pytest.CaptureFixture[str], include_archived: bool
) -> None:
    text, records = expected_listing(app, include_archived=include_archived)
    flags = ["--all"] if include_archived else []
    assert run(capsys, "list", "--config", str(config), *flags) == (0, text)
    code, out = run(capsys, "list", "--config", str(config), "--json", *flags)
    assert code == 0 and json.loads(out) == records
    # One parcel per line, in the array's order.
    assert [json.loads(line.rstrip(",")) for line in out.splitlines()[1:-1]] == records


@pytest.mark.parametrize("limit", [1, 3, 100])
def test_list_limit_shows_the_first_n(
    config: Path, app: App, capsys: pytest.CaptureFixture[str], limit: int
) -> None:
    _, records = expected_listing(app, include_archived=True)
    shown, _ = expected_listing(app, include_archived=True, limit=limit)
    assert run(capsys, "list", "--config", str(config), "--all", "--limit", str(limit)) == (
        0,
        shown,
    )
    code, out = run(
        capsys, "list", "--config", str(config), "--all", "--json", "--limit", str(limit)
    )
    assert code == 0 and json.loads(out) == records[:limit]


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_list_limit_must_be_positive(
    config: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["list", "--config", str(config), "--limit", value])
    assert (
        exit_info.value.code == 2
        and "--limit: not a positive whole number" in capsys.readouterr().err
    )


def test_list_of_nothing(make_config: Any, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(make_config())
    assert run(capsys, "list", "--config", config) == (0, EMPTY)  # creates the database
    assert run(capsys, "list", "--config", config) == (0, EMPTY)  # reads it with sqlite3
    assert run(capsys, "list", "--config", config, "--json") == (0, "[]\n")


def test_list_streams_in_chunks(
    config: Path, app: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text, records = expected_listing(app, include_archived=True)
    monkeypatch.setattr(quickread, "CHUNK", 2)
    code, out = run(capsys, "list", "--config", str(config), "--all")
    # Widths come from the first chunk; every cell of every row is still there, in order.
    assert code == 0 and cells_of(out) == cells_of(text)
    assert json.loads(run(capsys, "list", "--config", str(config), "--all", "--json")[1]) == records


@pytest.mark.parametrize("make_database_url", ["sqlite"], indirect=True)
def test_list_and_status_do_not_import_sqlalchemy(config: Path) -> None:
    """The point of the reader: start-up without SQLAlchemy, the app, httpx clients or apprise."""
    probe = (
        "import sys\nfrom watcher.cli.main import main\n"
        f"for argv in (['list', '--config', {str(config)!r}], ['status', '--config', {str(config)!r}]):\n"
        "    main(argv)\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'watcher.service.app', 'watcher.store.tables', 'apprise', 'httpx') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_an_older_schema_is_migrated_first(
    make_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config()
    url = database_url(load_settings(config))
    engine = db.make_engine(url)
    db.upgrade(engine, "0003")
    engine.dispose()
    assert run(capsys, "list", "--config", str(config)) == (0, EMPTY)
    path = db.sqlite_path(url)
    assert path is not None and quickread.sqlite_revisions(path) == [db.script_head()]


def test_reader_values_match_the_orm_types() -> None:
    for moment in (T0, T0 + timedelta(microseconds=1), T0 + timedelta(microseconds=120000)):
        stored = quickread.sqlite_params({"t": moment})["t"]
        assert quickread.when(stored) == moment
        assert (
            quickread.iso_time(stored)
            == quickread.iso_time(moment)
            == moment.isoformat(timespec="seconds").replace("+00:00", "Z")  # never microseconds
        )
    assert (
        quickread.iso_time("2026-11-01 12:00:00") == "2026-11-01T12:00:00Z"
    )  # other text forms still parse
    assert quickread.iso_time(None) is None and quickread.when(None) is None
    assert quickread.iso_day("2026-10-01") == quickread.iso_day(date(2026, 10, 1)) == "2026-10-01"
    assert [quickread.json_value(v) for v in (None, "null", "[]", '["a"]', ["b"])] == [
        None,
        None,
        [],
        ["a"],
        ["b"],
    ]


def test_shipment_record_of_an_empty_row() -> None:
    values = ["LP1", None, "aliexpress", *[None] * 8, "pending", *[None] * 6]
    assert shipment_record(values) == {
        "tracking_number": "LP1",
        "label": None,
        "marketplace": "aliexpress",
        "order_id": None,
        "ordered_at": None,
        "protection_ends": None,
        "max_delivery_days": None,
        "destination": {"country": None, "city": None, "postcode": None},
        "providers": None,
        "status": "pending",
        "substatus": None,
        "last_event_at": None,
        "next_poll_at": None,
        "received_at": None,
        "not_received_at": None,
        "archived_at": None,
        "legs": [],
    }


# ---------------------------------------------------------------- status


def fill_outbox(session: Session) -> None:
    """Messages in every state, for three targets."""
    rows = [
        # target, created, due, sent, failed, attempts, last_error, last_attempt
        ("default", -50, -50, -49, None, 1, None, None),
        ("default", -30, -2, None, None, 0, None, None),  # due for 2 hours
        ("default", -20, 5, None, None, 0, None, None),  # digest, later
        ("default", -10, -1, None, None, 2, "connection refused", -1),
        ("default", -12, -3, None, None, 1, "timeout", -3),  # an older error
        ("phone", -40, -40, None, -30, 5, "HTTP 500", -30),  # given up long ago
        ("phone", -5, -5, None, -2, 5, "HTTP 401", -2),  # given up within the last day
        ("phone", -4, -4, -3, None, 1, "flaky", -4),  # sent after an error: no longer counts
        ("mail", -3, -3, -3, None, 1, None, None),
    ]
    hour = timedelta(hours=1)
    for i, (target, created, due, sent, failed, attempts, error, attempt) in enumerate(rows):
        session.add(
            NotificationRow(
                target=target,
                event="opened",
                severity="warning",
                title=f"t{i}",
                body="b",
                dedupe_key=f"k{i}",
                created_at=NOW + created * hour,
                due_at=NOW + due * hour,
                sent_at=sent and NOW + sent * hour,
                failed_at=failed and NOW + failed * hour,
                attempts=attempts,
                last_error=error,
                last_attempt_at=attempt and NOW + attempt * hour,
            )
        )


def expected_outbox() -> dict[str, Any]:
    """The summary of `fill_outbox` at NOW, given-up count since a day before."""
    hour = timedelta(hours=1)
    target = {
        "pending": 0,
        "due": 0,
        "retrying": 0,
        "failed": 0,
        "sent": 1,
        "oldest_pending_age_seconds": None,
        "next_due_at": None,
        "last_sent_at": NOW - 3 * hour,
        "last_error": None,
        "last_error_at": None,
    }
    return {
        "backlog": 4,
        "pending": 4,
        "due": 3,
        "retrying": 2,
        "failed": 2,
        "oldest_pending_age_seconds": 30 * 3600.0,
        "targets": {
            # Waiting since -30 h, next due -3 h; the latest unsent error wins over the older one.
            "default": {
                **target,
                "pending": 4,
                "due": 3,
                "retrying": 2,
                "oldest_pending_age_seconds": 30 * 3600.0,
                "next_due_at": NOW - 3 * hour,
                "last_sent_at": NOW - 49 * hour,
                "last_error": "connection refused",
                "last_error_at": NOW - hour,
            },
            "mail": target,
            # The "flaky" error was followed by a send: it no longer counts.
            "phone": {
                **target,
                "failed": 2,
                "last_error": "HTTP 401",
                "last_error_at": NOW - 2 * hour,
            },
        },
        "oldest_due_at": NOW - 3 * hour,
        "gave_up": 1,
    }


def test_outbox_summary(app: App) -> None:
    with app.sessions.begin() as session:
        fill_outbox(session)
    with reader(app) as database:
        found = quickread.outbox_summary(database, NOW, gave_up_since=NOW - timedelta(days=1))
    assert found == expected_outbox()
    assert list(found["targets"]) == ["default", "mail", "phone"]


def test_status_figures(config: Path, app: App, capsys: pytest.CaptureFixture[str]) -> None:
    with app.sessions.begin() as session:
        fill_outbox(session)
    code, out = run(capsys, "status", "--json", "--config", str(config))
    data = json.loads(out)
    assert code == 1 and data["shipments"] == {
        "in_transit": 1,
        "pending": 1,
        "delivered": 1,
        "available_for_pickup": 1,
        "zugestellt—ü": 1,
    }
    assert (
        data["outbox"]["backlog"] == 4 and data["outbox"]["gave_up_last_day"] == 0
    )  # the clock is real: long ago
    assert (
        data["database"]["revision"] == db.script_head()
        and data["database"]["kind"] == app.engine.dialect.name
    )
    assert data["database"]["size_bytes"] > 0


@pytest.mark.parametrize(
    "url", ["sqlite:////var/lib/watcher/watcher.db", "sqlite:///rel ative+x~y_z-1.db"]
)
def test_plain_sqlite_urls_are_shown_as_sqlalchemy_shows_them(url: str) -> None:
    from sqlalchemy.engine import make_url

    assert db.redact_url(url) == make_url(url).render_as_string(hide_password=True) == url


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "sqlite:///{state_home}/watcher/watcher.db"),
        ('state_dir = "state"\n', "sqlite:///{config_dir}/state/watcher.db"),
        ('state_dir = "/srv/watcher"\n', "sqlite:////srv/watcher/watcher.db"),
        ('database_url = "postgresql://u:p@h/db"\n', "postgresql://u:p@h/db"),
    ],
)
def test_settings_url_is_the_apps(
    make_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, expected: str
) -> None:
    """`list`/`status` (no app, no SQLAlchemy) and the app select the database by one rule."""
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    settings = load_settings(make_config(body, database=False))
    assert database_url(settings) == expected.format(
        state_home=tmp_path / "xdg", config_dir=tmp_path
    )
