"""Import the schedule from a call-sheet CSV: shoot days, scenes and their cast, first or
revised.

A revised call sheet updates the schedule by scene number: a scene already in the schedule
is changed (description, intimacy, closed set, cast) or moved to its new day, keeping its
riders, consents, blocking and roster; a new number is added. Scenes of the schedule that
are not in the file stay where they are unless the person confirms their removal
(`remove_missing`): then a scene with records is moved to Unscheduled (records kept) and one
without is deleted. `preview` says all of this without writing anything.

Every row is checked before anything is written, and every error names its row (as a
spreadsheet numbers it: the header is row 1) and column. An import with any error changes
nothing; a good one is written in one transaction. Commas, semicolons and tabs separate
cells (spreadsheets in French, German, Spanish and Swedish save with semicolons).
"""

import csv
import difflib
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import announce, audit, people, productions, scenes, schedule
from ictool.db import transaction
from ictool.i18n import role_label

REQUIRED = ("date", "call_time", "location", "scene", "description")
OPTIONAL = ("intimacy", "closed_set", "cast")
MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
LIMITS = {"location": 120, "scene": 12, "description": 300}
YES = {"yes", "y", "true", "1", "x", "closed"}
NO = {"no", "n", "false", "0", "open"}
CLOSED_BY_DEFAULT = ("simulated_sex", "partial_nudity", "full_nudity")
DELIMITERS = (",", ";", "\t")
CLOSE_NAME = 0.8  # difflib ratio from which a new cast name looks like a typo of a performer's


@dataclass(frozen=True)
class RowError:
    """One problem: the row as a spreadsheet numbers it, the column, and what to fix.
    `new_name` is set when confirming that cast name as a new performer would clear it."""

    row: int
    column: str
    message: str
    new_name: str | None = None

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"

    def public(self) -> dict:
        out = {"row": self.row, "column": self.column, "message": self.message}
        if self.new_name:
            out["new_cast"] = self.new_name
        return out


class ImportFailed(ValueError):
    """The file has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("%(n)s error(s); nothing was imported", n=len(errors)))
        self.errors = errors


class PreviewStale(ValueError):
    """The schedule changed between the preview and the apply; nothing was imported."""


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if len(data) > MAX_BYTES:
        raise ImportFailed(
            [RowError(1, "-", _("the file is larger than %(kb)s KB", kb=MAX_BYTES // 1024))]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([RowError(1, "-", _("save the file as CSV UTF-8"))]) from None


def delimiter(text: str) -> str:
    """The cell separator, sniffed from the header line: the most frequent of , ; and tab
    (the header's column names contain none of them)."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def _header(raw: list[str]) -> list[str]:
    names = [h.strip().lower().replace(" ", "_") for h in raw]
    errors = [
        RowError(1, n or _("(blank)"), _("unknown column"))
        for n in names
        if n not in REQUIRED + OPTIONAL
    ]
    errors += [RowError(1, n, _("missing column")) for n in REQUIRED if n not in names]
    errors += [RowError(1, n, _("column given twice")) for n in set(names) if names.count(n) > 1]
    if errors:
        raise ImportFailed(errors)
    return names


def _intimacy(value: str) -> str | None:
    key = value.strip().lower().replace(" ", "_").replace("-", "_") or "none"
    return key if key in scenes.INTIMACY else None


class _Checker:
    """Checks rows one by one against the file so far and the database."""

    def __init__(self, db: Database, production_id: int, new_cast: set[str]):
        self.production = productions.get(db, production_id)
        self.errors: list[RowError] = []
        self.days: dict[str, tuple[int, str, str]] = {}  # date -> (row, call, location)
        self.scene_rows: dict[str, int] = {}
        self.people = {p["name"].lower(): p for p in people.in_production(db, production_id)}
        self.performers = [
            p["name"] for p in self.people.values() if p["role"] in people.CAST_ROLES
        ]
        self.new_cast = {name.strip().lower() for name in new_cast}

    def error(self, row: int, column: str, message: str, new_name: str | None = None) -> None:
        self.errors.append(RowError(row, column, message, new_name))

    def row(self, n: int, cells: dict[str, str]) -> dict | None:
        before = len(self.errors)
        for column in REQUIRED:
            if not cells.get(column):
                self.error(n, column, _("is empty"))
        for column, limit in LIMITS.items():
            if len(cells.get(column, "")) > limit:
                self.error(n, column, _("is longer than %(n)s characters", n=limit))
        day, call = cells.get("date", ""), cells.get("call_time", "")
        problem = schedule.date_problem(self.production, day) if day else None
        if problem:
            self.error(n, "date", problem)
        problem = schedule.time_problem(call) if call else None
        if problem:
            self.error(n, "call_time", problem)
        raw_intimacy = cells.get("intimacy", "")
        intimacy = _intimacy(raw_intimacy)
        if intimacy is None:
            self.error(
                n, "intimacy", _("must be one of %(codes)s", codes=", ".join(scenes.INTIMACY))
            )
        closed = cells.get("closed_set", "").lower()
        if closed and closed not in YES | NO:
            self.error(n, "closed_set", _("must be yes or no"))
        self._scene(n, cells.get("scene", ""))
        cast = self._cast(n, cells.get("cast", ""))
        if len(self.errors) > before:
            return None
        self._day(n, day, call, cells["location"])
        return dict(
            cells,
            intimacy=intimacy if raw_intimacy.strip() else None,
            closed_set=(closed in YES) if closed else None,
            cast=cast,
            row=n,
        )

    def _scene(self, n: int, number: str) -> None:
        key = number.lower()
        if not key:
            return
        if key in self.scene_rows:
            self.error(
                n,
                "scene",
                _(
                    "scene %(scene)s is also on row %(row)s",
                    scene=number,
                    row=self.scene_rows[key],
                ),
            )
        self.scene_rows.setdefault(key, n)

    def _cast(self, n: int, value: str) -> list[str]:
        names = [name.strip() for name in value.split(";") if name.strip()]
        seen = set()
        for name in names:
            if len(name) > 80:
                self.error(
                    n,
                    "cast",
                    _("the name %(name)s… is longer than 80 characters", name=repr(name[:20])),
                )
            if name.lower() in seen:
                self.error(n, "cast", _("%(name)s is listed twice", name=name))
            seen.add(name.lower())
            known = self.people.get(name.lower())
            if known and known["role"] not in people.CAST_ROLES:
                self.error(
                    n,
                    "cast",
                    _(
                        "%(name)s is on the production as %(role)s",
                        name=name,
                        role=role_label(known["role"]),
                    ),
                )
            elif not known and name.lower() not in self.new_cast:
                self._close_to_a_performer(n, name)
        return names

    def _close_to_a_performer(self, n: int, name: str) -> None:
        by_lower = {p.lower(): p for p in self.performers}
        match = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=CLOSE_NAME)
        if match:
            self.error(
                n,
                "cast",
                _(
                    "%(name)s is not a performer here: did you mean %(match)s? If %(name)s is"
                    " a new performer, confirm it",
                    name=name,
                    match=by_lower[match[0]],
                ),
                new_name=name,
            )

    def _day(self, n: int, day: str, call: str, location: str) -> None:
        first = self.days.setdefault(day, (n, call, location))
        if first[1] != call:
            self.error(
                n,
                "call_time",
                _(
                    "%(call)s differs from %(first)s on row %(row)s",
                    call=call,
                    first=first[1],
                    row=first[0],
                ),
            )
        elif first[2] != location:
            self.error(n, "location", _("differs from row %(row)s for the same date", row=first[0]))


def parse(
    db: Database, production_id: int, data: bytes | str, new_cast: tuple[str, ...] = ()
) -> list[dict]:
    """Check a whole file and return its rows ready to write; ImportFailed lists every error.
    `new_cast`: names confirmed as new performers though they look like a performer's."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(text))
    try:
        raw_header = next(reader, None)
        if raw_header is None:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))])
        names = _header(raw_header)
        checker, rows = _Checker(db, production_id, set(new_cast)), []
        for n, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if n > MAX_ROWS + 1:
                checker.error(n, "-", _("more than %(n)s rows; split the file", n=MAX_ROWS))
                break
            if len(raw) > len(names):
                checker.error(
                    n,
                    "-",
                    _(
                        "%(cells)s cells for %(columns)s columns",
                        cells=len(raw),
                        columns=len(names),
                    ),
                )
                continue
            cells = {name: (raw[i].strip() if i < len(raw) else "") for i, name in enumerate(names)}
            checked = checker.row(n, cells)
            if checked:
                rows.append(checked)
    except csv.Error as exc:
        raise ImportFailed(
            [RowError(reader.line_num, "-", _("not valid CSV (%(why)s)", why=exc))]
        ) from None
    if checker.errors:
        raise ImportFailed(checker.errors)
    if not rows:
        raise ImportFailed([RowError(2, "-", _("no scenes in the file"))])
    return rows


# --- what a file would change --------------------------------------------------------------


@dataclass
class Plan:
    """What importing the checked rows would do, worked out before anything is written."""

    rows: list[dict]
    remove_missing: bool
    added_days: list[dict] = field(default_factory=list)
    changed_days: list[dict] = field(default_factory=list)
    added_scenes: list[dict] = field(default_factory=list)
    changed_scenes: list[dict] = field(default_factory=list)
    moved_scenes: list[dict] = field(default_factory=list)
    missing_scenes: list[dict] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    missing_ids: list[int] = field(default_factory=list)

    def report(self, applied: bool) -> dict:
        """The diff as the page, the API and the CLI show it."""
        diff = {
            "added_days": self.added_days,
            "changed_days": self.changed_days,
            "added_scenes": self.added_scenes,
            "changed_scenes": self.changed_scenes,
            "moved_scenes": self.moved_scenes,
            "missing_scenes": self.missing_scenes,
            "new_people": self.new_people,
        }
        body = json.dumps(diff, sort_keys=True, separators=(",", ":"))
        return {
            "applied": applied,
            "remove_missing": self.remove_missing,
            "days": len(self.added_days),
            "scenes": len(self.added_scenes),
            "people": len(self.new_people),
            "days_changed": len(self.changed_days),
            "changed": len(self.changed_scenes),
            "moved": len(self.moved_scenes),
            "removed": len(self.missing_scenes) if self.remove_missing else 0,
            "fingerprint": hashlib.sha256(body.encode()).hexdigest()[:16],
            **diff,
        }


class _Scenes:
    """The schedule's scenes, taken one by one as rows match them: by the scene id a row
    brings (a USS breakdown id already resolved), else by scene number."""

    def __init__(self, db: Database, production_id: int):
        self.left = {s["id"]: s for s in scenes.of_production(db, production_id)}
        self.numbers = {s["number"].lower(): s["id"] for s in self.left.values()}

    def take(self, row: dict) -> dict | None:
        scene_id = row["scene_id"] if "scene_id" in row else self.numbers.get(row["scene"].lower())
        return self.left.pop(scene_id, None)


def plan(db: Database, production_id: int, rows: list[dict], remove_missing: bool) -> Plan:
    """Compare the checked rows with the schedule, scene by number (or the id a row brings)
    and day by date; a row without a date puts its scene on no day (Unscheduled)."""
    out = Plan(rows, remove_missing)
    days = {d["date"]: d for d in scenes.days(db, production_id)}
    day_dates = {d["id"]: d["date"] for d in days.values()}
    existing = _Scenes(db, production_id)
    casts = _casts(db, production_id)
    known = {p["name"].lower() for p in people.in_production(db, production_id)}
    seen_days: set[str] = {None}
    for row in rows:
        day = days.get(row["date"])
        if day is None and row["date"] not in seen_days:
            out.added_days.append(
                {"date": row["date"], "call_time": row["call_time"], "location": row["location"]}
            )
        elif day is not None and row["date"] not in seen_days:
            changes = {k: [day[k], row[k]] for k in ("call_time", "location") if day[k] != row[k]}
            if changes:
                out.changed_days.append({"date": row["date"], "changes": changes})
        seen_days.add(row["date"])
        for name in row["cast"]:
            if name.lower() not in known:
                known.add(name.lower())
                out.new_people.append(name)
        scene = existing.take(row)
        if scene is None:
            out.added_scenes.append({"number": row["scene"], "date": row["date"]})
            continue
        changes = _scene_changes(scene, row, casts.get(scene["id"], {}))
        if changes:
            out.changed_scenes.append(
                {"number": scene["number"], "date": row["date"], "changes": changes}
            )
        was = day_dates.get(scene["shoot_day_id"])
        if was != row["date"]:
            out.moved_scenes.append({"number": scene["number"], "from": was, "to": row["date"]})
    for scene in existing.left.values():
        if scene["shoot_day_id"] is not None:
            out.missing_ids.append(scene["id"])
            out.missing_scenes.append(
                {
                    "number": scene["number"],
                    "from": day_dates[scene["shoot_day_id"]],
                    "has_records": schedule.has_records(db, scene["id"]),
                }
            )
    return out


def _casts(db: Database, production_id: int) -> dict[int, dict[int, str]]:
    """Every scene's performers ({scene id: {person id: name}}) in one query."""
    rows = db.execute(
        """SELECT scene_id, people.id, people.name FROM scene_performers
           JOIN people ON people.id = person_id JOIN scenes ON scenes.id = scene_id
           WHERE scenes.production_id = ? AND people.erased_at IS NULL""",
        [production_id],
    )
    out: dict[int, dict[int, str]] = {}
    for scene_id, person_id, name in rows:
        out.setdefault(scene_id, {})[person_id] = name
    return out


def _scene_changes(scene: dict, row: dict, cast_now: dict[int, str]) -> dict:
    """What the row changes in a scene; an empty intimacy, closed-set or cast cell keeps what
    the schedule has (a revision never lowers an intimacy level by leaving a cell blank)."""
    changes = {}
    if row["scene"] != scene["number"] and row["scene"].lower() != scene["number"].lower():
        changes["number"] = [scene["number"], row["scene"]]
    if "setting" in row and row["setting"] != scene["setting"]:
        changes["setting"] = [scene["setting"], row["setting"]]
    if row["description"] != scene["description"]:
        changes["description"] = [scene["description"], row["description"]]
    if row["intimacy"] is not None and row["intimacy"] != scene["intimacy"]:
        changes["intimacy"] = [scene["intimacy"], row["intimacy"]]
    if row["closed_set"] is not None and row["closed_set"] != bool(scene["closed_set"]):
        changes["closed_set"] = [bool(scene["closed_set"]), row["closed_set"]]
    cast = sorted(cast_now.values())
    if row["cast"] and {n.lower() for n in row["cast"]} != {n.lower() for n in cast}:
        changes["cast"] = [cast, sorted(row["cast"])]
    return changes


# --- writing -------------------------------------------------------------------------------


def _write(db: Database, production_id: int, work: Plan, actor_id: int | None) -> dict:
    """Apply a plan inside the caller's transaction; returns the scene ids touched."""
    day_ids = {d["date"]: d["id"] for d in scenes.days(db, production_id)}
    for change in work.changed_days:
        db["shoot_days"].update(
            day_ids[change["date"]], {k: v[1] for k, v in change["changes"].items()}
        )
    cast_ids = {p["name"].lower(): p["id"] for p in people.in_production(db, production_id)}
    for name in work.new_people:
        cast_ids[name.lower()] = people.add(db, production_id, name, "performer")
    existing = _Scenes(db, production_id)
    casts = _casts(db, production_id)
    touched, order = {"added": [], "changed": [], "moved": []}, {}
    for row in work.rows:
        if row["date"] is not None and row["date"] not in day_ids:
            day_ids[row["date"]] = scenes.add_day(
                db, production_id, row["date"], row["location"], row["call_time"]
            )
        day_id = day_ids.get(row["date"])
        cast = [cast_ids[name.lower()] for name in row["cast"]]
        scene = existing.take(row)
        if scene is None:
            intimacy = row["intimacy"] or "none"
            closed = row["closed_set"]
            closed = intimacy in CLOSED_BY_DEFAULT if closed is None else closed
            scene_id = schedule.write_scene(
                db, production_id, day_id, row["scene"], row["description"], intimacy, closed, cast
            )
            if row.get("setting"):
                db.execute("UPDATE scenes SET setting = ? WHERE id = ?", [row["setting"], scene_id])
            touched["added"].append(scene_id)
        else:
            scene_id = scene["id"]
            if _update_scene(db, scene, row, cast, casts.get(scene_id, {})):
                touched["changed"].append(scene_id)
            if scene["shoot_day_id"] != day_id:
                schedule.place(db, scene, day_id)
                touched["moved"].append(scene_id)
        row["written_id"] = scene_id
        if day_id is not None:
            order.setdefault(day_id, []).append(scene_id)
    for day_id, in_file in order.items():
        rest = [s["id"] for s in scenes.of_day(db, day_id) if s["id"] not in in_file]
        for position, scene_id in enumerate(in_file + rest):
            db.execute("UPDATE scenes SET position = ? WHERE id = ?", [position, scene_id])
    touched["removed"] = _remove_missing(db, production_id, work) if work.remove_missing else []
    return touched


def _update_scene(
    db: Database, scene: dict, row: dict, cast: list[int], cast_now: dict[int, str]
) -> bool:
    changes = _scene_changes(scene, row, cast_now)
    fields = {k: v[1] for k, v in changes.items() if k != "cast"}
    if "closed_set" in fields:
        fields["closed_set"] = int(fields["closed_set"])
    if fields:
        db["scenes"].update(scene["id"], fields)
    if "cast" in changes:
        schedule.set_cast(db, scene, cast)
    if fields.get("closed_set") and not scenes.roster(db, scene["id"]):
        roster = schedule.default_roster(db, scene["production_id"], cast)
        for person_id, purpose in roster.items():
            db["scene_roster"].insert(
                {"scene_id": scene["id"], "person_id": person_id, "purpose": purpose}
            )
    return bool(changes)


def _remove_missing(db: Database, production_id: int, work: Plan) -> list[int]:
    """Scenes not in the file leave the schedule: to Unscheduled if they have records,
    deleted if not. Returns their ids."""
    for scene_id in work.missing_ids:
        scene = scenes.get(db, scene_id)
        if schedule.has_records(db, scene_id):
            schedule.place(db, scene, None)
        else:
            schedule.remove_scene_rows(db, scene)
    return list(work.missing_ids)


def import_csv(
    db: Database,
    production_id: int,
    data: bytes | str,
    actor_id: int | None = None,
    *,
    remove_missing: bool = False,
    new_cast: tuple[str, ...] = (),
    dry_run: bool = False,
    expect: str | None = None,
) -> dict:
    """Import a call sheet, first or revised, all or nothing; returns what it did (with
    `dry_run`: what it would do, writing nothing). `expect` is a preview's fingerprint: when
    the schedule changed since that preview, nothing is written (PreviewStale)."""
    rows = parse(db, production_id, data, new_cast)
    return apply(
        db,
        production_id,
        rows,
        actor_id,
        remove_missing=remove_missing,
        dry_run=dry_run,
        expect=expect,
    )


def apply(
    db: Database,
    production_id: int,
    rows: list[dict],
    actor_id: int | None = None,
    *,
    remove_missing: bool = False,
    dry_run: bool = False,
    expect: str | None = None,
    after: Callable[[Database, Plan], None] | None = None,
) -> dict:
    """Preview (`dry_run`) or write checked rows, from a call sheet or a USS file, all or
    nothing. `after` writes what the format adds (ids, rehearsals) in the same transaction."""
    if dry_run:
        return plan(db, production_id, rows, remove_missing).report(applied=False)
    with transaction(db):
        work = plan(db, production_id, rows, remove_missing)
        report = work.report(applied=True)
        if expect is not None and expect != report["fingerprint"]:
            raise PreviewStale(_("The schedule changed since the preview: check the file again."))
        performers_before = {i: list(c) for i, c in _casts(db, production_id).items()}
        touched = _write(db, production_id, work, actor_id)
        if after is not None:
            after(db, work)
        audit.record(
            db,
            "schedule.imported",
            actor_id=actor_id,
            production_id=production_id,
            **{k: report[k] for k in ("days", "scenes", "people", "changed", "moved", "removed")},
            days_changed=report["days_changed"],
            scene_ids={k: sorted(v) for k, v in touched.items()},
        )
    affected = sorted({i for ids in touched.values() for i in ids})
    told = {p for i in affected for p in performers_before.get(i, [])}
    announce.schedule_changed(db, production_id, affected, performers=sorted(told))
    return report
