"""Import the schedule from a call-sheet CSV: shoot days, scenes and their cast.

Every row is checked before anything is written, and every error names its row (as a
spreadsheet numbers it: the header is row 1) and column. An import with any error
changes nothing; a good one is written in one transaction.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, people, scenes
from ictool.db import transaction
from ictool.i18n import role_label

REQUIRED = ("date", "call_time", "location", "scene", "description")
OPTIONAL = ("intimacy", "closed_set", "cast")
MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
LIMITS = {"location": 120, "scene": 12, "description": 300}
YES = {"yes", "y", "true", "1", "x", "closed"}
NO = {"no", "n", "false", "0", "open", ""}
CLOSED_BY_DEFAULT = ("simulated_sex", "partial_nudity", "full_nudity")
ROSTER_ROLES = ("coordinator", "director", "first_ad")  # on every closed set, as role codes


@dataclass(frozen=True)
class RowError:
    """One problem: the row as a spreadsheet numbers it, the column, and what to fix."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class ImportFailed(ValueError):
    """The file has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("%(n)s error(s); nothing was imported", n=len(errors)))
        self.errors = errors


def _decode(data: bytes | str) -> str:
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

    def __init__(self, db: Database, production_id: int):
        self.db, self.production_id = db, production_id
        self.errors: list[RowError] = []
        self.days: dict[str, tuple[int, str, str]] = {}  # date -> (row, call, location)
        self.existing_days = {d["date"]: d for d in scenes.days(db, production_id)}
        self.scene_rows: dict[str, int] = {}
        self.existing_scenes = {
            s["number"].lower() for s in scenes.of_production(db, production_id)
        }
        self.people = {p["name"].lower(): p for p in people.in_production(db, production_id)}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def row(self, n: int, cells: dict[str, str]) -> dict | None:
        before = len(self.errors)
        for column in REQUIRED:
            if not cells.get(column):
                self.error(n, column, _("is empty"))
        for column, limit in LIMITS.items():
            if len(cells.get(column, "")) > limit:
                self.error(n, column, _("is longer than %(n)s characters", n=limit))
        day, call = cells.get("date", ""), cells.get("call_time", "")
        try:
            date.fromisoformat(day) if day else None
        except ValueError:
            self.error(n, "date", _("%(value)s is not a date like 2026-03-14", value=repr(day)))
        try:
            time.fromisoformat(call) if call else None
            if call and len(call) != 5:
                raise ValueError
        except ValueError:
            self.error(n, "call_time", _("%(value)s is not a time like 07:30", value=repr(call)))
        intimacy = _intimacy(cells.get("intimacy", ""))
        if intimacy is None:
            self.error(
                n, "intimacy", _("must be one of %(codes)s", codes=", ".join(scenes.INTIMACY))
            )
        closed = cells.get("closed_set", "").lower()
        if closed not in YES | NO:
            self.error(n, "closed_set", _("must be yes or no"))
        self._scene(n, cells.get("scene", ""))
        cast = self._cast(n, cells.get("cast", ""))
        if len(self.errors) > before:
            return None
        self._day(n, day, call, cells["location"])
        closed_set = closed in YES or (closed == "" and intimacy in CLOSED_BY_DEFAULT)
        return dict(cells, intimacy=intimacy, closed_set=closed_set, cast=cast)

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
        elif key in self.existing_scenes:
            self.error(n, "scene", _("scene %(scene)s is already in the schedule", scene=number))
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
            if known and known["role"] != "performer":
                self.error(
                    n,
                    "cast",
                    _(
                        "%(name)s is on the production as %(role)s",
                        name=name,
                        role=role_label(known["role"]),
                    ),
                )
        return names

    def _day(self, n: int, day: str, call: str, location: str) -> None:
        if day in self.existing_days:
            found = self.existing_days[day]
            if (found["call_time"], found["location"]) != (call, location):
                column = "call_time" if found["call_time"] != call else "location"
                self.error(
                    n,
                    column,
                    _(
                        "%(date)s is already scheduled with call %(call)s at %(location)s",
                        date=day,
                        call=found["call_time"],
                        location=found["location"],
                    ),
                )
            return
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


def parse(db: Database, production_id: int, data: bytes | str) -> list[dict]:
    """Check a whole file and return its rows ready to write; ImportFailed lists every error."""
    reader = csv.reader(io.StringIO(_decode(data)))
    try:
        raw_header = next(reader, None)
        if raw_header is None:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))])
        names = _header(raw_header)
        checker, rows = _Checker(db, production_id), []
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


def import_csv(
    db: Database, production_id: int, data: bytes | str, actor_id: int | None = None
) -> dict:
    """Import a call-sheet CSV all or nothing; returns what was created."""
    rows = parse(db, production_id, data)
    created = {"days": 0, "scenes": 0, "people": 0}
    with transaction(db):
        day_ids = {d["date"]: d["id"] for d in scenes.days(db, production_id)}
        cast_ids = {p["name"].lower(): p["id"] for p in people.in_production(db, production_id)}
        crew = {p["id"]: p["role"] for p in people.with_roles(db, production_id, ROSTER_ROLES)}
        for row in rows:
            if row["date"] not in day_ids:
                day_ids[row["date"]] = scenes.add_day(
                    db, production_id, row["date"], row["location"], row["call_time"]
                )
                created["days"] += 1
            for name in row["cast"]:
                if name.lower() not in cast_ids:
                    cast_ids[name.lower()] = people.add(db, production_id, name, "performer")
                    created["people"] += 1
            cast = {cast_ids[name.lower()]: None for name in row["cast"]}
            roster = {**crew, **dict.fromkeys(cast, "performer")} if row["closed_set"] else None
            scenes.add_scene(
                db,
                production_id,
                day_ids[row["date"]],
                row["scene"],
                row["description"],
                row["intimacy"],
                closed_set=row["closed_set"],
                performers=cast,
                roster=roster,
            )
            created["scenes"] += 1
        audit.record(
            db, "schedule.imported", actor_id=actor_id, production_id=production_id, **created
        )
    return created
