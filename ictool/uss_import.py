"""Read a Universal Schedule Standard file (`.uss`, JSON, version 1.0.0) into the rows the
call-sheet import previews and writes (`schedule_import.apply`): one diff, one apply.

Breakdowns of type scene become scenes (number, description, and the slugline's INT/EXT, set
and day/night elements as the location line), in the order of the chosen stripboard; its day
strips end shoot days, dated from the chosen calendar (start event, weekly days off, single
days off and holidays skipped) in the production's time zone. The boneyard is not scheduled.
Cast elements (category 100) are performers, with their board number; a revised file matches
scenes by breakdown id, then by number, and people by element id, then by name. Calendar and
cast events named as rehearsals become rehearsal entries.

Real exports deviate from the specification: what can be understood is read and what is
skipped is listed; only what cannot be read is refused, each error naming its JSON path
(`breakdowns[12].scene`) and what was expected. USS says nothing about intimacy: the level
and closed set come from the person's marks (or ictool's own `_ictool...` keys), and words
that suggest intimacy are only suggestions.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    people,
    permissions,
    productions,
    rehearsals,
    scenes,
    schedule,
    schedule_import,
    uss_ids,
)
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
DEFAULT_CALL = "07:00"
DEFAULT_REHEARSAL = "09:00"
REHEARSAL = re.compile(r"rehears|r[ée]p[ée]tition|probe|ensayo|repetici|övning", re.I)
DAY_OFF_TYPES = {"dayoff", "daysoff", "holiday", "off"}
# Words that suggest intimacy, in en, fr, de, es, sv: a suggestion to the IC, never a mark.
SUGGEST = re.compile(
    r"\b(kiss\w*|nud\w*|naked|sex|sexual\w*|undress\w*|bed|beds|bedroom|intima\w*|topless|"
    r"make[- ]?out|love scene|strip|strips|stripping|striptease|"  # en
    r"embrass\w*|baiser|nue|nues|nus|d[ée]shabill\w*|au lit|seins nus|intime\w*|sexe|"  # fr
    r"k[üu]ss\w*|nackt\w*|auszieh\w*|ausgezogen|bett|betten|intim|sexszene\w*|"  # de
    r"beso\w*|besa\w*|desnud\w*|desvist\w*|cama|[íi]ntim\w*|sexo|"  # es
    r"kyss\w*|naken|nakna|klä[rd]? av|säng\w*|samlag)\b"  # sv
)
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


@dataclass
class Read:
    """A file read against a production: the rows to write and what the preview adds."""

    rows: list[dict]
    extras: dict
    people_ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (id, board)
    rehearsals: list[dict] = field(default_factory=list)
    schedule_id: str | None = None
    background: dict[str, tuple[str, str]] = field(default_factory=dict)


def looks_like_uss(data: bytes | str) -> bool:
    """A USS file is a JSON object; a call sheet never starts with `{`."""
    head = data[:64].lstrip() if isinstance(data, str) else data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in ("{", b"{")


def suggestions(text: str) -> list[str]:
    """The words of `text` that suggest intimacy (to highlight, never to set a level)."""
    return list(dict.fromkeys(SUGGEST.findall((text or "").lower())))


def _fail(path: str, message: str):
    raise ImportFailed([PathError(path, message)])


def decode(data: bytes | str) -> str:
    """The file's text, within the size limit and as UTF-8, or ImportFailed."""
    if len(data) > MAX_BYTES:
        _fail("$", _("the file is larger than %(mb)s MB", mb=MAX_BYTES // 1024 // 1024))
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail("$", _("the file is not UTF-8 text"))


def load(data: bytes | str) -> dict:
    """The file's `universalScheduleStandard` object, or ImportFailed naming why not."""
    data = decode(data)
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        _fail(
            "$", _("not valid JSON (line %(line)s, column %(col)s)", line=exc.lineno, col=exc.colno)
        )
    except RecursionError:
        _fail("$", _("the JSON is nested too deeply"))
    root = doc.get("universalScheduleStandard") if isinstance(doc, dict) else None
    if root is None and isinstance(doc, dict) and "breakdowns" in doc:
        root = doc  # some tools write the object without its wrapper
    if not isinstance(root, dict):
        _fail(
            "universalScheduleStandard",
            _("expected an object holding breakdowns, categories and elements"),
        )
    return root


def _text(value: object) -> str | None:
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


def _id(value: object) -> str | None:
    text = _text(value)
    return text or None


def _ids(value: object) -> list[str]:
    """Ids from a list of ids (or of objects with an `id`)."""
    if not isinstance(value, list):
        return []
    found = [_id(v.get("id")) if isinstance(v, dict) else _id(v) for v in value]
    return [v for v in found if v]


def _array(root: dict, key: str, reader: "_Reader", required: bool) -> list:
    value = root.get(key)
    if value is None or value == "":
        if required:
            reader.note(key, _("missing: read as an empty list"))
        return []
    if not isinstance(value, list):
        _fail(key, _("expected an array"))
    return value


class _Reader:
    """Reads one file for one production; collects what was skipped."""

    def __init__(self, db: Database, production_id: int, root: dict):
        self.db, self.production_id, self.root = db, production_id, root
        self.production = productions.get(db, production_id)
        self.zone = _zone(self.production)
        self.skipped: list[dict] = []

    def note(self, path: str, message: str) -> None:
        self.skipped.append({"path": path, "message": message})


def _zone(production: dict) -> ZoneInfo:
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


def _categories(reader: _Reader) -> dict[str, int]:
    """Each element id's category number (the first category listing it wins)."""
    of = {}
    for i, category in enumerate(_array(reader.root, "categories", reader, True)):
        if not isinstance(category, dict):
            reader.note(f"categories[{i}]", _("not an object: skipped"))
            continue
        number = category.get("ucid", category.get("catId"))
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool):
            number = CATEGORY_NAMES.get((_text(category.get("name")) or "").lower())
        for element_id in _ids(category.get("elements")):
            of.setdefault(element_id, number)
    return of


def _elements(reader: _Reader) -> dict[str, dict]:
    found = {}
    for i, element in enumerate(_array(reader.root, "elements", reader, True)):
        element_id = _id(element.get("id")) if isinstance(element, dict) else None
        if element_id is None:
            reader.note(f"elements[{i}]", _("no id: skipped"))
            continue
        name = _text(element.get("name"))
        if name is None:
            _fail(f"elements[{i}].name", _("expected text"))
        board = _text(element.get("elementId")) or ""
        found.setdefault(element_id, dict(element, id=element_id, name=name, board=board, at=i))
    return found


def _breakdowns(reader: _Reader) -> dict[str, dict]:
    items = _array(reader.root, "breakdowns", reader, True)
    if len(items) > MAX_BREAKDOWNS:
        _fail(
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
        breakdown_id = _id(item.get("id"))
        if breakdown_id is None:
            reader.note(path, _("no id, so no stripboard can place it: skipped"))
            continue
        if breakdown_id in found:
            reader.note(path, _("the same id as an earlier breakdown: skipped"))
            continue
        kind = (_text(item.get("type")) or "").lower()
        number, description = _text(item.get("scene")), _text(item.get("description"))
        if number is None:
            _fail(f"{path}.scene", _("expected a scene number as text"))
        if description is None:
            _fail(f"{path}.description", _("expected text"))
        if kind not in ("scene", "day", "banner"):
            kind = "scene" if number else ("banner" if description else "day")
        found[breakdown_id] = dict(
            item, id=breakdown_id, type=kind, scene=number, description=description, at=i
        )
    return found


def _pick(items: list, wanted: str | None, what: str, reader: _Reader) -> tuple[int, dict] | None:
    """The stripboard or calendar chosen by id or name (default: the first)."""
    good = [(i, s) for i, s in enumerate(items) if isinstance(s, dict)]
    if not good:
        return None
    if wanted:
        for i, item in good:
            if wanted in (_id(item.get("id")), _text(item.get("name"))):
                return i, item
        names = ", ".join(_text(s.get("name")) or _id(s.get("id")) or "?" for _i, s in good)
        _fail(
            what, _("%(wanted)s is not in this file: one of %(names)s", wanted=wanted, names=names)
        )
    return good[0]


def _choices(items: list) -> list[dict]:
    return [
        {"id": _id(s.get("id")) or str(i), "name": _text(s.get("name")) or f"#{i + 1}"}
        for i, s in enumerate(items)
        if isinstance(s, dict)
    ]


def _strips(board: dict, path: str) -> list[tuple[object, str]]:
    """A board's strips in order as (breakdown id or DAY_BREAK, JSON path). Besides
    `breakdownIds`, some files write `breakdownArrays`: one array of ids per shoot day."""
    ids = board.get("breakdownIds")
    if ids is None and isinstance(board.get("breakdownArrays"), list):
        arrays, where = board["breakdownArrays"], f"{path}.breakdownArrays"
        if arrays and all(isinstance(a, list) for a in arrays):
            return [
                pair
                for d, day in enumerate(arrays)
                for pair in [
                    *((v, f"{where}[{d}][{k}]") for k, v in enumerate(day)),
                    (DAY_BREAK, ""),
                ]
            ]
        return [(v, f"{where}[{k}]") for k, v in enumerate(arrays)]
    if not isinstance(ids, list):
        _fail(f"{path}.breakdownIds", _("expected an array of breakdown ids"))
    return [(v, f"{path}.breakdownIds[{k}]") for k, v in enumerate(ids)]


def _board(stripboard: dict, path: str, reader: _Reader) -> tuple[list, list[str]]:
    """The scheduled board's strips, and the boneyard's breakdown ids."""
    boards = stripboard.get("boards")
    if not isinstance(boards, list):
        _fail(f"{path}.boards", _("expected an array of boards"))
    scheduled, boneyard = [], []
    named = [(i, b) for i, b in enumerate(boards) if isinstance(b, dict)]
    by_name = {(_text(b.get("name")) or "").lower(): (i, b) for i, b in named}
    main = by_name.get("stripboard") or next(
        ((i, b) for i, b in named if (_text(b.get("name")) or "").lower() != "boneyard"), None
    )
    for i, board in named:
        name = (_text(board.get("name")) or "").lower()
        strips = _strips(board, f"{path}.boards[{i}]")
        if main and i == main[0]:
            scheduled = strips
        elif name == "boneyard":
            boneyard += [_id(v) for v, _p in strips if v is not DAY_BREAK and _id(v)]
        else:
            reader.note(
                f"{path}.boards[{i}]",
                _("board %(name)s not imported: ictool schedules one unit", name=repr(name)),
            )
    return scheduled, boneyard


def _calendar_dates(calendar: dict | None, path: str, reader: _Reader) -> tuple[date | None, set]:
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
                _fail(f"{path}.events[{i}].date", _("expected an ISO date like 2027-03-08"))
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
    return tuple(re.sub(r"[^a-z]", "", (_text(v) or "").lower()) for v in (kind, name))


def _weekly_off(calendar: dict | None, path: str, reader: _Reader) -> set[int]:
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
        _fail(f"{path}.daysOff", _("every day of the week is a day off: nothing can be dated"))
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


def background_role() -> str | None:
    """The background performers' role code, once the product has one."""
    code = "background"
    return code if code in people.ROLES and code in permissions.ROLE_CAPABILITIES else None


class _People:
    """Cast elements to performers: by element id (from an earlier import), then by name."""

    def __init__(self, reader: _Reader, elements: dict[str, dict]):
        db, pid = reader.db, reader.production_id
        self.reader, self.elements = reader, elements
        self.everyone = {p["id"]: p for p in people.in_production(db, pid)}
        self.by_name = {p["name"].lower(): p for p in self.everyone.values()}
        self.by_uss = uss_ids.local_ids(db, pid, "person")
        self.new: dict[str, tuple[str, str]] = {}  # name -> (element id, board number)
        self.warned: set[str] = set()

    def name(self, element: dict) -> str | None:
        """The performer's name in ictool for a cast element; None if it cannot be one. The
        element's id and board number are kept for whoever it turns out to be."""
        known = self.everyone.get(self.by_uss.get(element["id"]))
        label = element["name"] or (_("Cast %(n)s", n=element["board"]) if element["board"] else "")
        if known is None:
            if not label:
                return self._skip(element, _("a cast member without a name: skipped"))
            if len(label) > people.NAME_MAX:
                return self._skip(element, _("a name longer than 80 characters: skipped"))
            known = self.by_name.get(label.lower())
        if known is not None and known["role"] != "performer":
            return self._skip(
                element,
                _("%(name)s is not a performer here: not in the cast", name=known["name"]),
            )
        name = known["name"] if known else label
        self.new.setdefault(name, (element["id"], element["board"]))
        return name

    def _skip(self, element: dict, message: str) -> None:
        if element["id"] not in self.warned:
            self.warned.add(element["id"])
            self.reader.note(f"elements[{element['at']}]", message)
        return None


def _slugline(parts: dict[str, str]) -> str:
    place = parts.get("set", "")
    line = f"{parts['int_ext']}. {place}" if parts.get("int_ext") else place
    return f"{line} - {parts['day_night']}" if parts.get("day_night") else line


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def read(
    db: Database,
    production_id: int,
    data: bytes | str,
    *,
    stripboard: str | None = None,
    calendar: str | None = None,
    marks: dict | None = None,
    preview: bool = False,
) -> Read:
    """Read a USS file into rows for `schedule_import.apply`; ImportFailed names the path of
    what cannot be read. `marks`: {breakdown id: {"intimacy": code, "closed_set": bool}}
    from the person. Unless it is a `preview`, several stripboards need `stripboard`."""
    root = load(data)
    reader = _Reader(db, production_id, root)
    version = _text(root.get("version") or root.get("ussVersion")) or ""
    if not version.startswith("1."):
        reader.note("version", _("version %(v)s: read as 1.0.0", v=repr(version)))
    category_of = _categories(reader)
    elements = _elements(reader)
    breakdowns = _breakdowns(reader)
    boards = _array(root, "stripboards", reader, False)
    calendars = _array(root, "calendars", reader, False)
    if not preview and len(_choices(boards)) > 1 and not stripboard:
        names = ", ".join(c["name"] for c in _choices(boards))
        _fail(
            "stripboards",
            _("this file holds several stripboards (%(names)s): choose one", names=names),
        )
    chosen = _pick(boards, stripboard, "stripboards", reader)
    order, day_ends, boneyard = _order(chosen, breakdowns, reader)
    cal = _choose_calendar(chosen, calendars, calendar, reader)
    day_dates = _date_days(cal, len(day_ends), reader)
    cast = _People(reader, elements)
    days = _Days(reader, day_dates, day_ends)
    rows, by_number, extras_scenes = [], {}, []
    matched, current = _match_scenes(db, production_id, order, breakdowns)
    marks = marks or {}
    for breakdown_id, day_index, _path in order:
        b = breakdowns[breakdown_id]
        number = b["scene"] or ""
        bpath = f"breakdowns[{b['at']}]"
        if not number:
            reader.note(bpath, _("a scene without a number: skipped"))
            continue
        if len(number) > schedule.LIMITS["number"]:
            _fail(
                f"{bpath}.scene",
                _("a scene number of at most %(n)s characters", n=schedule.LIMITS["number"]),
            )
        if number.lower() in by_number:
            reader.note(
                bpath,
                _(
                    "scene %(scene)s is also at %(path)s: skipped",
                    scene=number,
                    path=by_number[number.lower()],
                ),
            )
            continue
        by_number[number.lower()] = bpath
        parts, names, not_cast = {}, [], []
        for element_id in _ids(b.get("elements")):
            element = elements.get(element_id)
            category = category_of.get(element_id)
            if element is None:
                continue
            if category in SLUG_CATEGORIES:
                parts.setdefault(SLUG_CATEGORIES[category], element["name"])
            elif category == CAST:
                name = cast.name(element)
                if name and name.lower() not in {n.lower() for n in names}:
                    names.append(name)
            elif category == BACKGROUND:
                not_cast.append(element)
        _background(reader, not_cast)
        setting = _slugline(parts)[: schedule.LIMITS["location"]] or None
        description = b["description"] or setting or _("Scene %(scene)s", scene=number)
        if len(description) > schedule.LIMITS["description"]:
            reader.note(f"{bpath}.description", _("longer than 300 characters: shortened"))
            description = description[: schedule.LIMITS["description"]]
        row = {
            **days.fields(day_index, setting, bpath),
            "scene": number,
            "description": description,
            "setting": setting,
            "cast": names,
            "row": b["at"],
            "uss_id": b["id"],
        }
        row["scene_id"] = matched.get(breakdown_id)
        _mark(row, b, marks.get(breakdown_id), reader, bpath)
        rows.append(row)
        if preview:  # every scene, for the IC to mark
            extras_scenes.append(_preview_scene(row, b, current.get(matched.get(breakdown_id))))
    if not rows:
        _fail(
            "breakdowns", _("no scene to import: expected breakdowns of type scene with a number")
        )
    found = Read(rows, {}, cast.new, background=getattr(reader, "background", {}))
    found.rehearsals = _rehearsals(reader, cal, elements, category_of, rows)
    found.schedule_id = _id(root.get("id"))
    found.extras = {
        "format": "uss",
        "stripboards": _choices(boards),
        "stripboard": chosen and (_id(chosen[1].get("id")) or str(chosen[0])),
        "calendars": _choices(calendars),
        "calendar": cal and (_id(cal[1].get("id")) or str(cal[0])),
        "scenes": extras_scenes,
        "boneyard": len(boneyard),
        "rehearsals": [
            {k: r[k] for k in ("scene", "date", "start_time")} for r in found.rehearsals
        ],
        "skipped": reader.skipped,
        "not_imported": _not_imported(category_of, elements, root, reader),
        "unscheduled": not chosen,
    }
    return found


def _order(chosen, breakdowns: dict, reader: _Reader):
    """The scheduled scenes as (breakdown id, day index, path), the day strips by day index,
    and the boneyard's ids. Without a stripboard: every scene, on no day."""
    if chosen is None:
        reader.note("stripboards", _("no stripboard: the scenes are imported as Unscheduled"))
        order = [
            (b, None, f"breakdowns[{x['at']}]")
            for b, x in breakdowns.items()
            if x["type"] == "scene"
        ]
        return order, [], []
    index, stripboard = chosen
    path = f"stripboards[{index}]"
    strips, boneyard = _board(stripboard, path, reader)
    order, day_strips, day, open_day = [], [], 0, False
    for raw, where in strips:
        found = None if raw is DAY_BREAK else breakdowns.get(_id(raw))
        if raw is DAY_BREAK or found and found["type"] == "day":
            day_strips.append(found)
            day, open_day = day + 1, False
        elif found is None:
            reader.note(where, _("no breakdown with this id: skipped"))
        elif found["type"] == "scene":
            order.append((found["id"], day, where))
            open_day = True
    if open_day:
        day_strips.append(None)  # scenes after the last day strip: one more day
    return order, day_strips, boneyard


def _choose_calendar(chosen, calendars: list, wanted: str | None, reader: _Reader):
    if wanted or chosen is None:
        return _pick(calendars, wanted, "calendars", reader)
    ref = _id(chosen[1].get("calendar"))
    for i, item in enumerate(calendars):
        if isinstance(item, dict) and ref and _id(item.get("id")) == ref:
            return i, item
    if ref:
        reader.note(
            f"stripboards[{chosen[0]}].calendar", _("no calendar with this id: the first is used")
        )
    return _pick(calendars, None, "calendars", reader)


def _date_days(cal, count: int, reader: _Reader) -> list[date]:
    """The date of each shoot day, from the calendar (or the production's first day)."""
    if count == 0:
        return []
    path = f"calendars[{cal[0]}]" if cal else "calendars"
    start, off = _calendar_dates(cal[1] if cal else None, path, reader)
    weekly = _weekly_off(cal[1] if cal else None, path, reader)
    if start is None:
        first = reader.production.get("starts_on")
        if not first:
            _fail(f"{path}.events", _("expected a start event: the first shoot day's date"))
        reader.note(f"{path}.events", _("no start event: dated from the production's first day"))
        start = date.fromisoformat(first)
    return dates(start, count, weekly, off)


def _match_scenes(
    db: Database, production_id: int, order: list, breakdowns: dict
) -> tuple[dict, dict]:
    """Breakdown id -> the scene id it revises (by breakdown id, then by number) or None;
    and the schedule's scenes by id."""
    by_uss = uss_ids.local_ids(db, production_id, "scene")
    current = {s["id"]: s for s in scenes.of_production(db, production_id)}
    matched = {b: by_uss[b] for b, _d, _p in order if by_uss.get(b) in current}
    taken = set(matched.values())
    numbers = {s["number"].lower(): i for i, s in current.items() if i not in taken}
    for b, _d, _p in order:
        if b not in matched:
            matched[b] = numbers.pop((breakdowns[b]["scene"] or "").lower(), None)
    return matched, current


def _background(reader: _Reader, elements: list[dict]) -> None:
    background = getattr(reader, "background", None)
    if background is None:
        background = reader.background = {}
    for element in elements:
        if element["name"]:
            background.setdefault(element["name"], (element["id"], element["board"]))


class _Days:
    """Each shoot day's date, call and location, worked out once: the call and location
    from ictool's keys on the day strip, else what the schedule has for that date, else
    07:00 and the day's first set."""

    def __init__(self, reader: _Reader, day_dates: list[date], day_strips: list):
        self.reader, self.dates, self.strips = reader, day_dates, day_strips
        self.existing = {d["date"]: d for d in scenes.days(reader.db, reader.production_id)}
        self.done: dict[int, dict] = {}

    def fields(self, day_index: int | None, setting: str | None, path: str) -> dict:
        if day_index is None:
            return {"date": None, "call_time": None, "location": None, "day_uss_id": None}
        if day_index not in self.done:
            self.done[day_index] = self._work_out(day_index, setting, path)
        return self.done[day_index]

    def _work_out(self, day_index: int, setting: str | None, path: str) -> dict:
        reader, day = self.reader, self.dates[day_index].isoformat()
        problem = schedule.date_problem(reader.production, day)
        if problem:
            _fail(path, _("dated %(date)s by the calendar: %(problem)s", date=day, problem=problem))
        strip = self.strips[day_index] if day_index < len(self.strips) else None
        known = self.existing.get(day) or {}
        call = _text((strip or {}).get(CALL_KEY)) or known.get("call_time") or DEFAULT_CALL
        if schedule.time_problem(call):
            reader.note(
                f"breakdowns[{strip['at']}].{CALL_KEY}", _("not a time like 07:30: skipped")
            )
            call = known.get("call_time") or DEFAULT_CALL
        location = (
            _text((strip or {}).get(LOCATION_KEY))
            or known.get("location")
            or setting
            or _text(reader.root.get("project"))
            or "—"
        )
        return {
            "date": day,
            "call_time": call,
            "location": location[: schedule.LIMITS["location"]],
            "day_uss_id": strip["id"] if strip else None,
        }


def _mark(row: dict, b: dict, mark: dict | None, reader: _Reader, path: str) -> None:
    """The intimacy level and closed set: the person's mark, else ictool's own keys in the
    file, else None (a new scene: none; a revised one: what the schedule has)."""
    mark = mark or {}
    intimacy = mark.get("intimacy") or b.get(INTIMACY_KEY)
    if intimacy is not None and intimacy not in scenes.INTIMACY:
        reader.note(f"{path}.{INTIMACY_KEY}", _("not an intimacy level: skipped"))
        intimacy = None
    closed = mark.get("closed_set")
    closed = closed if isinstance(closed, bool) else _bool(b.get(CLOSED_KEY))
    row["intimacy"], row["closed_set"] = intimacy, closed


def _preview_scene(row: dict, b: dict, scene: dict | None) -> dict:
    return {
        "id": b["id"],
        "number": row["scene"],
        "description": row["description"],
        "setting": row["setting"],
        "date": row["date"],
        "existing": scene is not None,
        "intimacy": row["intimacy"] or (scene["intimacy"] if scene else "none"),
        "closed_set": row["closed_set"]
        if row["closed_set"] is not None
        else (bool(scene["closed_set"]) if scene else None),
        "suggested": suggestions(f"{row['description']} {_text(b.get('comments')) or ''}"),
    }


def _rehearsals(
    reader: _Reader, cal, elements: dict, category_of: dict, rows: list[dict]
) -> list[dict]:
    """Events named as rehearsals, each of a scene: the scene its ictool key or its name
    names, else (a cast member's event) that performer's next scene."""
    known = uss_ids.local_ids(reader.db, reader.production_id, "rehearsal")
    numbers = {r["scene"].lower(): r for r in rows}
    events = []
    if cal and isinstance(cal[1].get("events"), list):
        events += [
            (f"calendars[{cal[0]}].events[{k}]", e, None) for k, e in enumerate(cal[1]["events"])
        ]
    for element in elements.values():
        if category_of.get(element["id"]) == CAST and isinstance(element.get("events"), list):
            events += [
                (f"elements[{element['at']}].events[{k}]", e, element)
                for k, e in enumerate(element["events"])
            ]
    out, seen = [], set()
    for path, event, element in events:
        if not isinstance(event, dict):
            continue
        label = " ".join(_text(event.get(k)) or "" for k in ("name", "type", "effect"))
        if not REHEARSAL.search(label):
            continue
        event_id = _id(event.get("id")) or path
        if event_id in known or event_id in seen:
            continue
        seen.add(event_id)
        when = local(event.get("date"), reader.zone)
        if when is None:
            reader.note(f"{path}.date", _("a rehearsal without a date: not imported"))
            continue
        row = numbers.get((_text(event.get(SCENE_KEY)) or "").lower()) or next(
            (numbers[t.lower()] for t in re.findall(r"[\w.-]+", label) if t.lower() in numbers),
            None,
        )
        if row is None and element is not None:
            who = element["name"].lower()
            row = next(
                (
                    r
                    for r in rows
                    if r["date"]
                    and r["date"] >= when[0].isoformat()
                    and who in {n.lower() for n in r["cast"]}
                ),
                None,
            )
        if row is None:
            reader.note(path, _("a rehearsal that names no scene of this schedule: not imported"))
            continue
        start = when[1] if when[1] and when[1] != "00:00" else DEFAULT_REHEARSAL
        out.append(
            {
                "id": event_id,
                "scene": row["scene"],
                "row": row,
                "date": when[0].isoformat(),
                "start_time": start,
            }
        )
    return out


def _not_imported(category_of: dict, elements: dict, root: dict, reader: _Reader) -> list[dict]:
    """Categories whose elements ictool does not hold, with why (background: its role)."""
    names = {}
    for category in root.get("categories") or []:
        if isinstance(category, dict):
            for element_id in _ids(category.get("elements")):
                names.setdefault(element_id, _text(category.get("name")) or "?")
    counts: dict[tuple, int] = {}
    for element_id, number in category_of.items():
        if number in SLUG_CATEGORIES or number == CAST or element_id not in elements:
            continue
        if number == BACKGROUND and background_role():
            continue
        counts[(names.get(element_id, "?"), number)] = (
            counts.get((names.get(element_id, "?"), number), 0) + 1
        )
    out = []
    for (name, number), count in sorted(counts.items(), key=lambda kv: str(kv[0])):
        reason = (
            _("background performers: ictool has no background performer role yet")
            if number == BACKGROUND
            else _("ictool holds the cast, sets and schedule only")
        )
        out.append({"category": name, "ucid": number, "count": count, "reason": reason})
    return out


def _after(production_id: int, found: Read):
    """What a USS import writes beside the schedule, in the same transaction: the ids it
    came with, new performers' board numbers, background performers (when that role
    exists) and rehearsals."""

    def write(db: Database, work) -> None:
        everyone = {p["name"].lower(): p["id"] for p in people.in_production(db, production_id)}
        if found.schedule_id and not uss_ids.local_ids(db, production_id, "schedule"):
            uss_ids.keep(db, production_id, "schedule", production_id, found.schedule_id)
        for name, (element_id, board) in found.people_ids.items():
            person_id = everyone.get(name.lower())
            if person_id is not None:
                uss_ids.keep(db, production_id, "person", person_id, element_id)
                if board:
                    db["people"].update(person_id, {"board_number": board[:12]})
        role = background_role()
        for name, (element_id, _board) in (found.background if role else {}).items():
            person_id = everyone.get(name.lower()) or people.add(db, production_id, name, role)
            uss_ids.keep(db, production_id, "person", person_id, element_id)
        days = {d["date"]: d["id"] for d in scenes.days(db, production_id)}
        for row in work.rows:
            uss_ids.keep(db, production_id, "scene", row["written_id"], row["uss_id"])
            if row.get("day_uss_id") and row["date"] in days:
                uss_ids.keep(db, production_id, "day", days[row["date"]], row["day_uss_id"])
        for rehearsal in found.rehearsals:
            rehearsal_id = rehearsals.insert(
                db, rehearsal["row"]["written_id"], rehearsal["date"], rehearsal["start_time"]
            )
            uss_ids.keep(db, production_id, "rehearsal", rehearsal_id, rehearsal["id"])

    return write


def import_uss(
    db: Database,
    production_id: int,
    data: bytes | str,
    actor_id: int | None = None,
    *,
    remove_missing: bool = False,
    dry_run: bool = False,
    expect: str | None = None,
    stripboard: str | None = None,
    calendar: str | None = None,
    marks: dict | None = None,
) -> dict:
    """Import a USS file, first or revised, all or nothing (the call sheet's preview and
    apply); the report adds the file's stripboards, calendars, scenes with suggestions, what
    was skipped and what is not imported."""
    found = read(
        db,
        production_id,
        data,
        stripboard=stripboard,
        calendar=calendar,
        marks=marks,
        preview=dry_run,
    )
    report = schedule_import.apply(
        db,
        production_id,
        found.rows,
        actor_id,
        remove_missing=remove_missing,
        dry_run=dry_run,
        expect=expect,
        after=_after(production_id, found),
    )
    return dict(report, uss=found.extras)
