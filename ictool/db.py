"""The SQLite database: one file, WAL, durable commits, a busy timeout.

Each request gets its own connection on `g`; background work opens its own
with `connect`. Migrations run once, when the app is created.
"""

import heapq
import itertools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils
from flask import Flask, current_app, g

from ictool.migrations import migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_GEVENT = os.environ.get("ICTOOL_GEVENT") == "1"
POOL_SIZE = 8  # idle connections kept per app for requests and socket events


def _text(raw: bytes) -> str:
    """Stored text as str; bytes a damaged file holds that are not UTF-8 read as U+FFFD."""
    return raw.decode("utf-8", "replace")


def connect(path: str, migrate: bool = True) -> sqlite_utils.Database:
    """Open the database file with the pragmas every connection needs."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.text_factory = _text
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # a committed pause survives power loss
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if migrate:
        migrations.apply(db)
    return db


WRITE_PATIENCE = 60.0  # seconds a write keeps retrying a busy database before it gives up


class WriteQueue:
    """Writers of this process queue here for SQLite's one write lock; only writers of other
    processes meet SQLite's busy handler (which sleeps and retries, unfairly).

    Handed on in order, with one exception: an urgent writer (a pause being raised, an AD or
    IC answering an alert) goes ahead of every ordinary one waiting. Under a flood of 200
    phones raising concerns, a pause used to wait behind all of them (p50 341 ms to the 1st
    AD, `ictool bench --flood-phones 200`). The lock is handed to the next writer, never
    left for whoever grabs it first, so a loop that writes again and again (the escalation
    loop, an import) cannot keep a waiting pause out."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._waiting: list[tuple[int, int, threading.Event]] = []
        self._tickets = itertools.count()

    def acquire(self, urgent: bool = False) -> None:
        me = threading.get_ident()  # the greenlet's under gevent
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiting:
                self._owner, self._depth = me, 1
                return
            turn = threading.Event()
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._tickets), turn))
        try:
            turn.wait()
        except BaseException:  # killed while waiting: pass the turn on if it had come
            with self._mutex:
                self._waiting = [w for w in self._waiting if w[2] is not turn]
                heapq.heapify(self._waiting)
                if turn.is_set():
                    self._hand_on()
            raise
        with self._mutex:
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth == 0:
                self._hand_on()

    def _hand_on(self) -> None:
        """Give the lock to the first waiting writer (urgent first), or free it."""
        if self._waiting:
            self._owner = -1  # held for the writer being woken: nobody barges in
            heapq.heappop(self._waiting)[2].set()
        else:
            self._owner = None

    @contextmanager
    def held(self, urgent: bool = False) -> Iterator[None]:
        self.acquire(urgent)
        try:
            yield
        finally:
            self.release()


_writers = WriteQueue()


def _busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _begin(db: sqlite_utils.Database) -> None:
    """BEGIN IMMEDIATE, retried while another process holds the write lock beyond the busy
    timeout: a refused write is retried here, by the server, never left to the phone."""
    if _GEVENT:  # the usual case, no other process writing: take the lock right here
        db.conn.execute("PRAGMA busy_timeout = 0")
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        finally:
            db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    deadline = time.monotonic() + WRITE_PATIENCE
    while True:
        try:
            off_loop("begin", db.conn.execute, "BEGIN IMMEDIATE")  # may wait for another writer
            return
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise
            log.warning("database busy beyond %s ms; retrying the write", BUSY_TIMEOUT_MS)


def after_commit(db: sqlite_utils.Database, key: object, call: Callable[[], object]) -> None:
    """Run `call()` once the transaction open on `db` has committed (once per key, in the
    order first asked); if it rolls back, never. Used to announce what was written."""
    if not db.conn.in_transaction:
        raise RuntimeError("after_commit needs an open transaction")
    db.__dict__.setdefault("_after_commit", {}).setdefault(key, call)


def _run_after_commit(db: sqlite_utils.Database) -> None:
    pending = db.__dict__.pop("_after_commit", {})
    for call in pending.values():
        try:
            call()
        except Exception as error:  # the write stands; a live event is never the only copy
            log.error("after-commit call failed: %s", type(error).__name__)  # no payload text


@contextmanager
def transaction(db: sqlite_utils.Database, urgent: bool = False) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (no upgrade deadlocks); what
    was asked to run `after_commit` runs once it has committed. An `urgent` one (a pause,
    an answer to an alert) is let in before the ordinary writers waiting."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    with _writers.held(urgent):
        _begin(db)
        try:
            yield db
            off_loop("commit", db.conn.execute, "COMMIT")  # fsync: milliseconds, tens when busy
        except BaseException:
            if db.conn.in_transaction:
                db.conn.rollback()
            db.__dict__.pop("_after_commit", None)  # nothing was written: nothing to tell
            raise
    _run_after_commit(db)


_pools: dict = {}


def off_loop(kind: str, call, *args):
    """Run a call that can wait on the disk or on a lock. Under gevent (`ictool serve`) it
    runs in a thread pool, so one fsync or one busy wait does not stall every phone's
    socket: the calling greenlet waits, the others go on. Commits have their own pool, so a
    commit never queues behind writers waiting for the lock it holds. Elsewhere: a call."""
    if not _GEVENT:
        return call(*args)
    pool = _pools.get(kind)
    if pool is None:
        from gevent.threadpool import ThreadPool

        pool = _pools[kind] = ThreadPool(8 if kind == "commit" else 32)
    return pool.apply(call, args)


def now() -> str:
    """The current time as ISO 8601 UTC text with milliseconds, the form stored everywhere."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def get_db() -> sqlite_utils.Database:
    """The connection for this request (or socket event): a pooled one, else a new one."""
    if "db" not in g:
        pool = current_app.extensions.setdefault("ictool.db_pool", [])
        try:
            g.db = pool.pop()
        except IndexError:
            g.db = connect(current_app.config["DB"], migrate=False)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Hand this request's connection back to the pool (opening one costs ~0.6 ms, more than
    a whole socket event's queries), rolled back if it was left in a transaction."""
    db = g.pop("db", None)
    if db is None:
        return
    pool = current_app.extensions.setdefault("ictool.db_pool", [])
    try:
        if db.conn.in_transaction:
            db.conn.rollback()
    except sqlite3.Error:
        db.close()
        return
    if len(pool) < POOL_SIZE:
        pool.append(db)
    else:
        db.close()


def init_app(app: Flask) -> None:
    """Create or migrate the schema now, and close each request's connection after it."""
    try:
        connect(app.config["DB"]).close()
    except sqlite3.Error as exc:
        raise RuntimeError(f"cannot open database {app.config['DB']}: {exc}") from exc
    app.teardown_appcontext(close_db)
