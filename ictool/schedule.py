"""Editing the schedule: shoot days and scenes added, edited, moved, reordered and deleted.

Every change is checked before anything is written, written in one transaction with its
audit entry (ids and field names, never the words), and then announced: `schedule:changed`
tells the open screens to re-read their day, and each scene it touched has its clearance
re-announced (a move changes the date and call its rider notice is measured against).

A day that still has scenes is not deleted: the scenes must be moved first (to another day
or to "Unscheduled"), so no scene ever disappears from a screen as a side effect. A scene
with records (blocking, consent, check-ins, alerts...) is never deleted: it can be moved to
"Unscheduled", where it keeps them.
"""

import re
from datetime import date

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import announce, audit, people, productions, scenes, uss_ids
from ictool.db import transaction

LIMITS = {"location": 120, "number": 12, "description": 300}
CALL_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
ROSTER_ROLES = ("coordinator", "director", "first_ad")  # on every closed set, as role codes
SCENE_FIELDS = ("number", "description", "intimacy", "closed_set", "cast")
DAY_FIELDS = ("date", "location", "call_time")
PART_OF_A_SCENE = {"scene_performers", "scene_roster"}  # deleted with it; not "records"
PART_OF_A_DAY = {"call_sheet_ic", "scenes"}


class ScheduleError(ValueError):
    """A change that cannot be made; the message names the field and what is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Conflict(ScheduleError):
    """A change refused because of what is already there (HTTP 409)."""


# --- checks (shared with the call-sheet import) --------------------------------------------


def date_problem(production: dict, value: object) -> str | None:
    """Why `value` is not a shoot date of this production, or None when it is one."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return _("%(value)s is not a date like 2026-03-14", value=repr(value))
    first, last = production.get("starts_on"), production.get("ends_on")
    if (first and value < first) or (last and value > last):
        return _(
            "%(value)s is outside the production's shoot dates (%(first)s to %(last)s)",
            value=value,
            first=first or "…",
            last=last or "…",
        )
    return None


def time_problem(value: object) -> str | None:
    """Why `value` is not a call time (HH:MM, 24-hour), or None."""
    if isinstance(value, str) and CALL_TIME.fullmatch(value):
        return None
    return _("%(value)s is not a time like 07:30", value=repr(value))


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(field, _("%(key)s must be non-empty text", key=field))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ScheduleError(
            field, _("%(key)s has characters that are not valid text", key=field)
        ) from None
    if len(value.strip()) > LIMITS[field]:
        raise ScheduleError(
            field, _("%(key)s must be at most %(n)s characters", key=field, n=LIMITS[field])
        )
    return value.strip()


def _date(production: dict, value: object) -> str:
    problem = date_problem(production, value)
    if problem:
        raise ScheduleError("date", f"date: {problem}")
    return value


def _call_time(value: object) -> str:
    problem = time_problem(value)
    if problem:
        raise ScheduleError("call_time", f"call_time: {problem}")
    return value


def _intimacy(value: object) -> str:
    if value not in scenes.INTIMACY:
        raise ScheduleError(
            "intimacy",
            _("%(key)s must be one of %(codes)s", key="intimacy", codes=", ".join(scenes.INTIMACY)),
        )
    return value


def _bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ScheduleError(field, _("%(key)s must be true or false", key=field))
    return value


def _is_id(value: object) -> bool:
    return type(value) is int and 0 < value < 2**63


def _cast(db: Database, production_id: int, value: object) -> list[int]:
    if not isinstance(value, list) or not all(_is_id(v) for v in value):
        raise ScheduleError("cast", _("cast must be a list of performers' ids"))
    performers = {p["id"] for p in people.with_roles(db, production_id, people.CAST_ROLES)}
    unknown = [v for v in value if v not in performers]
    if unknown:
        raise ScheduleError(
            "cast",
            _("cast: %(ids)s is not a performer of this production", ids=unknown[0]),
        )
    return list(dict.fromkeys(value))


def _number(db: Database, production_id: int, value: object, scene_id: int | None = None) -> str:
    number = _text("number", value)
    for other in scenes.of_production(db, production_id):
        if other["number"].lower() == number.lower() and other["id"] != scene_id:
            raise Conflict("number", _("scene %(scene)s is already in the schedule", scene=number))
    return number


def day_of(db: Database, production_id: int, day_id: object) -> dict | None:
    """A shoot day of this production by id (None for "Unscheduled"); a wrong id is an error."""
    if day_id is None:
        return None
    day = scenes.get_day(db, day_id) if _is_id(day_id) else None
    if day is None or day["production_id"] != production_id:
        raise ScheduleError("day_id", _("%(key)s must be a shoot day id", key="day_id"))
    return day


# --- reading --------------------------------------------------------------------------------


def unscheduled(db: Database, production_id: int) -> list[dict]:
    """Scenes on no day yet, in their order."""
    return list(
        db.query(
            """SELECT * FROM scenes WHERE production_id = ? AND shoot_day_id IS NULL
               ORDER BY position, id""",
            [production_id],
        )
    )


def _scenes_on(db: Database, production_id: int, day_id: int | None) -> list[dict]:
    return scenes.of_day(db, day_id) if day_id else unscheduled(db, production_id)


def scene_view(db: Database, scene: dict) -> dict:
    """A scene as the schedule shows it: its public fields, position and cast."""
    cast = scenes.performers(db, scene["id"])
    return dict(
        scenes.public(scene),
        position=scene["position"],
        setting=scene["setting"],
        cast=[{"id": p["id"], "name": p["name"]} for p in cast],
    )


def overview(db: Database, production_id: int) -> dict:
    """Every day with its scenes in order, and the unscheduled scenes."""
    return {
        "days": [
            dict(day, scenes=[scene_view(db, s) for s in scenes.of_day(db, day["id"])])
            for day in scenes.days(db, production_id)
        ],
        "unscheduled": [scene_view(db, s) for s in unscheduled(db, production_id)],
    }


def _referencing_rows(db: Database, table: str, row_id: int, skip: set[str]) -> list[str]:
    """The tables with rows pointing at this row (foreign keys, found from the schema)."""
    found = []
    for name in db.table_names():
        if name in skip:
            continue
        for fk in db[name].foreign_keys:
            if fk.other_table != table:
                continue
            sql = f"SELECT 1 FROM [{name}] WHERE [{fk.column}] = ? LIMIT 1"  # noqa: S608
            if db.execute(sql, [row_id]).fetchone():
                found.append(name)
    return found


def has_records(db: Database, scene_id: int) -> bool:
    """Does anything beyond its cast and roster point at this scene (blocking, consent...)?"""
    return bool(_referencing_rows(db, "scenes", scene_id, PART_OF_A_SCENE))


# --- days -----------------------------------------------------------------------------------


def add_day(
    db: Database, production_id: int, day: object, location: object, call_time: object, actor_id
) -> int:
    """Add a shoot day within the production's dates; one day per date."""
    production = productions.get(db, production_id)
    day, location = _date(production, day), _text("location", location)
    call_time = _call_time(call_time)
    with transaction(db):  # checked and written under the write lock: one day per date
        if any(d["date"] == day for d in scenes.days(db, production_id)):
            raise Conflict("date", _("%(date)s is already a shoot day", date=day))
        day_id = scenes.add_day(db, production_id, day, location, call_time)
        audit.record(
            db, "day.added", actor_id=actor_id, production_id=production_id, subject=f"day:{day_id}"
        )
    announce.schedule_changed(db, production_id)
    return day_id


def edit_day(db: Database, day: dict, changes: dict, actor_id: int | None) -> list[str]:
    """Change a day's date, location or call time; returns the fields that changed."""
    production = productions.get(db, day["production_id"])
    checks = {
        "date": lambda v: _date(production, v),
        "location": lambda v: _text("location", v),
        "call_time": _call_time,
    }
    new = {k: checks[k](v) for k, v in changes.items() if k in checks}
    new = {k: v for k, v in new.items() if v != day[k]}
    if new:
        with transaction(db):
            if "date" in new and any(
                d["date"] == new["date"] for d in scenes.days(db, day["production_id"])
            ):
                raise Conflict("date", _("%(date)s is already a shoot day", date=new["date"]))
            db["shoot_days"].update(day["id"], new)
            audit.record(
                db,
                "day.edited",
                actor_id=actor_id,
                production_id=day["production_id"],
                subject=f"day:{day['id']}",
                fields=sorted(new),
            )
        announce.schedule_changed(
            db, day["production_id"], [s["id"] for s in scenes.of_day(db, day["id"])]
        )
    return sorted(new)


def delete_day(db: Database, day: dict, actor_id: int | None) -> None:
    """Delete a day with no scenes (move them first: nothing disappears by accident)."""
    on_it = scenes.of_day(db, day["id"])
    if on_it:
        raise Conflict(
            "day_id",
            _(
                "%(date)s still has scenes %(scenes)s: move them to another day or to"
                " Unscheduled first",
                date=day["date"],
                scenes=", ".join(s["number"] for s in on_it),
            ),
        )
    if _referencing_rows(db, "shoot_days", day["id"], PART_OF_A_DAY):
        raise Conflict("day_id", _("%(date)s has records and cannot be deleted", date=day["date"]))
    with transaction(db):
        db.execute("DELETE FROM call_sheet_ic WHERE shoot_day_id = ?", [day["id"]])
        db.execute("DELETE FROM shoot_days WHERE id = ?", [day["id"]])
        uss_ids.forget(db, day["production_id"], "day", day["id"])
        audit.record(
            db,
            "day.deleted",
            actor_id=actor_id,
            production_id=day["production_id"],
            subject=f"day:{day['id']}",
        )
    announce.schedule_changed(db, day["production_id"])


# --- scenes ---------------------------------------------------------------------------------


def default_roster(db: Database, production_id: int, cast: list[int]) -> dict[int, str]:
    """A new closed set's roster: the IC(s), director(s), 1st AD(s) and the cast."""
    crew = {p["id"]: p["role"] for p in people.with_roles(db, production_id, ROSTER_ROLES)}
    return {**crew, **dict.fromkeys(cast, "performer")}


def add_scene(db: Database, production_id: int, fields: dict, actor_id: int | None) -> int:
    """Add a scene to a day (or unscheduled) at the end; a closed set gets the usual roster."""
    day = day_of(db, production_id, fields.get("day_id"))
    description = _text("description", fields.get("description"))
    intimacy = _intimacy(fields.get("intimacy", "none"))
    closed = _bool("closed_set", fields.get("closed_set", False))
    cast = _cast(db, production_id, fields.get("cast", []))
    with transaction(db):  # the number is checked under the write lock: one scene per number
        number = _number(db, production_id, fields.get("number"))
        day_id = day["id"] if day else None
        scene_id = write_scene(
            db, production_id, day_id, number, description, intimacy, closed, cast
        )
        audit.record_for_scene(db, "scene.added", scenes.get(db, scene_id), actor_id)
    announce.schedule_changed(db, production_id, [scene_id])
    return scene_id


def write_scene(
    db: Database,
    production_id: int,
    day_id: int | None,
    number: str,
    description: str,
    intimacy: str,
    closed: bool,
    cast: list[int],
) -> int:
    """Insert a checked scene at the end of its day (inside the caller's transaction)."""
    scene_id = scenes.add_scene(
        db,
        production_id,
        day_id,
        number,
        description,
        intimacy,
        closed_set=closed,
        performers=dict.fromkeys(cast),
        roster=default_roster(db, production_id, cast) if closed else None,
    )
    return scene_id


def edit_scene(db: Database, scene: dict, changes: dict, actor_id: int | None) -> list[str]:
    """Change a scene's number, description, intimacy, closed set or cast; returns the
    fields that changed. A performer who stays in the cast keeps their rider and consent."""
    pid = scene["production_id"]
    checks = {
        "number": lambda v: _number(db, pid, v, scene["id"]),
        "description": lambda v: _text("description", v),
        "intimacy": _intimacy,
        "closed_set": lambda v: _bool("closed_set", v),
        "cast": lambda v: _cast(db, pid, v),
    }
    new = {k: checks[k](v) for k, v in changes.items() if k in checks}
    if "closed_set" in new:
        new["closed_set"] = int(new["closed_set"])
    cast = new.pop("cast", None)
    new = {k: v for k, v in new.items() if v != scene[k]}
    before = scenes.performer_ids(db, scene["id"])
    changed = sorted(new) + (["cast"] if cast is not None and set(cast) != set(before) else [])
    if not changed:
        return []
    with transaction(db):
        if new:
            db["scenes"].update(scene["id"], new)
        added, removed = set_cast(db, scene, cast) if cast is not None else ([], [])
        if new.get("closed_set") and not scenes.roster(db, scene["id"]):
            cast_now = scenes.performer_ids(db, scene["id"])
            for person_id, purpose in default_roster(db, pid, cast_now).items():
                db["scene_roster"].insert(
                    {"scene_id": scene["id"], "person_id": person_id, "purpose": purpose}
                )
        audit.record_for_scene(
            db,
            "scene.edited",
            scene,
            actor_id,
            fields=changed,
            cast_added=added,
            cast_removed=removed,
        )
    announce.schedule_changed(db, pid, [scene["id"]], performers=removed)
    return changed


def set_cast(db: Database, scene: dict, cast: list[int]) -> tuple[list[int], list[int]]:
    """Make the cast exactly `cast` (inside the caller's transaction); a closed set's roster
    follows. Returns (added, removed) person ids."""
    before = scenes.performer_ids(db, scene["id"])
    added = [p for p in cast if p not in before]
    removed = [p for p in before if p not in cast]
    for person_id in removed:
        db.execute(
            "DELETE FROM scene_performers WHERE scene_id = ? AND person_id = ?",
            [scene["id"], person_id],
        )
        db.execute(
            "DELETE FROM scene_roster WHERE scene_id = ? AND person_id = ? AND purpose = ?",
            [scene["id"], person_id, "performer"],
        )
    closed = db.execute("SELECT closed_set FROM scenes WHERE id = ?", [scene["id"]]).fetchone()[0]
    for person_id in added:
        db["scene_performers"].insert({"scene_id": scene["id"], "person_id": person_id})
        if closed and not scenes.on_roster(db, scene["id"], person_id):
            db["scene_roster"].insert(
                {"scene_id": scene["id"], "person_id": person_id, "purpose": "performer"}
            )
    return added, removed


def _renumber(db: Database, scene_ids: list[int]) -> None:
    for position, scene_id in enumerate(scene_ids):
        db.execute("UPDATE scenes SET position = ? WHERE id = ?", [position, scene_id])


def place(db: Database, scene: dict, day_id: int | None, position: int | None = None) -> None:
    """Put a scene on a day (or unscheduled) at a position (default: the end), renumbering
    both days (inside the caller's transaction). Its riders, consents, blocking and roster
    stay: they belong to the scene, not to the day."""
    pid = scene["production_id"]
    old = [s["id"] for s in _scenes_on(db, pid, scene["shoot_day_id"]) if s["id"] != scene["id"]]
    if day_id == scene["shoot_day_id"]:
        target = old
    else:
        target = [s["id"] for s in _scenes_on(db, pid, day_id)]
        db.execute("UPDATE scenes SET shoot_day_id = ? WHERE id = ?", [day_id, scene["id"]])
        _renumber(db, old)
    at = len(target) if position is None else max(0, min(position, len(target)))
    _renumber(db, [*target[:at], scene["id"], *target[at:]])


def move_scene(
    db: Database, scene: dict, day_id: object, position: object, actor_id: int | None
) -> None:
    """Move a scene to another day (None: unscheduled) or place in its day."""
    day = day_of(db, scene["production_id"], day_id)
    if position is not None and (type(position) is not int or not 0 <= position < 10_000):
        raise ScheduleError("position", _("%(key)s must be a whole number from 0", key="position"))
    to = day["id"] if day else None
    with transaction(db):
        place(db, scene, to, position)
        audit.record_for_scene(
            db, "scene.moved", scene, actor_id, from_day=scene["shoot_day_id"], to_day=to
        )
    announce.schedule_changed(db, scene["production_id"], [scene["id"]])


def reorder_day(
    db: Database, production_id: int, day_id: int | None, scene_ids: object, actor_id
) -> None:
    """Set the order of a day's scenes: `scene_ids` lists every scene of the day once."""
    current = [s["id"] for s in _scenes_on(db, production_id, day_id)]
    if (
        not isinstance(scene_ids, list)
        or not all(_is_id(i) for i in scene_ids)
        or sorted(scene_ids) != sorted(current)
    ):
        raise ScheduleError(
            "scene_ids", _("scene_ids must list every scene of the day once, in the new order")
        )
    if scene_ids == current:
        return
    with transaction(db):
        _renumber(db, scene_ids)
        audit.record(
            db,
            "day.reordered",
            actor_id=actor_id,
            production_id=production_id,
            subject=f"day:{day_id}" if day_id else None,
            scene_ids=scene_ids,
        )
    announce.schedule_changed(db, production_id, scene_ids)


def shift(db: Database, scene: dict, step: int, actor_id: int | None) -> None:
    """Move a scene one place up (-1) or down (+1) in its day."""
    order = [s["id"] for s in _scenes_on(db, scene["production_id"], scene["shoot_day_id"])]
    at = order.index(scene["id"])
    to = max(0, min(len(order) - 1, at + step))
    order.insert(to, order.pop(at))
    reorder_day(db, scene["production_id"], scene["shoot_day_id"], order, actor_id)


def delete_scene(db: Database, scene: dict, actor_id: int | None) -> None:
    """Delete a scene made by mistake; one with records is moved to Unscheduled instead."""
    if has_records(db, scene["id"]):
        raise Conflict(
            "scene_id",
            _(
                "scene %(scene)s has records (blocking, consent, check-ins or alerts) and is"
                " kept: move it to Unscheduled instead",
                scene=scene["number"],
            ),
        )
    cast = scenes.performer_ids(db, scene["id"])
    with transaction(db):
        remove_scene_rows(db, scene)
        audit.record_for_scene(db, "scene.deleted", scene, actor_id)
    announce.schedule_changed(db, scene["production_id"], performers=cast)


def remove_scene_rows(db: Database, scene: dict) -> None:
    """Delete a scene without records and its cast and roster (in the caller's transaction)."""
    for table in ("scene_performers", "scene_roster"):
        db.execute(f"DELETE FROM {table} WHERE scene_id = ?", [scene["id"]])  # noqa: S608
    db.execute("DELETE FROM scenes WHERE id = ?", [scene["id"]])
    uss_ids.forget(db, scene["production_id"], "scene", scene["id"])
    _renumber(db, [s["id"] for s in _scenes_on(db, scene["production_id"], scene["shoot_day_id"])])
