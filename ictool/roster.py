"""A closed set's roster: who may be on set while it is closed, and why (a purpose such as
"boom operator"), edited on the scene page by the IC and the 1st AD; and each production's
list of the roles and departments that make up a closed set's essential crew.

The only code that edits `scene_roster` once a scene exists (`scenes` reads it and fills it
with the scene), and the owner of `production_essentials`. The performers of a scene are
always on its roster, listed or not (`closedset.belongs` asks both). Every change
is audited with ids only; the caller announces the new clearance after the commit.
"""

import json

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, people, scenes
from ictool.db import now, transaction

MAX_PURPOSE = 120
MAX_ENTRY = 40
MAX_ENTRIES = 30
# Roles that can be named as essential on their own; crew are named by their department.
ESSENTIAL_ROLES = ("director", "coordinator", "first_ad", "second_ad", "producer")
# German practice (DOMAIN.md): director, camera, sound, actors, IC; and the 1st AD runs it.
DEFAULT_ESSENTIALS = ("director", "camera", "sound", "coordinator", "first_ad")


# --- the production's essential crew ------------------------------------------------------


def essentials(db: Database, production_id: int) -> list[str]:
    """The roles and departments this production names as essential (else the defaults)."""
    row = db.execute(
        "SELECT entries FROM production_essentials WHERE production_id = ?", [production_id]
    ).fetchone()
    return json.loads(row[0]) if row else list(DEFAULT_ESSENTIALS)


def clean_essentials(entries: object) -> list[str]:
    """A list of role codes and department names, checked; ValueError names the field."""
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise ValueError(
            _(
                "%(key)s must be a list of at most %(n)s roles or departments",
                key="roles",
                n=MAX_ENTRIES,
            )
        )
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip() or len(entry.strip()) > MAX_ENTRY:
            raise ValueError(
                _(
                    "%(key)s: each must be a role (%(roles)s) or a department, "
                    "up to %(n)s characters",
                    key="roles",
                    roles=", ".join(ESSENTIAL_ROLES),
                    n=MAX_ENTRY,
                )
            )
        value = entry.strip().lower()
        if value in ("performer", "crew"):
            raise ValueError(
                _(
                    "%(key)s: performers are always on their scene's roster; name crew by "
                    "their department (camera, sound...)",
                    key="roles",
                )
            )
        if value not in out:
            out.append(value)
    return out


def set_essentials(db: Database, production_id: int, entries: object, by: int) -> list[str]:
    """The producer or the IC names the production's essential roles and departments."""
    clean = clean_essentials(entries)
    with transaction(db):
        db["production_essentials"].upsert(
            {
                "production_id": production_id,
                "entries": json.dumps(clean),
                "updated_by": by,
                "updated_at": now(),
            },
            pk="production_id",
        )
        audit.record(
            db,
            "roster.essentials_set",
            actor_id=by,
            production_id=production_id,
            count=len(clean),
        )
    return clean


def choices(db: Database, production_id: int) -> list[str]:
    """What can be named essential: the roles, the departments of the production's crew,
    and whatever is named already."""
    crew = people.in_production(db, production_id, "crew")
    departments = {(p["department"] or "").strip().lower() for p in crew} - {""}
    named = set(essentials(db, production_id)) - set(ESSENTIAL_ROLES)
    return [*ESSENTIAL_ROLES, *sorted(departments | named)]


def is_essential(person: dict, entries: list[str]) -> bool:
    """Does this person fill one of the essential roles or departments?"""
    if person["role"] == "crew":
        return (person["department"] or "").strip().lower() in entries
    return person["role"] in entries


# --- a scene's roster -----------------------------------------------------------------------


def listing(db: Database, scene: dict) -> list[dict]:
    """Everyone on the scene's roster: the listed people with their purpose, and the scene's
    performers (always on it: `performer` is true, and they cannot be taken off)."""
    performer_ids = set(scenes.performer_ids(db, scene["id"]))
    listed = {p["id"]: p for p in scenes.roster(db, scene["id"])}
    out = [
        dict(people.public(p), purpose=p["purpose"], performer=p["id"] in performer_ids)
        for p in listed.values()
    ]
    out += [
        dict(people.public(p), purpose=None, performer=True)
        for p in scenes.performers(db, scene["id"])
        if p["id"] not in listed
    ]
    return sorted(out, key=lambda p: (not p["performer"], p["name"].lower()))


def candidates(db: Database, scene: dict) -> list[dict]:
    """The production's people who are not on the scene's roster yet."""
    on = {p["id"] for p in listing(db, scene)}
    return [
        people.public(p)
        for p in people.in_production(db, scene["production_id"])
        if p["id"] not in on
    ]


def essential_missing(db: Database, scene: dict) -> list[dict]:
    """The essential crew of the production who are not on the scene's roster yet."""
    entries = essentials(db, scene["production_id"])
    on = {p["id"] for p in listing(db, scene)}
    return [
        people.public(p)
        for p in people.in_production(db, scene["production_id"])
        if p["id"] not in on and is_essential(p, entries)
    ]


def _purpose(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value.strip()) > MAX_PURPOSE:
        raise ValueError(
            _("%(key)s must be text of at most %(n)s characters", key="purpose", n=MAX_PURPOSE)
        )
    return value.strip()


def add(db: Database, scene: dict, person: dict, purpose: object, by: int) -> tuple[dict, bool]:
    """Put a person on the roster with a purpose (or change their purpose); return their
    entry and whether they are new on it."""
    purpose = _purpose(purpose)
    with transaction(db):
        created = not scenes.on_roster(db, scene["id"], person["id"])
        db.execute(
            """INSERT INTO scene_roster (scene_id, person_id, purpose) VALUES (?, ?, ?)
               ON CONFLICT (scene_id, person_id) DO UPDATE SET purpose = excluded.purpose""",
            [scene["id"], person["id"], purpose],
        )
        action = "roster.added" if created else "roster.purpose_changed"
        audit.record_for_scene(db, action, scene, by, person_id=person["id"])
    return _entry(db, scene, person["id"]), created


def _entry(db: Database, scene: dict, person_id: int) -> dict:
    return next(p for p in listing(db, scene) if p["id"] == person_id)


def remove(db: Database, scene: dict, person: dict, by: int) -> None:
    """Take a person off the roster; a performer of the scene always stays on it."""
    if person["id"] in scenes.performer_ids(db, scene["id"]):
        raise ValueError(
            _(
                "%(name)s is a performer in this scene and is always on its roster.",
                name=person["name"],
            )
        )
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM scene_roster WHERE scene_id = ? AND person_id = ?",
            [scene["id"], person["id"]],
        )
        if not cursor.rowcount:
            raise LookupError(_("%(name)s is not on this roster.", name=person["name"]))
        audit.record_for_scene(db, "roster.removed", scene, by, person_id=person["id"])


def add_essentials(db: Database, scene: dict, by: int) -> list[dict]:
    """Put the production's essential crew on the roster in one step; return who was added
    (each with no purpose of their own: their role or department says why)."""
    with transaction(db):
        missing = essential_missing(db, scene)
        for person in missing:
            db["scene_roster"].insert(
                {"scene_id": scene["id"], "person_id": person["id"], "purpose": None}
            )
        if missing:
            audit.record_for_scene(
                db, "roster.essentials_added", scene, by, person_ids=[p["id"] for p in missing]
            )
    return [_entry(db, scene, p["id"]) for p in missing]
