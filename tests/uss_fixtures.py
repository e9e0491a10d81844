"""USS (Universal Schedule Standard 1.0.0) files written for the tests: a small production
("Harbour Lights"), its revision, several stripboards and calendars, and a big one. Built
as Python objects so each test says what it changes; never the public samples."""

import copy
import json

CATEGORIES = [  # (id, ucid, name)
    ("c-set", 0, "Set"),
    ("c-ie", 1, "INT/EXT"),
    ("c-dn", 2, "Day/Night"),
    ("c-cast", 100, "Cast Members"),
    ("c-bg", 101, "Background Actors"),
    ("c-props", 104, "Props"),
]


def element(eid: str, name: str, board: str = "", events: list | None = None) -> dict:
    return {
        "id": eid,
        "created": "2027-01-10T09:00:00.000Z",
        "doodDropAllow": False,
        "doodDropDays": 0,
        "doodHoldAllow": False,
        "doodInclude": True,
        "elementId": board,
        "elementIdLock": bool(board),
        "events": events or [],
        "linkedElements": [],
        "name": name,
    }


def breakdown(bid: str, kind: str, scene=None, description=None, elements=()) -> dict:
    return {
        "id": bid,
        "comments": None,
        "created": "2027-01-10T09:00:00.000Z",
        "description": description,
        "elements": list(elements),
        "pages": 0.5 if kind == "scene" else None,
        "scene": scene,
        "scriptPage": None,
        "time": 3_600_000 if kind == "scene" else None,
        "type": kind,
    }


def event(eid: str, kind: str, date: str, name=None) -> dict:
    return {"id": eid, "type": kind, "name": name, "date": date}


def small() -> dict:
    """Four scenes over two shoot days (Monday 8 and Tuesday 9 March 2027), one scene in
    the boneyard, two cast members with board numbers, a background group, a prop, and a
    rehearsal of scene 41 on the calendar."""
    elements = [
        element("e-int", "INT"),
        element("e-ext", "EXT"),
        element("e-day", "DAY"),
        element("e-night", "NIGHT"),
        element("e-flat", "SEAFRONT FLAT"),
        element("e-pier", "PALACE PIER"),
        element("e-nadia", "Nadia Haddad", "1"),
        element("e-ben", "Ben Carter", "2"),
        element("e-crowd", "Pier crowd", "", []),
        element("e-ring", "Wedding ring"),
    ]
    in_category = {
        "c-set": ["e-flat", "e-pier"],
        "c-ie": ["e-int", "e-ext"],
        "c-dn": ["e-day", "e-night"],
        "c-cast": ["e-nadia", "e-ben"],
        "c-bg": ["e-crowd"],
        "c-props": ["e-ring"],
    }
    breakdowns = [
        breakdown("b-banner", "banner", description="Harbour Lights, first draft"),
        breakdown(
            "b-40",
            "scene",
            "40",
            "Nadia and Ben in bed; they undress each other.",
            ["e-int", "e-flat", "e-night", "e-nadia", "e-ben"],
        ),
        breakdown(
            "b-32",
            "scene",
            "32",
            "They kiss goodbye on the pier.",
            ["e-ext", "e-pier", "e-day", "e-nadia", "e-ben", "e-crowd", "e-ring"],
        ),
        breakdown("b-day1", "day"),
        breakdown(
            "b-41",
            "scene",
            "41",
            "Nadia swims naked at dawn.",
            ["e-ext", "e-pier", "e-day", "e-nadia"],
        ),
        breakdown(
            "b-12", "scene", "12", "Ben fixes the boat.", ["e-ext", "e-pier", "e-day", "e-ben"]
        ),
        breakdown("b-day2", "day"),
        breakdown("b-99", "scene", "99", "Cut: the storm.", ["e-ext", "e-pier", "e-night"]),
    ]
    return {
        "universalScheduleStandard": {
            "id": "uss-harbour",
            "author": "Sol Ortega",
            "company": "Seaside Films",
            "created": "2027-01-10T09:00:00.000Z",
            "description": None,
            "episode": None,
            "episodeName": None,
            "name": "Harbour Lights schedule",
            "project": "Harbour Lights",
            "schedColor": "White",
            "schedDate": "2027-01-10T09:00:00.000Z",
            "scriptColor": "White",
            "scriptDate": "2027-01-09T09:00:00.000Z",
            "season": None,
            "source": "tests",
            "version": "1.0.0",
            "breakdowns": breakdowns,
            "calendars": [
                {
                    "id": "cal-march",
                    "name": "Start 8 March",
                    "daysOff": [0, 6],
                    "events": [
                        event("ev-start", "start", "2027-03-08T08:00:00.000Z"),
                        event("ev-reh", "event", "2027-03-05T14:30:00.000Z", "rehearsal 41"),
                        event("ev-travel", "event", "2027-03-07T10:00:00.000Z", "travel"),
                    ],
                }
            ],
            "categories": [
                {
                    "id": cid,
                    "created": "2027-01-10T09:00:00.000Z",
                    "elements": in_category[cid],
                    "name": name,
                    "ucid": ucid,
                }
                for cid, ucid, name in CATEGORIES
            ],
            "elements": elements,
            "stripboards": [
                {
                    "id": "sb-shoot",
                    "name": "Shooting order",
                    "calendar": "cal-march",
                    "boards": [
                        {
                            "id": "board-1",
                            "name": "stripboard",
                            "breakdownIds": [
                                "b-banner",
                                "b-40",
                                "b-32",
                                "b-day1",
                                "b-41",
                                "b-12",
                                "b-day2",
                            ],
                        },
                        {"id": "board-2", "name": "boneyard", "breakdownIds": ["b-99"]},
                    ],
                }
            ],
        }
    }


def two_boards() -> dict:
    """The small production with a second stripboard (script order) and a second calendar
    (a week later, Friday 19 March a holiday)."""
    doc = small()
    uss = doc["universalScheduleStandard"]
    uss["calendars"].append(
        {
            "id": "cal-later",
            "name": "Push one week",
            "daysOff": [0, 6],
            "events": [
                event("ev-start2", "start", "2027-03-18T08:00:00.000Z"),
                event("ev-hol", "dayOff", "2027-03-19T00:00:00.000Z", "holiday"),
            ],
        }
    )
    uss["stripboards"].append(
        {
            "id": "sb-script",
            "name": "Script order",
            "calendar": "cal-later",
            "boards": [
                {
                    "id": "board-3",
                    "name": "stripboard",
                    "breakdownIds": ["b-12", "b-day1", "b-32", "b-40", "b-41", "b-day2"],
                },
                {"id": "board-4", "name": "boneyard", "breakdownIds": ["b-99", "b-banner"]},
            ],
        }
    )
    return doc


def revised() -> dict:
    """The revision: scene 32 moves to day 2, scene 40 is renumbered 40A (same breakdown id)
    and rewritten, scene 12 goes to the boneyard, a new scene 44 is added to day 2."""
    doc = copy.deepcopy(small())
    uss = doc["universalScheduleStandard"]
    b40 = next(b for b in uss["breakdowns"] if b["id"] == "b-40")
    b40["scene"], b40["description"] = "40A", "Nadia and Ben in bed (rewritten)."
    uss["breakdowns"].append(
        breakdown("b-44", "scene", "44", "Car park: goodbye.", ["e-ext", "e-day", "e-ben"])
    )
    board, boneyard = uss["stripboards"][0]["boards"]
    board["breakdownIds"] = ["b-40", "b-day1", "b-41", "b-32", "b-44", "b-day2"]
    boneyard["breakdownIds"] = ["b-99", "b-12", "b-banner"]
    return doc


def big(count: int) -> dict:
    """`count` breakdowns: scenes, five to a day, with full keys and long descriptions."""
    doc = small()
    uss = doc["universalScheduleStandard"]
    rows, ids = [], []
    words = "The harbour at dusk, gulls overhead, the lights coming on one by one. " * 4
    for n in range(count):
        if n % 6 == 5:
            rows.append(breakdown(f"d{n}", "day"))
        else:
            rows.append(
                breakdown(
                    f"s{n}",
                    "scene",
                    f"{n}",
                    f"Scene {n}. {words}"[:290],
                    ["e-int", "e-flat", "e-night", "e-nadia" if n % 2 else "e-ben"],
                )
            )
            rows[-1]["comments"] = "Rain towers; two cameras."
        ids.append(rows[-1]["id"])
    uss["breakdowns"] = rows
    uss["stripboards"][0]["boards"] = [{"id": "board-1", "name": "stripboard", "breakdownIds": ids}]
    uss["calendars"][0]["events"] = [event("ev-start", "start", "2027-03-08T08:00:00.000Z")]
    uss["calendars"][0]["daysOff"] = []
    return doc


def dumps(doc: dict, indent: int | None = 1) -> bytes:
    return json.dumps(doc, indent=indent).encode()
