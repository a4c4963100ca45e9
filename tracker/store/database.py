"""The engine, built from a URL (never at import time), and the schema brought up to date.

    >>> engine = open_store("sqlite:///tracker.db")    # creates / migrates as needed
    >>> with Session(engine) as session: ...

SQLite: WAL (readers never block the writer), busy_timeout on every connection (a
second process waits instead of failing), foreign keys on, and every transaction
begins IMMEDIATE so two writers queue up rather than deadlock on a lock upgrade.
PostgreSQL: `postgresql+psycopg://...`; migrations run under an advisory lock so
several schedulers starting at once migrate once.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from tracker.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. Checking the store against it needs no alembic import,
# so a command on an up-to-date store pays nothing for migrations (a test keeps it true).
SCHEMA_HEAD = "0006"
_PG_MIGRATION_LOCK = 72_410_001  # arbitrary, constant advisory-lock key
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_PAGE_SIZE = 16_384
READ_ONLY = "tracker_read_only"  # execution option: a connection that never writes


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # every engine made: dispose_engines


def dispose_engines() -> None:
    """Close the pooled connections of every engine still alive (the CLI, before it exits)."""
    for engine in list(_ENGINES):
        engine.dispose()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections get WAL, busy_timeout and IMMEDIATE writes."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _sqlite_pragmas(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError, ValueError) as e:
        raise StoreError(
            f'cannot use the database URL "{_redact(url)}": {e}. Use sqlite:///tracker.db '
            "or postgresql+psycopg://user@host/dbname"
        ) from None
    _ENGINES.add(engine)
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin").
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Pages of 16 KiB for a new store (a store that has pages keeps its size): each
        # file of a big import rewrites most pages of the key indexes, and a quarter as
        # many pages is a quarter as many writes (benchmarks/README.md: 13% of a
        # national file's import).
        cur.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A connection that only reads beside a writer (sync's check of a big import)
        # reads the last committed store and must not wait for the write lock.
        reads_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _head() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def _current(connection: Any) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it already is)."""
    with engine.connect() as conn:
        if _current(conn) == SCHEMA_HEAD:
            return
    from alembic import command

    head = _head()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        # Re-check under the lock (PostgreSQL) / the IMMEDIATE write lock (SQLite):
        # another process may have migrated while we waited.
        if _current(conn) == head:
            return
        command.upgrade(_alembic_config(conn), "head")


def open_store(url: str) -> Engine:
    """Engine for `url` with the schema migrated; StoreError with a readable reason otherwise."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        folder = Path(url[len("sqlite:///") :]).expanduser().parent
        if not folder.exists():
            raise StoreError(
                f'the folder "{folder}" of the SQLite database does not exist; '
                "create it or choose another TRACKER_DATABASE_URL"
            )
    engine = make_engine(url)
    try:
        migrate(engine)
    except OperationalError as e:
        from tracker.faults import plain_fault

        fault = plain_fault(e)  # a full disk is not a database that is not running
        if fault is not None:
            raise StoreError(fault) from None
        raise StoreError(
            f'cannot open the database "{_redact(url)}": {e.orig}. Check that it is running '
            "and that the URL (TRACKER_DATABASE_URL or --database) is right"
        ) from None
    except SQLAlchemyError as e:
        raise StoreError(f'cannot prepare the database "{_redact(url)}": {e}') from None
    return engine
