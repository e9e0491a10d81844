"""Read a Universal Schedule Standard file (`.uss`, JSON, version 1.0.0) into the rows the
call-sheet import previews and writes (`schedule_import.apply`): one diff, one apply.

Breakdowns of type scene become scenes (number, description, and the slugline's INT/EXT, set
and day/night elements as the location line), in the order of the chosen stripboard; its day
strips end shoot days, dated from the chosen calendar (start event, weekly days off, single
days off and holidays skipped) in the production's time zone. The boneyard is not scheduled.
Cast elements (category 100) are performers, with their board number; a revised file matches
scenes by breakdown id, then by number, and people by element id, then by name. Calendar and
cast events named as rehearsals become rehearsal entries.

Real exports deviate from the specification: `uss_file` reads what can be understood and
lists what is skipped; only what cannot be read is refused, each error naming its JSON path
(`breakdowns[12].scene`) and what was expected. USS says nothing about intimacy: the level
and closed set come from the person's marks (or ictool's own `_ictool...` keys), and words
that suggest intimacy are only suggestions.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    people,
    permissions,
    rehearsals,
    scenes,
    schedule,
    schedule_import,
    uss_file,
    uss_ids,
)

DEFAULT_CALL = "07:00"
DEFAULT_REHEARSAL = "09:00"
REHEARSAL = re.compile(r"rehears|r[ée]p[ée]tition|probe|ensayo|repetici|övning", re.I)
# Words that suggest intimacy, in en, fr, de, es, sv: a suggestion to the IC, never a mark.
SUGGEST = re.compile(
    r"\b(kiss\w*|nud\w*|naked|sex|sexual\w*|undress\w*|bed|beds|bedroom|intima\w*|topless|"
    r"make[- ]?out|love scene|strip|strips|stripping|striptease|"  # en
    r"embrass\w*|baiser|nue|nues|nus|d[ée]shabill\w*|au lit|seins nus|intime\w*|sexe|"  # fr
    r"k[üu]ss\w*|nackt\w*|auszieh\w*|ausgezogen|bett|betten|intim|sexszene\w*|"  # de
    r"beso\w*|besa\w*|desnud\w*|desvist\w*|cama|[íi]ntim\w*|sexo|"  # es
    r"kyss\w*|naken|nakna|klä[rd]? av|säng\w*|samlag)\b"  # sv
)


@dataclass
class Read:
    """A file read against a production: the rows to write and what the preview adds."""

    rows: list[dict]
    extras: dict
    people_ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (id, board)
    rehearsals: list[dict] = field(default_factory=list)
    schedule_id: str | None = None
    background: dict[str, tuple[str, str]] = field(default_factory=dict)


def suggestions(text: str) -> list[str]:
    """The words of `text` that suggest intimacy (to highlight, never to set a level)."""
    return list(dict.fromkeys(SUGGEST.findall((text or "").lower())))


def background_role() -> str | None:
    """The background performers' role code, once the product has one."""
    code = "background"
    return code if code in people.ROLES and code in permissions.ROLE_CAPABILITIES else None


class _People:
    """Cast elements to performers: by element id (from an earlier import), then by name."""

    def __init__(self, reader: uss_file.Reader, elements: dict[str, dict]):
        db, pid = reader.db, reader.production_id
        self.reader, self.elements = reader, elements
        self.everyone = {p["id"]: p for p in people.in_production(db, pid)}
        self.by_name = {p["name"].lower(): p for p in self.everyone.values()}
        self.by_uss = uss_ids.local_ids(db, pid, "person")
        self.ids: dict[str, tuple[str, str]] = {}  # name -> (element id, board number)
        self.background: dict[str, tuple[str, str]] = {}  # the same, for background
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
        if known is not None and known["role"] not in people.CAST_ROLES:
            return self._skip(
                element,
                _("%(name)s is not a performer here: not in the cast", name=known["name"]),
            )
        name = known["name"] if known else label
        self.ids.setdefault(name, (element["id"], element["board"]))
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
    root = uss_file.load(data)
    reader = uss_file.Reader(db, production_id, root)
    version = uss_file.text(root.get("version") or root.get("ussVersion")) or ""
    if not version.startswith("1."):
        reader.note("version", _("version %(v)s: read as 1.0.0", v=repr(version)))
    category_of = uss_file.categories(reader)
    elements = uss_file.elements(reader)
    breakdowns = uss_file.breakdowns(reader)
    boards = uss_file.array(root, "stripboards", reader, False)
    calendars = uss_file.array(root, "calendars", reader, False)
    if not preview and len(uss_file.choices(boards)) > 1 and not stripboard:
        names = ", ".join(c["name"] for c in uss_file.choices(boards))
        uss_file.fail(
            "stripboards",
            _("this file holds several stripboards (%(names)s): choose one", names=names),
        )
    chosen = uss_file.pick(boards, stripboard, "stripboards", reader)
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
        bpath = f"breakdowns[{b['at']}]"
        number = _number(b, bpath, by_number, reader)
        if number is None:
            continue
        parts, names = _elements_of(b, elements, category_of, cast)
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
        uss_file.fail(
            "breakdowns", _("no scene to import: expected breakdowns of type scene with a number")
        )
    found = Read(rows, {}, cast.ids, background=cast.background)
    found.rehearsals = _rehearsals(reader, cal, elements, category_of, rows)
    found.schedule_id = uss_file.ident(root.get("id"))
    found.extras = {
        "format": "uss",
        "stripboards": uss_file.choices(boards),
        "stripboard": chosen and (uss_file.ident(chosen[1].get("id")) or str(chosen[0])),
        "calendars": uss_file.choices(calendars),
        "calendar": cal and (uss_file.ident(cal[1].get("id")) or str(cal[0])),
        "scenes": extras_scenes,
        "boneyard": len(boneyard),
        "rehearsals": [
            {k: r[k] for k in ("scene", "date", "start_time")} for r in found.rehearsals
        ],
        "skipped": reader.skipped,
        "not_imported": _not_imported(category_of, elements, root, reader),
        "unscheduled": not chosen,
        "background": sorted(found.background) if background_role() else [],
    }
    return found


def _order(chosen, breakdowns: dict, reader: uss_file.Reader):
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
    strips, boneyard = uss_file.board(stripboard, path, reader)
    order, day_strips, day, open_day = [], [], 0, False
    for raw, where in strips:
        found = None if raw is uss_file.DAY_BREAK else breakdowns.get(uss_file.ident(raw))
        if raw is uss_file.DAY_BREAK or found and found["type"] == "day":
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


def _choose_calendar(chosen, calendars: list, wanted: str | None, reader: uss_file.Reader):
    if wanted or chosen is None:
        return uss_file.pick(calendars, wanted, "calendars", reader)
    ref = uss_file.ident(chosen[1].get("calendar"))
    for i, item in enumerate(calendars):
        if isinstance(item, dict) and ref and uss_file.ident(item.get("id")) == ref:
            return i, item
    if ref:
        reader.note(
            f"stripboards[{chosen[0]}].calendar", _("no calendar with this id: the first is used")
        )
    return uss_file.pick(calendars, None, "calendars", reader)


def _date_days(cal, count: int, reader: uss_file.Reader) -> list[date]:
    """The date of each shoot day, from the calendar (or the production's first day)."""
    if count == 0:
        return []
    path = f"calendars[{cal[0]}]" if cal else "calendars"
    start, off = uss_file.calendar_dates(cal[1] if cal else None, path, reader)
    weekly = uss_file.weekly_off(cal[1] if cal else None, path, reader)
    if start is None:
        first = reader.production.get("starts_on")
        if not first:
            uss_file.fail(f"{path}.events", _("expected a start event: the first shoot day's date"))
        reader.note(f"{path}.events", _("no start event: dated from the production's first day"))
        start = date.fromisoformat(first)
    return uss_file.dates(start, count, weekly, off)


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


def _number(b: dict, path: str, by_number: dict[str, str], reader: uss_file.Reader) -> str | None:
    """A scene breakdown's number; None (noted) when it has none or repeats an earlier one."""
    number = b["scene"] or ""
    if not number:
        reader.note(path, _("a scene without a number: skipped"))
        return None
    if len(number) > schedule.LIMITS["number"]:
        uss_file.fail(
            f"{path}.scene",
            _("a scene number of at most %(n)s characters", n=schedule.LIMITS["number"]),
        )
    if number.lower() in by_number:
        earlier = by_number[number.lower()]
        reader.note(
            path, _("scene %(scene)s is also at %(path)s: skipped", scene=number, path=earlier)
        )
        return None
    by_number[number.lower()] = path
    return number


def _elements_of(
    b: dict, elements: dict[str, dict], category_of: dict[str, int], cast: "_People"
) -> tuple[dict[str, str], list[str]]:
    """A breakdown's slugline parts (set, INT/EXT, day/night) and its cast's names; its
    background elements are kept aside by `cast`."""
    parts, names = {}, []
    for element_id in uss_file.idents(b.get("elements")):
        element, category = elements.get(element_id), category_of.get(element_id)
        if element is None:
            continue
        if category in uss_file.SLUG_CATEGORIES:
            parts.setdefault(uss_file.SLUG_CATEGORIES[category], element["name"])
        elif category == uss_file.CAST:
            name = cast.name(element)
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        elif category == uss_file.BACKGROUND and element["name"]:
            cast.background.setdefault(element["name"], (element["id"], element["board"]))
    return parts, names


class _Days:
    """Each shoot day's date, call and location, worked out once: the call and location
    from ictool's keys on the day strip, else what the schedule has for that date, else
    07:00 and the day's first set."""

    def __init__(self, reader: uss_file.Reader, day_dates: list[date], day_strips: list):
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
            uss_file.fail(
                path, _("dated %(date)s by the calendar: %(problem)s", date=day, problem=problem)
            )
        strip = self.strips[day_index] if day_index < len(self.strips) else None
        known = self.existing.get(day) or {}
        call = (
            uss_file.text((strip or {}).get(uss_file.CALL_KEY))
            or known.get("call_time")
            or DEFAULT_CALL
        )
        if schedule.time_problem(call):
            reader.note(
                f"breakdowns[{strip['at']}].{uss_file.CALL_KEY}",
                _("not a time like 07:30: skipped"),
            )
            call = known.get("call_time") or DEFAULT_CALL
        location = (
            uss_file.text((strip or {}).get(uss_file.LOCATION_KEY))
            or known.get("location")
            or setting
            or uss_file.text(reader.root.get("project"))
            or "—"
        )
        return {
            "date": day,
            "call_time": call,
            "location": location[: schedule.LIMITS["location"]],
            "day_uss_id": strip["id"] if strip else None,
        }


def _mark(row: dict, b: dict, mark: dict | None, reader: uss_file.Reader, path: str) -> None:
    """The intimacy level and closed set: the person's mark, else ictool's own keys in the
    file, else None (a new scene: none; a revised one: what the schedule has)."""
    mark = mark or {}
    intimacy = mark.get("intimacy") or b.get(uss_file.INTIMACY_KEY)
    if intimacy is not None and intimacy not in scenes.INTIMACY:
        reader.note(f"{path}.{uss_file.INTIMACY_KEY}", _("not an intimacy level: skipped"))
        intimacy = None
    closed = mark.get("closed_set")
    closed = closed if isinstance(closed, bool) else _bool(b.get(uss_file.CLOSED_KEY))
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
        "suggested": suggestions(f"{row['description']} {uss_file.text(b.get('comments')) or ''}"),
    }


def _rehearsals(
    reader: uss_file.Reader, cal, elements: dict, category_of: dict, rows: list[dict]
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
        if category_of.get(element["id"]) == uss_file.CAST and isinstance(
            element.get("events"), list
        ):
            events += [
                (f"elements[{element['at']}].events[{k}]", e, element)
                for k, e in enumerate(element["events"])
            ]
    out, seen = [], set()
    for path, event, element in events:
        if not isinstance(event, dict):
            continue
        label = " ".join(uss_file.text(event.get(k)) or "" for k in ("name", "type", "effect"))
        if not REHEARSAL.search(label):
            continue
        event_id = uss_file.ident(event.get("id")) or path
        if event_id in known or event_id in seen:
            continue
        seen.add(event_id)
        when = uss_file.local(event.get("date"), reader.zone)
        if when is None:
            reader.note(f"{path}.date", _("a rehearsal without a date: not imported"))
            continue
        row = numbers.get((uss_file.text(event.get(uss_file.SCENE_KEY)) or "").lower()) or next(
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


def _not_imported(
    category_of: dict, elements: dict, root: dict, reader: uss_file.Reader
) -> list[dict]:
    """Categories whose elements ictool does not hold, with why (background: its role)."""
    names = {}
    for category in root.get("categories") or []:
        if isinstance(category, dict):
            for element_id in uss_file.idents(category.get("elements")):
                names.setdefault(element_id, uss_file.text(category.get("name")) or "?")
    counts: dict[tuple, int] = {}
    for element_id, number in category_of.items():
        if (
            number in uss_file.SLUG_CATEGORIES
            or number == uss_file.CAST
            or element_id not in elements
        ):
            continue
        if number == uss_file.BACKGROUND and background_role():
            continue
        counts[(names.get(element_id, "?"), number)] = (
            counts.get((names.get(element_id, "?"), number), 0) + 1
        )
    out = []
    for (name, number), count in sorted(counts.items(), key=lambda kv: str(kv[0])):
        reason = (
            _("background performers: ictool has no background performer role yet")
            if number == uss_file.BACKGROUND
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
        for name, (element_id, _number) in (found.background if role else {}).items():
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
