"""What each role's screen shows, as plain data: the HTML pages render it and
`GET /api/home` returns it, so the two can never disagree.

Each builder receives the signed-in person and shows only what their role may see.
"""

from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from ictool import (
    alerts,
    beat_codes,
    blocking,
    briefing,
    closedset,
    people,
    productions,
    readiness,
    riders,
    roster,
    scenes,
    takes,
)
from ictool.clearance import GARMENT_CONTENT
from ictool.permissions import allowed

CLOSED_SET_RULES = [
    _l("Only the people on the scene's roster are on set while it is closed."),
    _l("No photos, video or phones out, unless the performers agreed to them in writing."),
    _l("Monitors are limited to the scene's monitor list; others are switched off or covered."),
    _l("Anyone can ask for a pause at any time, with the PAUSE button or by saying 'hold'."),
    _l("The intimacy coordinator is the neutral person anyone can go to."),
]


def _day(db: Database, person: dict, day_id: int | None) -> dict | None:
    if day_id is not None:
        day = scenes.get_day(db, day_id)
        if day and day["production_id"] == person["production_id"]:
            return day
        return None
    return scenes.current_day(db, person["production_id"])


def scene_detail(db: Database, person: dict, scene: dict) -> dict:
    """One scene, with the parts this person may see: roster, riders, blocking."""
    day = scenes.get_day(db, scene["shoot_day_id"]) if scene["shoot_day_id"] else None
    out = scenes.public(scene, day)
    out["performers"] = [people.public(p) for p in scenes.performers(db, scene["id"])]
    out["needs_rider"] = scenes.needs_rider(scene)
    if out["needs_rider"] and allowed(db, person, "riders.view", scene):
        out["riders"] = riders.rows(db, scene)
    elif out["needs_rider"] and allowed(db, person, "riders.mine", scene):
        out["riders"] = [r for r in riders.rows(db, scene) if r["person_id"] == person["id"]]
    if allowed(db, person, "roster.view", scene):
        out["roster"] = roster.listing(db, scene)
    if allowed(db, person, "blocking.read", scene):
        current = blocking.current(db, scene["id"])
        out["blocking"] = (
            {
                "version": current["version"],
                "beats": current["beats"],
                "codes": current["codes"],
                "created_at": current["created_at"],
            }
            if current
            else None
        )
        checked = current and current["codes"] and scenes.needs_rider(scene)
        if checked and allowed(db, person, "rider_beats.view", scene):
            out["rider_check"] = beat_codes.beat_check(db, scene)
    return out


def _days(db: Database, person: dict) -> list[dict]:
    return scenes.days(db, person["production_id"])


def now(db: Database, person: dict, day_scenes: list[dict]) -> dict:
    """The scene that matters first on the IC's and AD's screens: the one being shot (a take
    called, the set closed, a good-to-go given, not wrapped), else the next intimate or
    closed-set scene not wrapped yet; and how many alerts are open."""
    waiting = [
        s
        for s in day_scenes
        if (scenes.is_intimate(s) or s["closed_set"]) and not takes.wrapped(db, s["id"])
    ]
    shooting = next(
        (
            s
            for s in waiting
            if takes.started(db, s["id"]) or closedset.set_closed(db, s["id"]) is not None
        ),
        None,
    )
    scene = shooting or (waiting[0] if waiting else None)
    return {
        "scene_id": scene["id"] if scene else None,
        "shooting": shooting is not None,
        "open_alerts": len(alerts.open_alerts(db, person)),
    }


def ic_day(db: Database, person: dict, day_id: int | None = None) -> dict:
    """The IC's dashboard: what matters now, then the day's scenes with roster, blocking
    and rider status."""
    day = _day(db, person, day_id)
    rows = scenes.of_day(db, day["id"]) if day else []
    return {
        "screen": "ic",
        "production": productions.public(productions.get(db, person["production_id"])),
        "days": _days(db, person),
        "day": day,
        "now": now(db, person, rows),
        "scenes": [scene_detail(db, person, s) for s in rows],
    }


def ad_board(db: Database, person: dict, day_id: int | None = None) -> dict:
    """The AD's board: the day's scenes and each closed set's roster."""
    data = ic_day(db, person, day_id)
    data["screen"] = "ad"
    return data


def performer_home(db: Database, person: dict, day_id: int | None = None) -> dict:
    """A performer's day: the scenes they are in, with the blocking of those only."""
    day = _day(db, person, day_id)
    mine = scenes.scene_ids_of_performer(db, person["id"])
    todays = [s for s in scenes.of_day(db, day["id"]) if s["id"] in mine] if day else []
    upcoming = [
        scenes.public(s)
        for s in scenes.of_production(db, person["production_id"])
        if s["id"] in mine
    ]
    return {
        "screen": "performer",
        "production": productions.public(productions.get(db, person["production_id"])),
        "day": day,
        "scenes": [scene_detail(db, person, s) for s in todays],
        "my_scenes": upcoming,
    }


def producer_schedule(db: Database, person: dict) -> dict:
    """The producer's schedule: every day and scene, with riders; never blocking."""
    production = productions.get(db, person["production_id"])
    days = []
    for day in _days(db, person):
        days.append(
            dict(day, scenes=[scene_detail(db, person, s) for s in scenes.of_day(db, day["id"])])
        )
    coordinators = people.in_production(db, person["production_id"], "coordinator")
    return {
        "screen": "producer",
        "production": productions.public(production),
        "coordinators": [people.public(p) for p in coordinators],
        "days": days,
        "readiness": readiness.checklist(db, person["production_id"]),
    }


def crew_call(db: Database, person: dict, day_id: int | None = None) -> dict:
    """A crew member's call and the closed-set rules; which scenes close the set."""
    day = _day(db, person, day_id)
    closed, garments = [], []
    for s in scenes.of_day(db, day["id"]) if day else []:
        if s["closed_set"]:
            closed.append(
                {
                    "id": s["id"],
                    "number": s["number"],
                    "on_roster": scenes.on_roster(db, s["id"], person["id"]),
                }
            )
        if s["intimacy"] in GARMENT_CONTENT and allowed(db, person, "garments.edit", s):
            garments.append({"id": s["id"], "number": s["number"]})  # costume confirms them
    return {
        "screen": "crew",
        "production": productions.public(productions.get(db, person["production_id"])),
        "day": day,
        "closed_set_scenes": closed,
        "garment_scenes": garments,
        "rules": [str(rule) for rule in CLOSED_SET_RULES],
        "briefing": {"acknowledged": briefing.acknowledged(db, person["id"]) is not None},
    }


HOME = {
    "coordinator": ic_day,
    "first_ad": ad_board,
    "second_ad": ad_board,
    "director": ad_board,
    "performer": performer_home,
    "background": performer_home,
    "producer": lambda db, person, day_id=None: producer_schedule(db, person),
    "crew": crew_call,
}


def home(db: Database, person: dict, day_id: int | None = None) -> dict:
    """The data of this person's home screen."""
    return HOME[person["role"]](db, person, day_id)
