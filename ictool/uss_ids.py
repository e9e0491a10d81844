"""The Universal Schedule Standard ids of a production's schedule, scenes, people, shoot
days and rehearsals: kept from an import, or made once and stored, so that a revised file
matches by id and every export of the same schedule carries the same ids."""

import secrets

from sqlite_utils import Database

KINDS = ("schedule", "scene", "person", "day", "rehearsal")


def new_id() -> str:
    """An id like a 12-byte BSON ObjectId (the standard's best practice): 24 hex digits."""
    return secrets.token_hex(12)


def local_ids(db: Database, production_id: int, kind: str) -> dict[str, int]:
    """USS id -> ictool id, for one kind."""
    rows = db.execute(
        "SELECT uss_id, local_id FROM uss_ids WHERE production_id = ? AND kind = ?",
        [production_id, kind],
    )
    return dict(rows.fetchall())


def keep(db: Database, production_id: int, kind: str, local_id: int, uss_id: str) -> None:
    """Record that `local_id` is `uss_id` (inside the caller's transaction); an id given to
    something else before moves to this one."""
    db.execute(  # REPLACE drops the rows either unique key meets
        """INSERT OR REPLACE INTO uss_ids (production_id, kind, local_id, uss_id)
           VALUES (?, ?, ?, ?)""",
        [production_id, kind, local_id, uss_id],
    )


def ensure(db: Database, production_id: int, kind: str, local_ids_: list[int]) -> dict[int, str]:
    """ictool id -> USS id for each of `local_ids_`, making and storing the missing ones."""
    rows = db.execute(
        "SELECT local_id, uss_id FROM uss_ids WHERE production_id = ? AND kind = ?",
        [production_id, kind],
    )
    known = dict(rows.fetchall())
    for local_id in local_ids_:
        if local_id not in known:
            known[local_id] = new_id()
            keep(db, production_id, kind, local_id, known[local_id])
    return {i: known[i] for i in local_ids_}


def forget(db: Database, production_id: int, kind: str, local_id: int) -> None:
    """Drop the USS id of something deleted (inside the caller's transaction), so a reused
    row id never inherits it."""
    db.execute(
        "DELETE FROM uss_ids WHERE production_id = ? AND kind = ? AND local_id = ?",
        [production_id, kind, local_id],
    )
