"""Shoot days, scenes, the performers in each scene (with their nudity rider date)
and each intimate scene's closed-set roster."""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool.db import transaction

INTIMACY = ("none", "kiss", "simulated_sex", "partial_nudity", "full_nudity")
# The nudity rider applies to nudity and simulated sex, never to a kiss (DOMAIN.md).
RIDER_CONTENT = ("simulated_sex", "partial_nudity", "full_nudity")


def add_day(db: Database, production_id: int, day: str, location: str, call_time: str) -> int:
    """Add a shoot day; `day` is YYYY-MM-DD and `call_time` HH:MM."""
    date.fromisoformat(day)
    time.fromisoformat(call_time)
    with transaction(db):  # the caller's, or its own: plain SQL does not commit by itself
        return db.execute(
            "INSERT INTO shoot_days (production_id, date, location, call_time) VALUES (?, ?, ?, ?)",
            [production_id, day, location, call_time],
        ).lastrowid


def days(db: Database, production_id: int) -> list[dict]:
    return list(db["shoot_days"].rows_where("production_id = ?", [production_id], order_by="date"))


def get_day(db: Database, day_id: int) -> dict | None:
    rows = list(db["shoot_days"].rows_where("id = ?", [day_id]))
    return rows[0] if rows else None


def current_day(db: Database, production_id: int, today: str | None = None) -> dict | None:
    """Today's shoot day, else the next one, else the last one."""
    today = today or date.today().isoformat()
    all_days = days(db, production_id)
    upcoming = [d for d in all_days if d["date"] >= today]
    return upcoming[0] if upcoming else (all_days[-1] if all_days else None)


def add_scene(
    db: Database,
    production_id: int,
    shoot_day_id: int | None,
    number: str,
    description: str,
    intimacy: str = "none",
    closed_set: bool = False,
    performers: dict[int, str | None] | None = None,
    roster: dict[int, str | None] | None = None,
) -> int:
    """Add a scene with its performers ({person_id: rider date}) and roster ({id: purpose}):
    a purpose is a role code ('performer', 'first_ad'), translated where it is shown, or a
    person's own words ('camera operator')."""
    if intimacy not in INTIMACY:
        raise ValueError(
            _(
                "unknown intimacy content %(value)s; one of %(codes)s",
                value=repr(intimacy),
                codes=", ".join(INTIMACY),
            )
        )
    with transaction(db):  # the caller's, or its own: plain SQL does not commit by itself
        position = db.execute(
            "SELECT COUNT(*) FROM scenes WHERE production_id = ? AND shoot_day_id IS ?",
            [production_id, shoot_day_id],
        ).fetchone()[0]
        scene_id = db.execute(  # plain SQL: a schedule import writes thousands of these
            """INSERT INTO scenes (production_id, shoot_day_id, number, description, intimacy,
                   closed_set, position) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [production_id, shoot_day_id, number, description, intimacy, int(closed_set), position],
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO scene_performers (scene_id, person_id, rider_signed_on) VALUES (?, ?, ?)",
            [(scene_id, person_id, rider) for person_id, rider in (performers or {}).items()],
        )
        db.conn.executemany(
            "INSERT INTO scene_roster (scene_id, person_id, purpose) VALUES (?, ?, ?)",
            [(scene_id, person_id, purpose) for person_id, purpose in (roster or {}).items()],
        )
    return scene_id


def get(db: Database, scene_id: int) -> dict | None:
    rows = list(db["scenes"].rows_where("id = ?", [scene_id]))
    return rows[0] if rows else None


def of_day(db: Database, day_id: int) -> list[dict]:
    return list(db["scenes"].rows_where("shoot_day_id = ?", [day_id], order_by="position"))


def of_production(db: Database, production_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT scenes.* FROM scenes LEFT JOIN shoot_days ON shoot_days.id = shoot_day_id
           WHERE scenes.production_id = ? ORDER BY shoot_days.date, scenes.position""",
            [production_id],
        )
    )


def is_intimate(scene: dict) -> bool:
    return scene["intimacy"] != "none"


def performer_ids(db: Database, scene_id: int) -> list[int]:
    rows = db.execute("SELECT person_id FROM scene_performers WHERE scene_id = ?", [scene_id])
    return [r[0] for r in rows]


def scene_ids_of_performer(db: Database, person_id: int) -> set[int]:
    rows = db.execute("SELECT scene_id FROM scene_performers WHERE person_id = ?", [person_id])
    return {r[0] for r in rows}


def performers(db: Database, scene_id: int) -> list[dict]:
    """The performers in a scene with their rider dates (sent, signed)."""
    return list(
        db.query(
            """SELECT people.id, people.name, people.role, people.department,
                  scene_performers.rider_signed_on, scene_performers.rider_sent_on
           FROM scene_performers JOIN people ON people.id = person_id
           WHERE scene_id = ? AND people.erased_at IS NULL ORDER BY people.name""",
            [scene_id],
        )
    )


def roster(db: Database, scene_id: int) -> list[dict]:
    """Who may be on the closed set for this scene, and why."""
    return list(
        db.query(
            """SELECT people.id, people.name, people.role, people.department, scene_roster.purpose
           FROM scene_roster JOIN people ON people.id = person_id
           WHERE scene_id = ? AND people.erased_at IS NULL ORDER BY people.name""",
            [scene_id],
        )
    )


def on_roster(db: Database, scene_id: int, person_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM scene_roster WHERE scene_id = ? AND person_id = ?", [scene_id, person_id]
    ).fetchone()
    return row is not None


def set_rider(db: Database, scene_id: int, person_id: int, signed_on: str | None) -> None:
    """Set the date a performer signed the nudity rider (None: not signed), unchecked and
    unaudited: for seeding. The IC's page and the API go through `riders.record`."""
    if signed_on:
        date.fromisoformat(signed_on[:10])
    db.execute(
        "UPDATE scene_performers SET rider_signed_on = ? WHERE scene_id = ? AND person_id = ?",
        [signed_on, scene_id, person_id],
    )


def public(scene: dict, day: dict | None = None) -> dict:
    """A scene as everyone allowed to see it sees it (no blocking, no riders)."""
    out = {
        "id": scene["id"],
        "number": scene["number"],
        "description": scene["description"],
        "intimacy": scene["intimacy"],
        "closed_set": bool(scene["closed_set"]),
        "shoot_day_id": scene["shoot_day_id"],
    }
    if day:
        out["date"] = day["date"]
        out["call_time"] = day["call_time"]
        out["location"] = day["location"]
    return out


def needs_rider(scene: dict) -> bool:
    """Does each performer of this scene need a signed nudity rider before call?"""
    return scene["intimacy"] in RIDER_CONTENT


RIDER_STATUSES = ("missing", "late", "signed")


def rider_status(signed_on: str | None, day: dict | None, notice_hours: int) -> str:
    """One of RIDER_STATUSES: 'missing', 'late' (signed less than the notice period before
    call) or 'signed'."""
    if not signed_on:
        return "missing"
    if day is None:
        return "signed"
    call = datetime.fromisoformat(f"{day['date']}T{day['call_time']}")
    signed = datetime.fromisoformat(signed_on if "T" in signed_on else f"{signed_on}T00:00")
    return "late" if call - signed < timedelta(hours=notice_hours) else "signed"
