"""The parts of a Universal Schedule Standard file (`.uss`, JSON, version 1.0.0), read
leniently: text from strings or numbers, ids from ids or objects, `catId` for `ucid`, boards
as `breakdownIds` or `breakdownArrays`, events as `type`/`name` or `effect`/`type`. What is
skipped is noted on the Reader; what cannot be read raises ImportFailed naming its JSON path
(`breakdowns[12].scene`) and what was expected. `uss_import` turns the parts into a schedule.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import productions
from ictool.schedule_import import ImportFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_BREAKDOWNS = 10_000
CAST, BACKGROUND = 100, 101
SLUG_CATEGORIES = {0: "set", 1: "int_ext", 2: "day_night"}
CATEGORY_NAMES = {  # for files whose categories carry no number
    "set": 0,
    "sets": 0,
    "int/ext": 1,
    "day/night": 2,
    "cast": CAST,
    "cast members": CAST,
    "background": BACKGROUND,
    "background actors": BACKGROUND,
    "extras": BACKGROUND,
}
DAY_OFF_TYPES = {"dayoff", "daysoff", "holiday", "off"}
CALL_KEY, LOCATION_KEY = "_ictoolCallTime", "_ictoolLocation"
DAY_BREAK = object()  # the end of a day in a board written as `breakdownArrays`
INTIMACY_KEY, CLOSED_KEY, SCENE_KEY = "_ictoolIntimacy", "_ictoolClosedSet", "_ictoolScene"


@dataclass(frozen=True)
class PathError:
    """One problem, at a JSON path, with what was expected there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def public(self) -> dict:
        return {"path": self.path, "message": self.message}


def looks_like_uss(data: bytes | str) -> bool:
    """A USS file is a JSON object; a call sheet never starts with `{`."""
    head = data[:64].lstrip() if isinstance(data, str) else data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in ("{", b"{")


def fail(path: str, message: str):
    raise ImportFailed([PathError(path, message)])


def decode(data: bytes | str) -> str:
    """The file's text, within the size limit and as UTF-8, or ImportFailed."""
    if len(data) > MAX_BYTES:
        fail("$", _("the file is larger than %(mb)s MB", mb=MAX_BYTES // 1024 // 1024))
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("$", _("the file is not UTF-8 text"))


def load(data: bytes | str) -> dict:
    """The file's `universalScheduleStandard` object, or ImportFailed naming why not."""
    data = decode(data)
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        fail(
            "$", _("not valid JSON (line %(line)s, column %(col)s)", line=exc.lineno, col=exc.colno)
        )
    except RecursionError:
        fail("$", _("the JSON is nested too deeply"))
    root = doc.get("universalScheduleStandard") if isinstance(doc, dict) else None
    if root is None and isinstance(doc, dict) and "breakdowns" in doc:
        root = doc  # some tools write the object without its wrapper
    if not isinstance(root, dict):
        fail(
            "universalScheduleStandard",
            _("expected an object holding breakdowns, categories and elements"),
        )
    return root


def text(value: object) -> str | None:
    """Text from a string or a number (tools disagree on types); None if unreadable."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value.strip() if isinstance(value, str) else None


def ident(value: object) -> str | None:
    """An id from a string or a number; None when there is none."""
    return text(value) or None


def idents(value: object) -> list[str]:
    """Ids from a list of ids (or of objects with an `id`)."""
    if not isinstance(value, list):
        return []
    found = [ident(v.get("id")) if isinstance(v, dict) else ident(v) for v in value]
    return [v for v in found if v]


def array(root: dict, key: str, reader: "Reader", required: bool) -> list:
    value = root.get(key)
    if value is None or value == "":
        if required:
            reader.note(key, _("missing: read as an empty list"))
        return []
    if not isinstance(value, list):
        fail(key, _("expected an array"))
    return value


class Reader:
    """Reads one file for one production; collects what was skipped."""

    def __init__(self, db: Database, production_id: int, root: dict):
        self.db, self.production_id, self.root = db, production_id, root
        self.production = productions.get(db, production_id)
        self.zone = zone_of(self.production)
        self.skipped: list[dict] = []

    def note(self, path: str, message: str) -> None:
        self.skipped.append({"path": path, "message": message})


def zone_of(production: dict) -> ZoneInfo:
    try:
        return ZoneInfo(production.get("timezone") or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def local(value: object, zone: ZoneInfo) -> tuple[date, str | None] | None:
    """An ISO date or date-time (or epoch milliseconds) as the production's local date and
    time ("HH:MM", None for a date alone); None when it is not a date."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            when = datetime.fromtimestamp(value / 1000, tz=UTC)
        elif isinstance(value, str) and len(value.strip()) == 10:
            return date.fromisoformat(value.strip()), None
        elif isinstance(value, str):
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(zone)
    return when.date(), f"{when:%H:%M}"


def categories(reader: Reader) -> dict[str, int]:
    """Each element id's category number: the first category listing it wins; an element
    no category lists may name its category itself (`"category": "<category id>"`)."""
    of, numbers = {}, {}
    for i, category in enumerate(array(reader.root, "categories", reader, True)):
        if not isinstance(category, dict):
            reader.note(f"categories[{i}]", _("not an object: skipped"))
            continue
        number = category.get("ucid", category.get("catId"))
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool):
            number = CATEGORY_NAMES.get((text(category.get("name")) or "").lower())
        numbers.setdefault(ident(category.get("id")), number)
        for element_id in idents(category.get("elements")):
            of.setdefault(element_id, number)
    for element in array(reader.root, "elements", reader, False):
        if isinstance(element, dict) and ident(element.get("category")) in numbers:
            of.setdefault(ident(element.get("id")), numbers[ident(element.get("category"))])
    return of


def elements(reader: Reader) -> dict[str, dict]:
    found = {}
    for i, element in enumerate(array(reader.root, "elements", reader, True)):
        element_id = ident(element.get("id")) if isinstance(element, dict) else None
        if element_id is None:
            reader.note(f"elements[{i}]", _("no id: skipped"))
            continue
        name = text(element.get("name"))
        if name is None:
            fail(f"elements[{i}].name", _("expected text"))
        board = text(element.get("elementId")) or ""
        found.setdefault(element_id, dict(element, id=element_id, name=name, board=board, at=i))
    return found


def breakdowns(reader: Reader) -> dict[str, dict]:
    items = array(reader.root, "breakdowns", reader, True)
    if len(items) > MAX_BREAKDOWNS:
        fail(
            "breakdowns",
            _(
                "%(count)s breakdowns: at most %(n)s can be imported at once",
                count=len(items),
                n=MAX_BREAKDOWNS,
            ),
        )
    found = {}
    for i, item in enumerate(items):
        path = f"breakdowns[{i}]"
        if not isinstance(item, dict):
            reader.note(path, _("not an object: skipped"))
            continue
        breakdown_id = ident(item.get("id"))
        if breakdown_id is None:
            reader.note(path, _("no id, so no stripboard can place it: skipped"))
            continue
        if breakdown_id in found:
            reader.note(path, _("the same id as an earlier breakdown: skipped"))
            continue
        kind = (text(item.get("type")) or "").lower()
        number, description = text(item.get("scene")), text(item.get("description"))
        if number is None:
            fail(f"{path}.scene", _("expected a scene number as text"))
        if description is None:
            fail(f"{path}.description", _("expected text"))
        if kind not in ("scene", "day", "banner"):
            kind = "scene" if number else ("banner" if description else "day")
        found[breakdown_id] = dict(
            item, id=breakdown_id, type=kind, scene=number, description=description, at=i
        )
    return found


def pick(items: list, wanted: str | None, what: str, reader: Reader) -> tuple[int, dict] | None:
    """The stripboard or calendar chosen by id or name, or by position for one without an id
    (as `choices` lists it); default: the first."""
    good = [(i, s) for i, s in enumerate(items) if isinstance(s, dict)]
    if not good:
        return None
    if wanted:
        for i, item in good:
            if wanted in (ident(item.get("id")) or str(i), text(item.get("name"))):
                return i, item
        names = ", ".join(text(s.get("name")) or ident(s.get("id")) or "?" for _i, s in good)
        fail(
            what, _("%(wanted)s is not in this file: one of %(names)s", wanted=wanted, names=names)
        )
    return good[0]


def choices(items: list) -> list[dict]:
    return [
        {"id": ident(s.get("id")) or str(i), "name": text(s.get("name")) or f"#{i + 1}"}
        for i, s in enumerate(items)
        if isinstance(s, dict)
    ]


def strips(board: dict, path: str) -> list[tuple[object, str]]:
    """A board's strips in order as (breakdown id or DAY_BREAK, JSON path). Besides
    `breakdownIds`, some files write `breakdownArrays`: one array of ids per shoot day."""
    ids = board.get("breakdownIds")
    if ids is None and isinstance(board.get("breakdownArrays"), list):
        arrays, where = board["breakdownArrays"], f"{path}.breakdownArrays"
        if any(isinstance(a, list) for a in arrays):  # a lone id among them: a day of its own
            days = [(d, a if isinstance(a, list) else [a]) for d, a in enumerate(arrays)]
            return [
                pair
                for d, day in days
                for pair in [
                    *((v, f"{where}[{d}][{k}]") for k, v in enumerate(day)),
                    (DAY_BREAK, ""),
                ]
            ]
        return [(v, f"{where}[{k}]") for k, v in enumerate(arrays)]
    if not isinstance(ids, list):
        fail(f"{path}.breakdownIds", _("expected an array of breakdown ids"))
    return [(v, f"{path}.breakdownIds[{k}]") for k, v in enumerate(ids)]


def board(stripboard: dict, path: str, reader: Reader) -> tuple[list, list[str]]:
    """The scheduled board's strips, and the boneyard's breakdown ids."""
    boards = stripboard.get("boards")
    if not isinstance(boards, list):
        fail(f"{path}.boards", _("expected an array of boards"))
    scheduled, boneyard = [], []
    named = [(i, b) for i, b in enumerate(boards) if isinstance(b, dict)]
    by_name = {(text(b.get("name")) or "").lower(): (i, b) for i, b in named}
    main = by_name.get("stripboard") or next(
        ((i, b) for i, b in named if (text(b.get("name")) or "").lower() != "boneyard"), None
    )
    for i, board in named:
        name = (text(board.get("name")) or "").lower()
        found = strips(board, f"{path}.boards[{i}]")
        if main and i == main[0]:
            scheduled = found
        elif name == "boneyard":
            boneyard += [ident(v) for v, _p in found if v is not DAY_BREAK and ident(v)]
        else:
            reader.note(
                f"{path}.boards[{i}]",
                _("board %(name)s not imported: ictool schedules one unit", name=repr(name)),
            )
    return scheduled, boneyard


def calendar_dates(calendar: dict | None, path: str, reader: Reader) -> tuple[date | None, set]:
    """The start date and the dates off (single days and holidays) of a calendar."""
    start, off = None, set()
    events = calendar.get("events") if calendar else None
    for i, event in enumerate(events if isinstance(events, list) else []):
        if not isinstance(event, dict):
            continue
        kind, name = event_kind(event)
        when = local(event.get("date"), reader.zone)
        if kind in ("start", "startdate", "firstday") or (kind == "event" and name == "start"):
            if when is None:
                fail(f"{path}.events[{i}].date", _("expected an ISO date like 2027-03-08"))
            start = start or when[0]
        elif kind in DAY_OFF_TYPES or (kind == "event" and name in DAY_OFF_TYPES):
            if when is None:
                reader.note(f"{path}.events[{i}]", _("a day off without a date: skipped"))
            else:
                off.add(when[0])
    return start, off


def event_kind(event: dict) -> tuple[str, str]:
    """An event's type and name, lower case, letters only. Older files call the type
    `effect` and the name `type`."""
    kind, name = event.get("type"), event.get("name")
    if "effect" in event:
        kind, name = event.get("effect"), name or event.get("type")
    return tuple(re.sub(r"[^a-z]", "", (text(v) or "").lower()) for v in (kind, name))


def weekly_off(calendar: dict | None, path: str, reader: Reader) -> set[int]:
    raw = calendar.get("daysOff") if calendar else None
    days = set()
    for i, value in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if type(value) is not int or not 0 <= value <= 6:
            reader.note(f"{path}.daysOff[{i}]", _("not a day of the week from 0 to 6: skipped"))
            continue
        days.add(value)
    if len(days) == 7:
        fail(f"{path}.daysOff", _("every day of the week is a day off: nothing can be dated"))
    return days


def dates(start: date, count: int, weekly_off: set[int], off: set[date]) -> list[date]:
    """`count` shoot dates: the start (the first day strip's date, whatever its weekday),
    then the next dates that are not weekly days off (0 = Sunday) or single days off."""
    out, day = [start], start
    while len(out) < count:
        day += timedelta(days=1)
        if (day.weekday() + 1) % 7 not in weekly_off and day not in off:
            out.append(day)
    return out[:count]
