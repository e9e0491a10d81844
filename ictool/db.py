"""The SQLite database: one file, WAL, durable commits, a busy timeout.

Each request gets its own connection on `g`; background work opens its own
with `connect`. Migrations run once, when the app is created.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils
from flask import Flask, current_app, g

from ictool.migrations import migrations

BUSY_TIMEOUT_MS = 5000


def connect(path: str, migrate: bool = True) -> sqlite_utils.Database:
    """Open the database file with the pragmas every connection needs."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # a committed pause survives power loss
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if migrate:
        migrations.apply(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (no upgrade deadlocks)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")


def now() -> str:
    """The current time as ISO 8601 UTC text with milliseconds, the form stored everywhere."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def get_db() -> sqlite_utils.Database:
    """The connection for this request, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DB"], migrate=False)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Create or migrate the schema now, and close each request's connection after it."""
    try:
        connect(app.config["DB"]).close()
    except sqlite3.Error as exc:
        raise RuntimeError(f"cannot open database {app.config['DB']}: {exc}") from exc
    app.teardown_appcontext(close_db)
