"""Blocking rehearsals of intimate scenes, and whether the IC was there.

The IC's presence is recorded after the fact (by the IC or an AD); until then it is
unknown, which the readiness checklist treats differently from "absent".
"""

from datetime import date, time

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, scenes
from ictool.db import now, transaction

MAX_LOCATION = 120


def add(
    db: Database,
    scene_id: int,
    on: str,
    start_time: str,
    location: str = "",
    duration_minutes: int = 120,
    actor_id: int | None = None,
) -> int:
    """Schedule a rehearsal of a scene; `on` is YYYY-MM-DD and `start_time` HH:MM."""
    scene = scenes.get(db, scene_id)
    if scene is None:
        raise LookupError(_("No such scene."))
    try:
        date.fromisoformat(on)
    except (TypeError, ValueError):
        raise ValueError(_("%(key)s must be YYYY-MM-DD", key="date")) from None
    try:
        time.fromisoformat(start_time)
    except (TypeError, ValueError):
        raise ValueError(_("start time must be HH:MM")) from None
    if not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 720:
        raise ValueError(_("duration must be between 15 and 720 minutes"))
    if not isinstance(location, str):
        raise ValueError(_("location must be text"))
    location = location.strip()
    if len(location) > MAX_LOCATION:
        raise ValueError(_("location is longer than %(n)s characters", n=MAX_LOCATION))
    with transaction(db):
        rehearsal_id = insert(db, scene_id, on, start_time, location, duration_minutes, actor_id)
    return rehearsal_id


def insert(
    db: Database,
    scene_id: int,
    on: str,
    start_time: str,
    location: str = "",
    duration_minutes: int = 120,
    actor_id: int | None = None,
) -> int:
    """Write a checked rehearsal and its audit entry (inside the caller's transaction)."""
    scene = scenes.get(db, scene_id)
    rehearsal_id = (
        db["rehearsals"]
        .insert(
            {
                "production_id": scene["production_id"],
                "scene_id": scene_id,
                "date": on,
                "start_time": start_time[:5],
                "duration_minutes": duration_minutes,
                "location": location,
                "created_by": actor_id,
                "created_at": now(),
            }
        )
        .last_pk
    )
    audit.record(
        db,
        "rehearsal.scheduled",
        actor_id=actor_id,
        production_id=scene["production_id"],
        subject=f"rehearsal:{rehearsal_id}",
        scene_id=scene_id,
    )
    return rehearsal_id


def get(db: Database, rehearsal_id: int) -> dict | None:
    rows = list(db["rehearsals"].rows_where("id = ?", [rehearsal_id]))
    return rows[0] if rows else None


def record_presence(
    db: Database, rehearsal_id: int, present: bool, actor_id: int | None = None
) -> dict:
    """Record whether the IC was at the rehearsal (a later record replaces an earlier one)."""
    rehearsal = get(db, rehearsal_id)
    if rehearsal is None:
        raise LookupError(_("No such rehearsal."))
    with transaction(db):
        db["rehearsals"].update(
            rehearsal_id,
            {
                "ic_present": int(bool(present)),
                "presence_recorded_by": actor_id,
                "presence_recorded_at": now(),
            },
        )
        audit.record(
            db,
            "rehearsal.ic_presence",
            actor_id=actor_id,
            production_id=rehearsal["production_id"],
            subject=f"rehearsal:{rehearsal_id}",
            present=bool(present),
        )
    return get(db, rehearsal_id)


def of_production(db: Database, production_id: int) -> list[dict]:
    """Every rehearsal, in date order, with its scene number."""
    return list(
        db.query(
            """SELECT rehearsals.*, scenes.number AS scene_number, scenes.intimacy
               FROM rehearsals JOIN scenes ON scenes.id = rehearsals.scene_id
               WHERE rehearsals.production_id = ? ORDER BY date, start_time, rehearsals.id""",
            [production_id],
        )
    )


def public(rehearsal: dict) -> dict:
    """A rehearsal as the API shows it (presence: true, false, or null when not recorded)."""
    present = rehearsal["ic_present"]
    return {
        "id": rehearsal["id"],
        "scene_id": rehearsal["scene_id"],
        "scene_number": rehearsal.get("scene_number"),
        "date": rehearsal["date"],
        "start_time": rehearsal["start_time"],
        "duration_minutes": rehearsal["duration_minutes"],
        "location": rehearsal["location"],
        "ic_present": None if present is None else bool(present),
        "presence_recorded_at": rehearsal["presence_recorded_at"],
    }
