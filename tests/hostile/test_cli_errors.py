"""One-line errors (exit 2 bad input, 1 runtime) where tracebacks used to be."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.hostile.test_bounds import NUMBER, one_line_error, run


def test_binary_config_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "watcher.toml"
    path.write_bytes(os.urandom(64) + b"\xff\xfe\x00binary")
    code, _, err = run(capsys, "list", "--config", str(path))
    assert code == 2
    one_line_error(err, str(path), "not valid TOML")


@pytest.mark.parametrize(
    "text", ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000 + "1" + "}" * 3000]
)
def test_deeply_nested_config_file(capsys, tmp_path: Path, text: str) -> None:
    path = tmp_path / "watcher.toml"
    path.write_text(text)
    code, _, err = run(capsys, "config", "check", "--config", str(path))
    assert code == 2
    one_line_error(err, str(path))


def test_state_dir_pointing_at_a_file(capsys, make_config, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    config = make_config('state_dir = "afile"\n', database=False)
    code, _, err = run(capsys, "list", "--config", str(config))
    assert code == 1
    one_line_error(err, "afile")


@pytest.fixture
def database(capsys, make_config, tmp_path: Path) -> tuple[str, Path]:
    config = str(make_config())
    assert run(capsys, "add", NUMBER, "--config", config)[0] == 0
    return config, tmp_path / "watcher.db"


COMMANDS = [
    ["list"], ["list", "--json"], ["status"], ["status", "--json"], ["show", NUMBER],
    ["check", "--no-notify"], ["alerts"], ["notifications"], ["db", "export", "--json"],
    ["add", "RR123456785DE"], ["archive", NUMBER], ["providers", "--no-quota"],
]  # fmt: skip


def corrupt(path: Path, how: str) -> None:
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "garbage":
        path.write_bytes(b"this is not a database" * 200)
    else:  # a zeroed header: SQLite no longer recognizes the file
        path.write_bytes(b"\0" * 100 + data[100:])


@pytest.mark.parametrize("how", ["truncated", "garbage", "header"])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_corrupt_database_on_every_command(capsys, database, how: str, argv: list[str]) -> None:
    config, path = database
    corrupt(path, how)
    code, _, err = run(capsys, *argv, "--config", config)
    if how == "truncated" and code == 0:
        return  # a cut that leaves every page this command reads intact is still readable
    assert code == 1
    one_line_error(err, "database file is corrupt", str(path), "watcher db backup")


def test_backup_of_a_corrupt_database(capsys, database, tmp_path: Path) -> None:
    config, path = database
    corrupt(path, "garbage")
    code, _, err = run(capsys, "db", "backup", str(tmp_path / "copy.db"), "--config", config)
    assert code == 1
    one_line_error(err, "database file is corrupt")


def test_read_only_database(capsys, database, tmp_path: Path, make_config) -> None:
    _, path = database
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copy(path, ro / "watcher.db")
    config = make_config(
        f'database_url = "sqlite:///file:{ro / "watcher.db"}?mode=ro&uri=true"\n', database=False
    )
    code, _, err = run(capsys, "add", "RR123456785DE", "--config", str(config))
    assert code == 1
    one_line_error(err, "database is read-only")


@pytest.mark.parametrize(
    "error",
    [sqlite3.OperationalError("database or disk is full"), OSError(28, "No space left on device")],
)
def test_full_disk(capsys, database, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    config, _ = database

    def full(*args, **kwargs):
        raise error

    monkeypatch.setattr("watcher.store.shipments.add_shipment", full)
    code, _, err = run(capsys, "add", "RR123456785DE", "--config", config)
    assert code == 1
    one_line_error(err, "no space left on device writing")


def test_duplicate_tracking_numbers_name_both_entries(capsys, make_config) -> None:
    body = "".join(
        f'[[shipments]]\ntracking_number = "{n}"\n'
        for n in (NUMBER, "RR123456785DE", NUMBER.lower())
    )
    code, _, err = run(capsys, "config", "check", "--config", str(make_config(body)))
    assert code == 2
    one_line_error(err, "shipments[2].tracking_number", "shipments[0]")


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://u:p@h/db", "", "sqlite", "http://example.com"]
)
def test_database_url_is_validated(capsys, make_config, url: str) -> None:
    config = make_config(f'database_url = "{url}"\n', database=False)
    code, _, err = run(capsys, "config", "check", "--config", str(config))
    assert code == 2
    one_line_error(err, "database_url")


@pytest.mark.parametrize("number", ["------", "--- ---", "-" * 40])
def test_tracking_number_needs_a_letter_or_digit(capsys, make_config, number: str) -> None:
    code, _, err = run(capsys, "add", "--config", str(make_config()), "--", number)
    assert code == 2
    one_line_error(err, "at least one letter or digit")


def test_add_checks_the_marketplace_like_the_config(capsys, make_config) -> None:
    config = str(make_config())
    code, _, err = run(capsys, "add", NUMBER, "--config", config, "--marketplace", "ebay")
    assert code == 2
    one_line_error(err, "--marketplace", "ebay", "aliexpress")
    body = f'[[shipments]]\ntracking_number = "{NUMBER}"\nmarketplace = "ebay"\n'
    code, _, err2 = run(capsys, "config", "check", "--config", str(make_config(body)))
    assert code == 2 and "ebay" in err2
