"""The audit log: append-only and hash-chained, so a changed or deleted entry shows.

Entries carry ids and codes, never private text (concern text, boundaries).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from ictool.db import now, transaction

GENESIS = "0" * 64


def _digest(prev_hash: str, entry: dict) -> str:
    body = json.dumps(
        [
            prev_hash,
            entry["at"],
            entry["production_id"],
            entry["actor_id"],
            entry["action"],
            entry["subject"],
            entry["detail"],
        ],
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


_scene_watchers: list[Callable[[Database, int], None]] = []


def watch_scenes(watcher: Callable[[Database, int], None]) -> None:
    """Call `watcher(db, scene_id)` inside the transaction of every entry about a scene (how
    `announce` learns, once it commits, that the scene's clearance may have changed)."""
    _scene_watchers.append(watcher)


def record(
    db: Database,
    action: str,
    *,
    actor_id: int | None = None,
    production_id: int | None = None,
    subject: str | None = None,
    **detail: object,
) -> int:
    """Append one entry (inside the caller's transaction when there is one)."""
    with transaction(db):
        last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        entry = {
            "at": now(),
            "production_id": production_id,
            "actor_id": actor_id,
            "action": action,
            "subject": subject,
            "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")),
        }
        prev = last[0] if last else GENESIS
        entry["prev_hash"] = prev
        entry["hash"] = _digest(prev, entry)
        columns = ", ".join(entry)  # plain SQL: sqlite-utils' insert re-reads the schema
        cursor = db.execute(
            f"INSERT INTO audit ({columns}) VALUES ({', '.join('?' * len(entry))})",  # noqa: S608
            list(entry.values()),
        )
        if subject and subject.startswith("scene:"):
            for watcher in _scene_watchers:
                watcher(db, int(subject.removeprefix("scene:")))
        return cursor.lastrowid


def record_for_scene(
    db: Database, action: str, scene: dict, actor_id: int | None, **detail: object
) -> int:
    """Append an entry about a scene (its production and `scene:<id>` as the subject)."""
    return record(
        db,
        action,
        actor_id=actor_id,
        production_id=scene["production_id"],
        subject=f"scene:{scene['id']}",
        **detail,
    )


def entries(db: Database, production_id: int | None = None, subject: str | None = None) -> list:
    """Audit entries, oldest first, optionally for one production or subject."""
    where, args = [], []
    if production_id is not None:
        where.append("production_id = ?")
        args.append(production_id)
    if subject is not None:
        where.append("subject = ?")
        args.append(subject)
    rows = db["audit"].rows_where(" AND ".join(where) or None, args, order_by="id")
    return [dict(r, detail=json.loads(r["detail"])) for r in rows]


def head(db: Database) -> tuple[int, str]:
    """How many entries the log holds and the hash of the last (GENESIS when empty)."""
    count = db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return count, last[0] if last else GENESIS


def nth(db: Database, n: int) -> tuple[int | None, str | None]:
    """The id and hash of the n-th entry (1-based, in order), or (None, None)."""
    row = db.execute("SELECT id, hash FROM audit ORDER BY id LIMIT 1 OFFSET ?", [n - 1]).fetchone()
    return (row[0], row[1]) if row else (None, None)


@dataclass
class Break:
    entry_id: int
    reason: str


def verify(db: Database) -> Break | None:
    """Walk the chain; return the first entry where it breaks, or None when intact."""
    prev = GENESIS
    for row in db["audit"].rows_where(order_by="id"):
        if row["prev_hash"] != prev:
            return Break(row["id"], "does not follow the entry before it (one was removed?)")
        if _digest(prev, row) != row["hash"]:
            return Break(row["id"], "its content does not match its hash (it was changed)")
        prev = row["hash"]
    return None
