"""Write the production's schedule as a Universal Schedule Standard 1.0.0 file: every key
of the standard present, ISO dates, the ids kept from an import (or made once and stored),
and ictool's intimacy level, closed set, call time and day location as custom keys
beginning with an underscore, as the standard's extension rules require.

Only the schedule leaves: scenes, days, cast (name and board number) and rehearsal dates.
Never blocking, riders, consent, check-ins or concerns.
"""

import hashlib
import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from ictool import people, productions, rehearsals, scenes, uss_ids
from ictool.db import transaction
from ictool.uss_file import (
    CALL_KEY,
    CAST,
    CLOSED_KEY,
    INTIMACY_KEY,
    LOCATION_KEY,
    SCENE_KEY,
    zone_of,
)

VERSION = "1.0.0"
SLUGLINE = re.compile(r"^(?:(INT\.?/EXT|EXT\.?/INT|INT|EXT|I/E)\.?\s+)?(.*?)(?:\s+-\s+([^-]+))?$")
SLUG_CATEGORIES = ((0, "Set", "set"), (1, "INT/EXT", "int_ext"), (2, "Day/Night", "day_night"))


def iso(when: datetime) -> str:
    """The standard's date format: 2022-06-24T08:00:00.000Z."""
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _noon(day: str, zone: ZoneInfo) -> str:
    """A shoot date as local noon: the same calendar date in UTC for every time zone within
    eleven hours, for readers that look at the date part only."""
    return iso(datetime.combine(date.fromisoformat(day), time(12), tzinfo=zone))


def slug_parts(setting: str | None) -> dict[str, str]:
    """A location line ("INT. SEAFRONT FLAT - NIGHT") back into its INT/EXT, set and
    day/night elements."""
    found = SLUGLINE.match((setting or "").strip())
    if not setting or not found:
        return {}
    parts = dict(zip(("int_ext", "set", "day_night"), found.groups(), strict=True))
    return {k: v.strip() for k, v in parts.items() if v and v.strip()}


def _derived(schedule_id: str, *key: str) -> str:
    """A stable id for what ictool does not store (categories, sets, boards, calendar)."""
    text = ":".join([schedule_id, *key]).lower()
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _element(element_id: str, name: str, created: str, board: str = "") -> dict:
    return {
        "id": element_id,
        "created": created,
        "doodDropAllow": False,
        "doodDropDays": 0,
        "doodHoldAllow": False,
        "doodInclude": True,
        "elementId": board,
        "elementIdLock": False,
        "events": [],
        "linkedElements": [],
        "name": name,
    }


def _strip(strip_id: str, kind: str, created: str, **values) -> dict:
    return {
        "id": strip_id,
        "comments": None,
        "created": created,
        "description": None,
        "elements": [],
        "pages": None,
        "scene": None,
        "scriptPage": None,
        "time": None,
        "type": kind,
        **values,
    }


def build(db: Database, production_id: int) -> dict:
    """The schedule as a USS object; ids missing so far are made and stored first."""
    production = productions.get(db, production_id)
    zone = zone_of(production)
    with transaction(db):
        days = scenes.days(db, production_id)
        every = scenes.of_production(db, production_id)
        cast = people.in_production(db, production_id, "performer")
        held = rehearsals.of_production(db, production_id)
        schedule_id = uss_ids.ensure(db, production_id, "schedule", [production_id])[production_id]
        day_ids = uss_ids.ensure(db, production_id, "day", [d["id"] for d in days])
        scene_ids = uss_ids.ensure(db, production_id, "scene", [s["id"] for s in every])
        person_ids = uss_ids.ensure(db, production_id, "person", [p["id"] for p in cast])
        rehearsal_ids = uss_ids.ensure(db, production_id, "rehearsal", [r["id"] for r in held])
    created = iso(datetime.fromisoformat(production["created_at"]))
    slug_elements: dict[tuple[str, str], tuple[str, str]] = {}  # (part, key) -> (id, name)
    breakdowns, scheduled, boneyard = [], [], []
    by_day = {d["id"]: [] for d in days}
    unscheduled = []
    for scene in sorted(every, key=lambda s: (s["position"], s["id"])):
        (by_day[scene["shoot_day_id"]] if scene["shoot_day_id"] else unscheduled).append(scene)
    performer_ids = {s["id"]: scenes.performer_ids(db, s["id"]) for s in every}

    def scene_strip(scene: dict) -> dict:
        elements = []
        for part, name in slug_parts(scene["setting"]).items():
            key = (part, name.lower())
            slug_elements.setdefault(key, (_derived(schedule_id, "element", part, name), name))
            elements.append(slug_elements[key][0])
        elements += [person_ids[p] for p in performer_ids[scene["id"]] if p in person_ids]
        return _strip(
            scene_ids[scene["id"]],
            "scene",
            created,
            description=scene["description"],
            elements=elements,
            scene=scene["number"],
            **{INTIMACY_KEY: scene["intimacy"], CLOSED_KEY: bool(scene["closed_set"])},
        )

    for day in days:
        for scene in by_day[day["id"]]:
            breakdowns.append(scene_strip(scene))
            scheduled.append(breakdowns[-1]["id"])
        strip = _strip(
            day_ids[day["id"]],
            "day",
            created,
            **{CALL_KEY: day["call_time"], LOCATION_KEY: day["location"]},
        )
        breakdowns.append(strip)
        scheduled.append(strip["id"])
    for scene in unscheduled:
        breakdowns.append(scene_strip(scene))
        boneyard.append(breakdowns[-1]["id"])
    elements = [
        _element(person_ids[p["id"]], p["name"], created, p.get("board_number") or "")
        for p in sorted(cast, key=lambda p: (_board_order(p.get("board_number")), p["name"]))
    ]
    categories = [
        {
            "id": _derived(schedule_id, "category", str(ucid)),
            "created": created,
            "elements": [i for (part, _k), (i, _n) in slug_elements.items() if part == key],
            "name": name,
            "ucid": ucid,
        }
        for ucid, name, key in SLUG_CATEGORIES
    ]
    elements += [_element(i, name, created) for i, name in slug_elements.values()]
    categories.append(
        {
            "id": _derived(schedule_id, "category", str(CAST)),
            "created": created,
            "elements": [person_ids[p["id"]] for p in cast],
            "name": "Cast Members",
            "ucid": CAST,
        }
    )
    calendar_id = _derived(schedule_id, "calendar")
    return {
        "universalScheduleStandard": {
            "id": schedule_id,
            "author": None,
            "company": production.get("company"),
            "created": created,
            "description": None,
            "episode": None,
            "episodeName": None,
            "name": production["title"],
            "project": production["title"],
            "schedColor": None,
            "schedDate": None,
            "scriptColor": None,
            "scriptDate": None,
            "season": None,
            "source": "ictool",
            "version": VERSION,
            "breakdowns": breakdowns,
            "calendars": [
                {
                    "id": calendar_id,
                    "daysOff": [],
                    "events": _events(days, held, rehearsal_ids, every, zone, schedule_id),
                    "name": production["title"],
                }
            ],
            "categories": categories,
            "elements": elements,
            "stripboards": [
                {
                    "id": _derived(schedule_id, "stripboard"),
                    "boards": [
                        {
                            "id": _derived(schedule_id, "board", "stripboard"),
                            "name": "stripboard",
                            "breakdownIds": scheduled,
                        },
                        {
                            "id": _derived(schedule_id, "board", "boneyard"),
                            "name": "boneyard",
                            "breakdownIds": boneyard,
                        },
                    ],
                    "calendar": calendar_id,
                    "name": production["title"],
                }
            ],
        }
    }


def _board_order(board: str | None) -> tuple:
    board = board or ""
    return (0, int(board), "") if board.isdigit() else (1, 0, board)


def _events(days, held, rehearsal_ids, every, zone, schedule_id) -> list[dict]:
    """The start (the first shoot day), each date between shoot days as a day off, and the
    rehearsals (of the scene named by `_ictoolScene`)."""
    events = []
    if days:
        first, last = date.fromisoformat(days[0]["date"]), date.fromisoformat(days[-1]["date"])
        shooting = {d["date"] for d in days}
        events.append(
            {
                "id": _derived(schedule_id, "event", "start"),
                "date": _noon(days[0]["date"], zone),
                "type": "start",
                "name": None,
            }
        )
        day = first
        while day < last:
            if day.isoformat() not in shooting:
                events.append(
                    {
                        "id": _derived(schedule_id, "event", "off", day.isoformat()),
                        "date": _noon(day.isoformat(), zone),
                        "type": "dayOff",
                        "name": "dayOff",
                    }
                )
            day += timedelta(days=1)
    numbers = {s["id"]: s["number"] for s in every}
    for rehearsal in held:
        start = datetime.combine(
            date.fromisoformat(rehearsal["date"]),
            time.fromisoformat(rehearsal["start_time"]),
            tzinfo=zone,
        )
        events.append(
            {
                "id": rehearsal_ids[rehearsal["id"]],
                "date": iso(start),
                "type": "event",
                "name": "rehearsal",
                SCENE_KEY: numbers.get(rehearsal["scene_id"]),
            }
        )
    return events


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
