"""What refers to a person, so a mistake can be undone: delete a person added by mistake
who never signed in and has no records; merge a duplicate (a typo in a call sheet's cast)
into the right person, moving everything that refers to them.

"Everything" is found from the schema: every column with a foreign key to people(id), so
a table another feature adds is moved too. A row the duplicate shares a key with the right
person (both in one scene) is combined when they agree, and the merge is refused, with
nothing changed, when they disagree (different consent, different rider dates...).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from ictool import audit, people
from ictool.db import now, transaction

SIGN_IN_TABLES = {"tokens", "push_subscriptions"}  # a phone's, not a record of the show
_IGNORED_ENDINGS = ("at", "_by")  # when and who recorded it: the kept row's stand


# What a differing value means to the person merging (else the column's name is shown).
VALUE_WORDS = {
    "rider_signed_on": _l("rider date"),
    "ok": _l("good-to-go answer"),
    "status": _l("closure answer"),
}
# Where both differ and neither is wrong (a roster reason, the language a briefing was read
# in), the right person's value stands.
KEPT_WINS = {"purpose", "language"}


class Conflict(ValueError):
    """The merge would lose or contradict a record; nothing was changed."""


def _person_columns(db: Database) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to people(id), except people itself."""
    out = []
    for table in db.table_names():
        if table.startswith(("_", "sqlite_")) or table == "people":
            continue
        out += [
            (fk.table, fk.column) for fk in db[table].foreign_keys if fk.other_table == "people"
        ]
    return sorted(out)


def records(db: Database, person_id: int) -> dict[str, int]:
    """How many rows of each table record something about this person (sign-in links and
    push subscriptions aside), plus audit entries they made."""
    found = {}
    for table, column in _person_columns(db):
        if table in SIGN_IN_TABLES:
            continue
        n = db.execute(
            f"SELECT COUNT(*) FROM [{table}] WHERE [{column}] = ?",  # noqa: S608
            [person_id],
        ).fetchone()[0]
        if n:
            found[table] = found.get(table, 0) + n
    acted = db.execute("SELECT COUNT(*) FROM audit WHERE actor_id = ?", [person_id]).fetchone()[0]
    if acted:
        found["audit"] = acted
    return found


def deletable(db: Database, person_id: int) -> bool:
    """Added by mistake: never signed in, and nothing recorded about them."""
    return not people.signed_in_ever(db, person_id) and not records(db, person_id)


def delete(db: Database, person_id: int, actor_id: int | None = None) -> None:
    """Delete a person who never signed in and has no records (their unused links go too);
    ValueError otherwise, saying to deactivate or merge instead."""
    person = people.get(db, person_id)
    if person is None:
        raise LookupError(_("No such person."))
    with transaction(db):
        if not deletable(db, person_id):
            raise ValueError(
                _(
                    "%(name)s has signed in or has records, so cannot be deleted: deactivate "
                    "them, or merge them into the right person.",
                    name=person["name"],
                )
            )
        db.execute("DELETE FROM tokens WHERE person_id = ?", [person_id])
        db.execute("DELETE FROM people WHERE id = ?", [person_id])
        audit.record(
            db,
            "person.deleted",
            actor_id=actor_id,
            production_id=person["production_id"],
            subject=f"person:{person_id}",
        )


def _unique_keys(db: Database, table: str) -> list[list[str]]:
    """The column lists of the table's primary key and unique indexes."""
    info = db.execute(f"PRAGMA table_info([{table}])").fetchall()
    keys = [[row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]]
    for index in db.execute(f"PRAGMA index_list([{table}])").fetchall():
        if index[2]:  # unique
            keys.append([r[2] for r in db.execute(f"PRAGMA index_info([{index[1]}])")])
    return [k for k in keys if k]


def _combine(db: Database, table: str, key: list[str], column: str, dup: int, into: int) -> None:
    """Rows of `dup` whose key (with `column` as `into`) already exists for `into`: fill the
    kept row's blanks from the duplicate's and drop the duplicate's; Conflict when a value
    differs."""
    others = [k for k in key if k != column]
    rows = db.query(f"SELECT rowid AS _rowid, * FROM [{table}] WHERE [{column}] = ?", [dup])  # noqa: S608
    for row in list(rows):
        where = " AND ".join([f"[{column}] = ?", *(f"[{k}] IS ?" for k in others)])
        kept = list(
            db.query(
                f"SELECT rowid AS _rowid, * FROM [{table}] WHERE {where}",  # noqa: S608
                [into, *(row[k] for k in others)],
            )
        )
        if not kept:
            continue
        keep = kept[0]
        fill = {}
        for name, value in row.items():
            if name in key or name == "_rowid" or name.endswith(_IGNORED_ENDINGS):
                continue
            if value is None or value == keep[name]:
                continue
            if keep[name] is not None:
                if name in KEPT_WINS:
                    continue
                raise Conflict(_conflict(db, name, table, row))
            fill[name] = value
        if fill:
            sets = ", ".join(f"[{k}] = ?" for k in fill)
            db.execute(
                f"UPDATE [{table}] SET {sets} WHERE rowid = ?",  # noqa: S608
                [*fill.values(), keep["_rowid"]],
            )
        db.execute(f"DELETE FROM [{table}] WHERE rowid = ?", [row["_rowid"]])  # noqa: S608


def _conflict(db: Database, column: str, table: str, row: dict) -> str:
    """Say which value of the two people differs, and where, in words."""
    what = str(VALUE_WORDS.get(column, column))
    scene = None
    if row.get("scene_id") is not None:
        found = db.execute("SELECT number FROM scenes WHERE id = ?", [row["scene_id"]]).fetchone()
        scene = found[0] if found else None
    if scene is None:
        return _(
            "Both people have a different %(what)s in %(table)s; correct one of them first, "
            "then merge.",
            what=what,
            table=table,
        )
    return _(
        "Both people have a different %(what)s for scene %(scene)s; correct one of them "
        "first, then merge. Nothing was changed.",
        what=what,
        scene=scene,
    )


def _latest_consent(db: Database, person_id: int) -> dict[int, tuple]:
    rows = db.execute(
        "SELECT scene_id, action, version FROM consent_events WHERE person_id = ? ORDER BY id",
        [person_id],
    ).fetchall()
    return {scene: (action, version) for scene, action, version in rows}


def _check_consent(db: Database, dup: int, into: int) -> None:
    mine, theirs = _latest_consent(db, dup), _latest_consent(db, into)
    for scene_id in mine.keys() & theirs.keys():
        if mine[scene_id] != theirs[scene_id]:
            number = db.execute("SELECT number FROM scenes WHERE id = ?", [scene_id]).fetchone()
            raise Conflict(
                _(
                    "Both people answered consent for scene %(scene)s, differently; a merge "
                    "would change what a performer agreed to. Nothing was changed.",
                    scene=number[0] if number else scene_id,
                )
            )


def merge(db: Database, duplicate_id: int, into_id: int, actor_id: int | None = None) -> dict:
    """Move everything that refers to the duplicate to the right person, then remove the
    duplicate (their links stop). Same production and role only; all or nothing."""
    dup, into = people.get(db, duplicate_id), people.get(db, into_id)
    if dup is None or into is None or dup["production_id"] != into["production_id"]:
        raise LookupError(_("No such person."))
    if duplicate_id == into_id:
        raise ValueError(_("Choose another person to merge into."))
    if dup["role"] != into["role"]:
        raise ValueError(_("Only people with the same role can be merged; change the role first."))
    moved: dict[str, int] = {}
    with transaction(db):
        _check_consent(db, duplicate_id, into_id)
        db.execute(  # both checked in at once: one stays
            "UPDATE scene_checkins SET checked_out_at = ?, checked_out_by = ? "
            "WHERE person_id = ? AND checked_out_at IS NULL AND scene_id IN (SELECT scene_id "
            "FROM scene_checkins WHERE person_id = ? AND checked_out_at IS NULL)",
            [now(), actor_id, duplicate_id, into_id],
        )
        for table, column in _person_columns(db):
            if table in SIGN_IN_TABLES:
                continue
            for key in _unique_keys(db, table):
                if column in key:
                    _combine(db, table, key, column, duplicate_id, into_id)
            cursor = db.execute(
                f"UPDATE [{table}] SET [{column}] = ? WHERE [{column}] = ?",  # noqa: S608
                [into_id, duplicate_id],
            )
            if cursor.rowcount:
                moved[table] = moved.get(table, 0) + cursor.rowcount
        for table in SIGN_IN_TABLES:  # the duplicate's phone is signed out
            db.execute(f"DELETE FROM [{table}] WHERE person_id = ?", [duplicate_id])  # noqa: S608
        db.execute("DELETE FROM people WHERE id = ?", [duplicate_id])
        audit.record(
            db,
            "person.merged",
            actor_id=actor_id,
            production_id=into["production_id"],
            subject=f"person:{into_id}",
            merged=duplicate_id,
            moved=moved,
        )
    return moved
