"""Import a cast and crew list from CSV: name, role, department, language (and a
performer's character name). Comma, semicolon or tab separated (spreadsheets in French,
German, Spanish and Swedish save semicolons), UTF-8 with or without a BOM.

Like the call-sheet import: every row is checked first, every error names its row (the
header is row 1) and column, and a file with any error changes nothing. A name already on
the production with the same role is left as it is, so the same list can be imported again.
"""

import csv
import io

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, people
from ictool.db import transaction
from ictool.errors import Invalid
from ictool.i18n import LANGUAGES
from ictool.schedule_import import ImportFailed, RowError, decode, delimiter

MAX_ROWS = 2000
COLUMNS = ("name", "role", "department", "language", "character_name")
REQUIRED = ("name", "role")
ALIASES = {"character": "character_name", "dept": "department"}
ROLE_WORDS = {
    "ic": "coordinator",
    "intimacy_coordinator": "coordinator",
    "1st_ad": "first_ad",
    "2nd_ad": "second_ad",
    "actor": "performer",
    "cast": "performer",
    "extra": "background",
    "background_performer": "background",
}


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _role(value: str) -> str:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return ROLE_WORDS.get(key, key)


def _language(value: str) -> str | None:
    wanted = value.strip().casefold()
    for code, label in LANGUAGES.items():
        if wanted in (code, label.casefold()):
            return code
    return value.strip() or None


def parse(db: Database, production_id: int, data: bytes) -> tuple[list[dict], int]:
    """Check the whole file; the rows to add (clean) and how many are already on the
    production, or ImportFailed listing every error."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(text))
    errors: list[RowError] = []
    rows: list[dict] = []
    existing = {
        p["name"].lower(): p for p in people.in_production(db, production_id, inactive=True)
    }
    seen: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))])
        names = [_column(h) for h in header]
        errors += [
            RowError(
                1, n or _("(blank)"), _("unknown column; use %(codes)s", codes=", ".join(COLUMNS))
            )
            for n in names
            if n not in COLUMNS
        ]
        errors += [RowError(1, n, _("missing column")) for n in REQUIRED if n not in names]
        errors += [
            RowError(1, n, _("column given twice")) for n in set(names) if names.count(n) > 1
        ]
        if errors:
            raise ImportFailed(errors)
        for n, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if n > MAX_ROWS + 1:
                errors.append(
                    RowError(n, "-", _("more than %(n)s rows; split the file", n=MAX_ROWS))
                )
                break
            if len(raw) > len(names):
                errors.append(
                    RowError(
                        n,
                        "-",
                        _(
                            "%(cells)s cells for %(columns)s columns",
                            cells=len(raw),
                            columns=len(names),
                        ),
                    )
                )
                continue
            cells = {name: (raw[i].strip() if i < len(raw) else "") for i, name in enumerate(names)}
            cells["role"] = _role(cells["role"])
            if "language" in cells:
                cells["language"] = _language(cells["language"])
            try:
                row = people.clean(cells)
            except Invalid as bad:
                errors.append(RowError(n, bad.field, str(bad)))
                continue
            key = row["name"].lower()
            if key in seen:
                errors.append(
                    RowError(
                        n,
                        "name",
                        _("%(name)s is also on row %(row)s", name=row["name"], row=seen[key]),
                    )
                )
                continue
            seen[key] = n
            known = existing.get(key)
            if known and known["role"] != row["role"]:
                errors.append(
                    RowError(
                        n,
                        "role",
                        _(
                            "%(name)s is on the production as %(role)s",
                            name=row["name"],
                            role=known["role"],
                        ),
                    )
                )
            elif not known:
                rows.append(row)
    except csv.Error as exc:
        raise ImportFailed(
            [RowError(reader.line_num, "-", _("not valid CSV (%(why)s)", why=exc))]
        ) from None
    if errors:
        raise ImportFailed(errors)
    if not seen:
        raise ImportFailed([RowError(2, "-", _("no people in the file"))])
    return rows, len(seen) - len(rows)


def import_csv(db: Database, production_id: int, data: bytes, actor_id: int | None = None) -> dict:
    """Add everyone in the file, all or nothing; how many were added and already there."""
    rows, already = parse(db, production_id, data)
    with transaction(db):
        for row in rows:
            people.create(db, production_id, row, actor_id)
        audit.record(
            db, "people.imported", actor_id=actor_id, production_id=production_id, added=len(rows)
        )
    return {"added": len(rows), "already": already}
