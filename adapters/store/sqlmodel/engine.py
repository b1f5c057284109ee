"""Engines for the store: SQLite (WAL, foreign keys, busy timeout, ``BEGIN IMMEDIATE`` for
writes) or PostgreSQL through psycopg 3. Nothing else differs between the two."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from avatar_service.core.errors import Invalid

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another process's write lock before failing."""
RECYCLE_SECONDS = 1800
"""PostgreSQL connections older than this are replaced (servers and proxies drop idle ones)."""
WRITE = {"avatar_write": True}
"""Execution options of a connection that will write: SQLite takes the write lock at BEGIN,
so two writers queue instead of failing to upgrade a read lock ("database is locked")."""


def normalize_url(url: str) -> URL:
    """The SQLAlchemy URL for ``url``; ``postgresql://`` means psycopg 3. ``Invalid`` for a URL
    that is neither SQLite nor PostgreSQL."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise Invalid(f"DATABASE_URL is not a database URL: {exc}", field="database_url") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite":
        return parsed
    raise Invalid(
        f"DATABASE_URL must be sqlite:///<path> or postgresql://..., got {backend!r}",
        field="database_url",
    )


def create_engine(url: str, *, pool_size: int = 10) -> sa.Engine:
    """An engine for ``url``. For a SQLite file, its directory is created first."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # No pre-ping (a round trip per checkout): a connection that broke is invalidated on its
    # first error, and old ones are recycled.
    return sa.create_engine(
        parsed, pool_size=pool_size, max_overflow=pool_size, pool_recycle=RECYCLE_SECONDS
    )


def _sqlite_engine(url: URL) -> sa.Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:  # one shared connection, or every connection sees its own empty database
        options["poolclass"] = sa.pool.StaticPool
    engine = sa.create_engine(url, **options)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            _ensure_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writes take the write lock up front. Reads are single statements, each already
        # atomic in SQLite's autocommit mode: no BEGIN round trip on the hot read path.
        if connection.get_execution_options().get("avatar_write", False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ensure_wal(cursor: Any) -> None:
    """Switch the file to WAL (a persistent property of the file, so once per database).
    The switch ignores the busy timeout, so a connection racing another one's first write
    retries it until the timeout instead of failing with "database is locked"."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"
