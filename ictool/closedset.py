"""The closed set: who is checked in to a scene (and whether they are on its roster), the
no-photography acknowledgements, the monitor list, the modesty garment and barrier
checklist, and the 1st AD's explicit, timestamped "set is closed".

The only code with SQL on `scene_checkins`, `scene_photo_acks`, `scene_monitors`,
`scene_garments` and `scene_set_closures`. Rows are closed (checked out, removed,
reopened) rather than deleted, and every change is audited with ids only.
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, people, scenes
from ictool.db import now, transaction

MAX_LABEL = 120
MAX_ID = 2**63 - 1  # the largest integer SQLite stores


def is_id(value: object) -> bool:
    """Is this a row id a request may name (an int SQLite can hold)?"""
    return type(value) is int and 0 < value <= MAX_ID


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("%(key)s must be non-empty text", key=what))
    if len(value.strip()) > MAX_LABEL:
        raise ValueError(_("%(key)s must be at most %(n)s characters", key=what, n=MAX_LABEL))
    return value.strip()


def belongs(db: Database, scene: dict, person_id: int) -> bool:
    """Is this person on the scene's roster, or one of its performers?"""
    return scenes.on_roster(db, scene["id"], person_id) or person_id in scenes.performer_ids(
        db, scene["id"]
    )


def person_of(db: Database, scene: dict, person_id: object) -> dict:
    """The person of this scene's production with this id, or ValueError."""
    person = people.get(db, person_id) if is_id(person_id) else None
    if person is None or person["production_id"] != scene["production_id"]:
        raise ValueError(_("%(key)s is not a person on this production", key="person_id"))
    return person


# --- check-ins and the no-photography acknowledgement ---------------------------------------


def check_in(
    db: Database, scene: dict, person_id: object, by: int, photo_ack: bool = False
) -> tuple[dict, bool]:
    """Check a person in to the scene (once); return the check-in and whether it is new."""
    person = person_of(db, scene, person_id)
    with transaction(db):
        found = _open_checkin(db, scene["id"], person["id"])
        created = found is None
        if created:
            on_roster = belongs(db, scene, person["id"])
            db["scene_checkins"].insert(
                {
                    "scene_id": scene["id"],
                    "person_id": person["id"],
                    "on_roster": int(on_roster),
                    "checked_in_by": by,
                    "checked_in_at": now(),
                }
            )
            audit.record_for_scene(
                db, "closedset.checked_in", scene, by, person_id=person["id"], on_roster=on_roster
            )
        if photo_ack:
            acknowledge_no_photos(db, scene, person["id"])
    return _open_checkin(db, scene["id"], person["id"]), created


def _open_checkin(db: Database, scene_id: int, person_id: int) -> dict | None:
    rows = list(
        db["scene_checkins"].rows_where(
            "scene_id = ? AND person_id = ? AND checked_out_at IS NULL", [scene_id, person_id]
        )
    )
    return rows[0] if rows else None


def check_out(db: Database, scene: dict, person_id: object, by: int) -> bool:
    """Check a person out of the scene; False when they were not checked in."""
    person = person_of(db, scene, person_id)
    with transaction(db):
        cursor = db.execute(
            """UPDATE scene_checkins SET checked_out_at = ?, checked_out_by = ?
               WHERE scene_id = ? AND person_id = ? AND checked_out_at IS NULL""",
            [now(), by, scene["id"], person["id"]],
        )
        if cursor.rowcount:
            audit.record_for_scene(db, "closedset.checked_out", scene, by, person_id=person["id"])
    return cursor.rowcount > 0


def acknowledge_no_photos(db: Database, scene: dict, person_id: int) -> bool:
    """Record that a person agreed to take no photos or video on this set; False if done."""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO scene_photo_acks (scene_id, person_id, at) VALUES (?, ?, ?)",
            [scene["id"], person_id, now()],
        )
        if cursor.rowcount:
            audit.record_for_scene(
                db, "closedset.no_photo_acknowledged", scene, person_id, person_id=person_id
            )
    return cursor.rowcount > 0


def present(db: Database, scene_id: int) -> list[dict]:
    """Everyone checked in now, with whether they are on the roster *now* (an edit of the
    roster clears or flags someone already checked in) and whether they acknowledged."""
    scene = scenes.get(db, scene_id)
    return [
        dict(r, on_roster=belongs(db, scene, r["id"]), photo_ack=r["photo_ack"] is not None)
        for r in db.query(
            """SELECT people.id, people.name, people.role, people.department,
                      c.checked_in_at, c.checked_in_by, a.at AS photo_ack
               FROM scene_checkins c JOIN people ON people.id = c.person_id
               LEFT JOIN scene_photo_acks a ON a.scene_id = c.scene_id AND a.person_id = c.person_id
               WHERE c.scene_id = ? AND c.checked_out_at IS NULL ORDER BY c.id""",
            [scene_id],
        )
    ]


def off_roster(db: Database, scene_id: int) -> list[dict]:
    """Everyone checked in now who is not on the roster."""
    return [p for p in present(db, scene_id) if not p["on_roster"]]


def has_acknowledged(db: Database, scene_id: int, person_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM scene_photo_acks WHERE scene_id = ? AND person_id = ?", [scene_id, person_id]
    ).fetchone()
    return row is not None


# --- monitors ------------------------------------------------------------------------------


def monitors(db: Database, scene_id: int) -> list[dict]:
    """The monitors allowed to show this scene."""
    return list(
        db["scene_monitors"].rows_where(
            "scene_id = ? AND removed_at IS NULL", [scene_id], order_by="id"
        )
    )


def add_monitor(db: Database, scene: dict, label: object, by: int) -> dict:
    """Add a monitor (e.g. "video village, director only") to the scene's list."""
    label = _text(label, "label")
    with transaction(db):
        monitor_id = (
            db["scene_monitors"]
            .insert({"scene_id": scene["id"], "label": label, "added_by": by, "added_at": now()})
            .last_pk
        )
        audit.record_for_scene(db, "closedset.monitor_added", scene, by, monitor_id=monitor_id)
    return db["scene_monitors"].get(monitor_id)


def remove_monitor(db: Database, scene: dict, monitor_id: int, by: int) -> None:
    """Take a monitor off the list; LookupError when it is not on it."""
    with transaction(db):
        cursor = db.execute(
            """UPDATE scene_monitors SET removed_at = ?
               WHERE id = ? AND scene_id = ? AND removed_at IS NULL""",
            [now(), monitor_id, scene["id"]],
        )
        if not cursor.rowcount:
            raise LookupError(_("No such monitor on this scene."))
        audit.record_for_scene(db, "closedset.monitor_removed", scene, by, monitor_id=monitor_id)


# --- modesty garments and barriers ---------------------------------------------------------


def garments(db: Database, scene_id: int) -> list[dict]:
    """The garment and barrier checklist, each item with its two confirmations."""
    return [
        dict(r, confirmed=bool(r["costume_at"] and r["ic_at"]))
        for r in db.query(
            """SELECT g.*, people.name AS person_name FROM scene_garments g
               LEFT JOIN people ON people.id = g.person_id
               WHERE g.scene_id = ? AND g.removed_at IS NULL ORDER BY g.id""",
            [scene_id],
        )
    ]


def add_garment(db: Database, scene: dict, item: object, person_id: object, by: int) -> dict:
    """Add an item (a garment for a performer, or a barrier) to the checklist."""
    item = _text(item, "item")
    if person_id is not None and (
        not is_id(person_id) or person_id not in scenes.performer_ids(db, scene["id"])
    ):
        raise ValueError(
            _("%(key)s must be a performer in this scene (or left out)", key="person_id")
        )
    with transaction(db):
        garment_id = (
            db["scene_garments"]
            .insert(
                {
                    "scene_id": scene["id"],
                    "item": item,
                    "person_id": person_id,
                    "added_by": by,
                    "added_at": now(),
                }
            )
            .last_pk
        )
        audit.record_for_scene(db, "closedset.garment_added", scene, by, garment_id=garment_id)
    return _garment(db, scene["id"], garment_id)


def _garment(db: Database, scene_id: int, garment_id: int) -> dict:
    for g in garments(db, scene_id):
        if g["id"] == garment_id:
            return g
    raise LookupError(_("No such item on this scene's checklist."))


def confirm_garment(db: Database, scene: dict, garment_id: int, person: dict) -> dict:
    """Confirm an item as costume (a costume crew member) or as the IC, whichever they are."""
    side = "ic" if person["role"] == "coordinator" else "costume"
    with transaction(db):
        _garment(db, scene["id"], garment_id)
        db.execute(
            f"UPDATE scene_garments SET {side}_by = ?, {side}_at = ? WHERE id = ?",  # noqa: S608
            [person["id"], now(), garment_id],
        )
        audit.record_for_scene(
            db, "closedset.garment_confirmed", scene, person["id"], garment_id=garment_id, side=side
        )
    return _garment(db, scene["id"], garment_id)


def remove_garment(db: Database, scene: dict, garment_id: int, by: int) -> None:
    """Take an item off the checklist."""
    with transaction(db):
        _garment(db, scene["id"], garment_id)
        db.execute("UPDATE scene_garments SET removed_at = ? WHERE id = ?", [now(), garment_id])
        audit.record_for_scene(db, "closedset.garment_removed", scene, by, garment_id=garment_id)


# --- "the set is closed" -------------------------------------------------------------------


def set_closed(db: Database, scene_id: int) -> dict | None:
    """The 1st AD's standing "set is closed" confirmation, or None while the set is open."""
    rows = db.query(
        """SELECT c.*, people.name AS closed_by_name FROM scene_set_closures c
           LEFT JOIN people ON people.id = c.closed_by
           WHERE c.scene_id = ? AND c.reopened_at IS NULL ORDER BY c.id DESC LIMIT 1""",
        [scene_id],
    )
    return next(iter(rows), None)


class OffRosterPresent(Exception):
    """The set cannot be confirmed closed without naming who is checked in off the roster."""

    def __init__(self, people: list[dict]):
        self.people = people
        names = ", ".join(p["name"] for p in people)
        super().__init__(
            _(
                "Checked in but not on the roster: %(names)s. Check them out or add them to "
                "the roster, or confirm again naming them to close the set anyway.",
                names=names,
            )
        )


def close_set(
    db: Database, scene: dict, by: int, off_roster_ok: object = None
) -> tuple[dict, bool]:
    """The 1st AD confirms the set is closed, with the time; return it and whether it is new.

    While someone off the roster is checked in, the confirmation is refused with their names
    (OffRosterPresent) unless it names each of them in `off_roster_ok` (a list of their ids):
    the 1st AD is asked again, by name, and the closure records whom they closed it with."""
    if off_roster_ok is not None and (
        not isinstance(off_roster_ok, list) or not all(is_id(i) for i in off_roster_ok)
    ):
        raise ValueError(_("%(key)s must be a list of person ids", key="off_roster_ok"))
    with transaction(db):
        found = set_closed(db, scene["id"])
        if found is None:
            off = off_roster(db, scene["id"])
            unnamed = [p for p in off if p["id"] not in (off_roster_ok or [])]
            if unnamed:
                raise OffRosterPresent(unnamed)
            db["scene_set_closures"].insert(
                {"scene_id": scene["id"], "closed_by": by, "closed_at": now()}
            )
            named = {"off_roster": [p["id"] for p in off]} if off else {}
            audit.record_for_scene(db, "closedset.set_closed", scene, by, **named)
    return set_closed(db, scene["id"]), found is None


def reopen_set(db: Database, scene: dict, by: int) -> bool:
    """The 1st AD opens the set again; False when it was not closed."""
    with transaction(db):
        cursor = db.execute(
            """UPDATE scene_set_closures SET reopened_at = ?, reopened_by = ?
               WHERE scene_id = ? AND reopened_at IS NULL""",
            [now(), by, scene["id"]],
        )
        if cursor.rowcount:
            audit.record_for_scene(db, "closedset.set_reopened", scene, by)
    return cursor.rowcount > 0
