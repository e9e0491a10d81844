"""The archive at wrap: one SQLite file with one production's records, its daily reports
and the audit chain's head, checkable years later on any machine without the set computer.

The file is an ordinary SQLite database (any SQLite tool opens it). It holds:
- the production's own rows (every other production removed, as `ictool purge` would);
- `archive_reports`: each shoot day's report as JSON, CSV and PDF, with their SHA-256;
- `archive_chain`: every audit entry's (id, prev_hash, hash). The production's own entries
  stay whole in `audit`; other productions' entries are kept as links only, so the chain
  can be walked end to end and its head compared, without carrying their content;
- `archive_manifest`: what the archive is, when it was made, and the chain's head
  (entries, hash) at that moment.
"""

import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ictool import audit, lifecycle, people, productions, report, scenes
from ictool.backup import BackupError, copy_database
from ictool.db import now

FORMAT = "ictool-archive"
FORMAT_VERSION = 1


class ArchiveError(BackupError):
    """Something a person can fix, said in one line."""


@dataclass
class Checked:
    production: str
    entries: int
    own_entries: int
    head: str
    reports: int
    created_at: str


def _reader(db: sqlite_utils.Database, production_id: int) -> dict:
    """Reports are written as the IC reads them (the fullest view the product gives)."""
    ics = people.in_production(db, production_id, "coordinator")
    if ics:
        return ics[0]
    return {"id": 0, "production_id": production_id, "role": "coordinator", "name": "Archive"}


def _reports(db: sqlite_utils.Database, production_id: int) -> list[tuple]:
    viewer = _reader(db, production_id)
    out = []
    for day in scenes.days(db, production_id):
        data = report.daily(db, day["id"], viewer)
        stem = f"report-{day['date']}-day{day['id']}"
        for fmt, body in (
            ("json", json.dumps(data, indent=2, ensure_ascii=False).encode()),
            ("csv", report.to_csv(data).encode()),
            ("pdf", report.to_pdf(data)),
        ):
            out.append((day["id"], day["date"], fmt, f"{stem}.{fmt}", body))
    return out


def _keep_only(db: sqlite_utils.Database, production_id: int) -> None:
    """Remove every other production's rows, and reduce their audit entries to links."""
    conn = db.conn
    conn.execute("CREATE TABLE archive_chain (id INTEGER PRIMARY KEY, prev_hash, hash)")
    conn.execute("INSERT INTO archive_chain SELECT id, prev_hash, hash FROM audit ORDER BY id")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        if name.startswith("audit_"):  # the archive is a finished record, not a live log
            conn.execute(f"DROP TRIGGER [{name}]")
    conn.execute(
        "DELETE FROM audit WHERE production_id IS NULL OR production_id != ?", [production_id]
    )
    conn.execute("PRAGMA foreign_keys = OFF")
    for other in [
        r[0] for r in conn.execute("SELECT id FROM productions WHERE id != ?", [production_id])
    ]:
        for table, ids in lifecycle.rows_of(db, other).items():
            marks = ",".join("?" * len(ids))
            conn.execute(f"DELETE FROM [{table}] WHERE rowid IN ({marks})", list(ids))  # noqa: S608
    conn.commit()


def write(db_path: str, production_id: int, to: Path) -> Checked:
    """Write the archive of one production at `to`, all or nothing, owner-only."""
    to = Path(to)
    if not to.parent.is_dir():
        raise ArchiveError(f"cannot write archive to {to}: folder {to.parent} does not exist")
    if to.exists():
        raise ArchiveError(f"{to} already exists; choose a new file")
    try:
        with tempfile.TemporaryDirectory(dir=to.parent, prefix=".ictool-archive-") as work:
            copy = Path(work) / "archive.db"
            copy_database(db_path, copy)
            db = sqlite_utils.Database(sqlite3.connect(copy))
            production = productions.get(db, production_id)
            if production is None:
                raise ArchiveError(f"no production with id {production_id} in {db_path}")
            broken = audit.verify(db)
            if broken:
                raise ArchiveError(
                    f"the audit chain is broken at entry #{broken.entry_id}: {broken.reason}; "
                    "not archiving a record that does not verify"
                )
            made = _reports(db, production_id)
            head = db.execute("SELECT COUNT(*), MAX(id) FROM audit").fetchone()
            last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            _keep_only(db, production_id)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now(),
                "production": {"id": production_id, "title": production["title"]},
                "chain": {"entries": head[0], "head": last[0] if last else audit.GENESIS},
                "checkpoint": _latest_checkpoint(db),
            }
            db.execute(
                "CREATE TABLE archive_reports (day_id INTEGER, date TEXT, format TEXT, "
                "name TEXT, sha256 TEXT, content BLOB)"
            )
            for day_id, date, fmt, name, body in made:
                db.execute(
                    "INSERT INTO archive_reports VALUES (?, ?, ?, ?, ?, ?)",
                    [day_id, date, fmt, name, hashlib.sha256(body).hexdigest(), body],
                )
            db.execute("CREATE TABLE archive_manifest (manifest TEXT NOT NULL)")
            db.execute("INSERT INTO archive_manifest VALUES (?)", [json.dumps(manifest)])
            db.conn.commit()
            db.execute("VACUUM")
            db.close()
            copy.chmod(0o600)
            os.link(copy, to)
    except FileExistsError:
        raise ArchiveError(f"{to} already exists; choose a new file") from None
    except OSError as exc:
        raise ArchiveError(f"cannot write archive to {to}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            raise ArchiveError(f"cannot write archive to {to}: No space left on device") from None
        raise ArchiveError(f"cannot archive {db_path}: {exc}") from None
    return verify(to)


def _latest_checkpoint(db: sqlite_utils.Database) -> dict | None:
    """The latest signed audit checkpoint, when this ictool has them (else None: the
    manifest's chain head is what a later check compares against)."""
    for name in ("audit_checkpoints", "checkpoints"):
        if db[name].exists():
            row = db.execute(f"SELECT * FROM [{name}] ORDER BY rowid DESC LIMIT 1").fetchone()  # noqa: S608
            if row:
                cols = [d[0] for d in db.execute(f"SELECT * FROM [{name}] LIMIT 0").description]  # noqa: S608
                return dict(zip(cols, row, strict=True))
    return None


def is_archive(path: Path) -> bool:
    """Whether `path` is an ictool archive file (rather than a live database)."""
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'archive_manifest'"
        ).fetchone()
        return found is not None
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def verify(path: Path) -> Checked:
    """Check an archive alone: its own audit entries hash to their links, the links chain
    from the first entry to the head the manifest names, and every report matches its
    digest. Read-only: the file is not changed."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"no archive at {path}")
    if not is_archive(path):
        raise ArchiveError(f"{path} is not an ictool archive")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        manifest = json.loads(conn.execute("SELECT manifest FROM archive_manifest").fetchone()[0])
        if manifest.get("format") != FORMAT or manifest.get("format_version", 0) > FORMAT_VERSION:
            raise ArchiveError(
                f"{path} was written by a newer ictool; use that version to check it"
            )
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ArchiveError(f"{path} is damaged (SQLite integrity check failed)")
        own = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM audit")}
        prev, count = audit.GENESIS, 0
        for link in conn.execute("SELECT id, prev_hash, hash FROM archive_chain ORDER BY id"):
            count += 1
            if link["prev_hash"] != prev:
                raise ArchiveError(f"audit chain broken at entry #{link['id']}: a link is missing")
            entry = own.pop(link["id"], None)
            if entry is not None and (
                entry["prev_hash"] != link["prev_hash"]
                or audit._digest(prev, entry) != link["hash"]  # noqa: SLF001
            ):
                raise ArchiveError(f"audit entry #{link['id']} was changed after it was written")
            prev = link["hash"]
        if own:
            raise ArchiveError(f"audit entry #{min(own)} is not on the chain")
        chain = manifest["chain"]
        if count != chain["entries"] or prev != chain["head"]:
            raise ArchiveError(
                f"audit chain ends at {prev[:16]}… after {count} entries, but the archive "
                f"was made at {chain['head'][:16]}… after {chain['entries']}"
            )
        reports = 0
        for r in conn.execute("SELECT name, sha256, content FROM archive_reports"):
            if hashlib.sha256(r["content"]).hexdigest() != r["sha256"]:
                raise ArchiveError(f"report {r['name']} was changed after it was archived")
            reports += 1
        own_entries = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from None
    finally:
        conn.close()
    return Checked(
        manifest["production"]["title"],
        count,
        own_entries,
        prev,
        reports,
        manifest["created_at"],
    )
