"""Engine, sessions and migrations. SQLite (WAL) by default, PostgreSQL (psycopg 3) for several instances.

SQLAlchemy is imported inside the functions that use it: `watcher list` and `watcher status`
read SQLite through `sqlite3` (`store/quickread.py`) and use only the plain helpers here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.domain.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

_LOGGER = logging.getLogger(__name__)
#: SQLite URLs that SQLAlchemy renders back unchanged (no quoting), so they can be shown as they are.
_PLAIN_SQLITE_URL = re.compile(r"sqlite:///[A-Za-z0-9+\-./_~ ]+")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: pg_advisory_xact_lock key that serializes migrations when several instances start at once.
MIGRATION_LOCK_KEY = 0x77617463  # "watc"


def redact_url(url: str) -> str:
    """A database URL safe to print (password removed)."""
    if _PLAIN_SQLITE_URL.fullmatch(url):
        return url  # no password, and SQLAlchemy would print it unchanged: skip importing it
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is still not printed whole
        return "<unparseable database URL>"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import SQLAlchemyError

    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            url = normalize_url(url)
            engine = create_engine(url, pool_pre_ping=True, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"database_url {redact_url(url)}: {exc}") from None
    return engine


def normalize_url(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3 (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for in-memory or other databases)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path).expanduser() if path and path != ":memory:" else None


def database_size(engine: Engine) -> int | None:
    """Bytes on disk: the SQLite file plus its WAL, or pg_database_size; None if unknown."""
    from sqlalchemy import text

    if is_postgres(engine):
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    return None if path is None else sqlite_size(path)


def sqlite_size(path: Path) -> int:
    """Bytes on disk of a SQLite database: the file plus its WAL."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def script_head() -> str:
    """The newest migration's revision, read from the files without importing Alembic."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.MULTILINE)
        parent = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.MULTILINE)
        if revision:
            revisions.add(revision.group(1))
        if parent:
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else ""


def at_head(engine: Engine) -> bool:
    """True when the database already has the newest schema (the common start-up case)."""
    return stored_revisions(engine) == [script_head()]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent; runs at every start-up)."""
    if revision == "head" and at_head(engine):
        return  # nothing to do: skip importing Alembic (a quarter of `watcher list`'s start-up)
    from alembic import command

    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Roll the schema back to `revision` (for a release that has to be rolled back)."""
    from alembic import command

    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Any, revision: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    sqlite = not is_postgres(engine)
    try:
        with engine.connect() as connection:
            if sqlite:
                # SQLite's documented ALTER TABLE procedure: foreign keys off (outside a transaction)
                # while a batch migration copies a table, or dropping the old one cascades.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()  # ends SQLAlchemy's autobegun transaction (pysqlite began none)
            with connection.begin():
                if not sqlite:
                    # Two instances starting together must not both create the tables.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                step(config, revision)
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    except OperationalError as exc:
        raise StoreError(
            f"cannot open database {redact_url(str(engine.url))}: {exc.orig}"
        ) from None


def stored_revisions(engine: Engine) -> list[str]:
    """The revisions in `alembic_version` (empty before the first migration), read with plain SQL."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as connection:
            return list(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except SQLAlchemyError:
        return []


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; plain SQL, so `watcher status` need not import Alembic."""
    revisions = stored_revisions(engine)
    return revisions[0] if len(revisions) == 1 else None


def has_schema(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("shipments")


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine with the schema at head, and its session factory."""
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the database directory {path.parent}: "
                f"{exc.strerror or exc} (is state_dir a file?)"
            ) from None
        if path.is_dir():
            raise StoreError(f"database path is a directory: {path}")
    engine = make_engine(url)
    with database_errors(url):
        upgrade(engine)
    return engine, session_factory(engine)


#: SQLite's own words for what went wrong, and the one line a user gets for each.
_SQLITE_MESSAGES = (
    (("file is not a database", "malformed", "disk image"), "corrupt"),
    (("readonly database", "read-only", "read only"), "read-only"),
    (("database or disk is full", "no space left"), "full"),
    (("unable to open database file",), "unopenable"),
)


def describe_database_error(exc: BaseException, url: str | None) -> str | None:
    """The one-line message for a database failure a user can fix, or None if unknown."""
    import errno

    where = _where(url)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on device writing {exc.filename or where}"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return f"database is read-only: {exc.filename or where}"
    text = str(getattr(exc, "orig", None) or exc).lower()
    kind = next((k for words, k in _SQLITE_MESSAGES if any(w in text for w in words)), None)
    return {
        "corrupt": f"database file is corrupt: {where} (restore a `watcher db backup`)",
        "read-only": f"database is read-only: {where}",
        "full": f"no space left on device writing {where}",
        "unopenable": f"cannot open database file: {where} (does its folder exist and allow writing?)",
        None: None,
    }[kind]


def _where(url: str | None) -> str:
    if url is None:
        return "the database"
    path = sqlite_path(url)
    return str(path) if path is not None else redact_url(url)


@contextmanager
def database_errors(url: str | None) -> Iterator[None]:
    """Turns a database failure a user can fix into a one-line StoreError naming the file."""
    import sqlite3
    import sys

    try:
        yield
    except Exception as exc:
        # SQLAlchemy's errors only if it is loaded: `list` and `status` read SQLite without it.
        alchemy = sys.modules.get("sqlalchemy.exc")
        known = (sqlite3.Error, OSError, *([alchemy.SQLAlchemyError] if alchemy else []))
        if not isinstance(exc, known):
            raise
        message = describe_database_error(exc, url)
        if message is None:
            raise
        raise StoreError(message) from None
