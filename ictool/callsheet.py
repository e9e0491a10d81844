"""The intimacy coordinator on each shoot day's call sheet.

Being on the call sheet is what gives the IC access and authority on the day; the
readiness checklist asks for it on every day with an intimate scene.
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, people, scenes
from ictool.db import now, transaction


def set_ic(
    db: Database, day_id: int, person_id: int, on_sheet: bool, actor_id: int | None = None
) -> list[int]:
    """Put an IC on (or take them off) a day's call sheet; returns the ICs now on it."""
    day = scenes.get_day(db, day_id)
    if day is None:
        raise LookupError(_("No such shoot day."))
    person = people.get(db, person_id)
    if person is None or person["production_id"] != day["production_id"]:
        raise LookupError(_("No such person."))
    if person["role"] != "coordinator":
        raise ValueError(_("only an intimacy coordinator goes on the call sheet as IC"))
    with transaction(db):
        if on_sheet:
            db["call_sheet_ic"].upsert(
                {
                    "shoot_day_id": day_id,
                    "person_id": person_id,
                    "recorded_by": actor_id,
                    "recorded_at": now(),
                },
                pk=("shoot_day_id", "person_id"),
            )
        else:
            db.execute(
                "DELETE FROM call_sheet_ic WHERE shoot_day_id = ? AND person_id = ?",
                [day_id, person_id],
            )
        audit.record(
            db,
            "callsheet.ic_on" if on_sheet else "callsheet.ic_off",
            actor_id=actor_id,
            production_id=day["production_id"],
            subject=f"day:{day_id}",
            person_id=person_id,
        )
    return ic_on_day(db, day_id)


def ic_on_day(db: Database, day_id: int) -> list[int]:
    """The ids of the ICs on a day's call sheet."""
    rows = db.execute(
        "SELECT person_id FROM call_sheet_ic WHERE shoot_day_id = ? ORDER BY person_id", [day_id]
    )
    return [r[0] for r in rows]
