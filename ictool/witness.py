"""Witnessed checkpoints of the audit log: what the hash chain alone cannot show.

The chain (`audit.verify`) shows an entry changed or removed *inside* the log, but not a
log cut short, emptied, or re-hashed from the first entry on. A checkpoint is the log's
entry count and head hash at a time, signed (HMAC-SHA256) with a random key kept in the
instance folder (`audit_key`, owner-only). Checkpoints are made at least hourly by the
server's background loop and on every daily report, kept in `audit_checkpoints`, and handed
to the IC's and the producer's devices, which keep the latest they saw. `ictool audit
verify --checkpoint VALUE` then names what is missing or rewritten.

It cannot stop someone who holds the instance folder (the key) and every witness: they can
rewrite the log and sign new checkpoints; a checkpoint a device or a report already holds
still shows it.

The only code with SQL on `audit_checkpoints`.
"""

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlite_utils import Database

from ictool import audit
from ictool.db import transaction

KEY_FILE = "audit_key"
PREFIX = "ictool-record-v1"
EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class Checkpoint:
    """The log's length and head at a moment, and the signature over them."""

    entries: int
    head: str
    at: str  # UTC, e.g. 20261202T215300Z (no colons: they separate the fields)
    mac: str

    @property
    def value(self) -> str:
        """The copyable form a device keeps and `ictool audit verify --checkpoint` reads."""
        return f"{PREFIX}:{self.entries}:{self.head}:{self.at}:{self.mac}"

    @property
    def when(self) -> str:
        """The time, readable: 2026-12-02 21:53 UTC."""
        t = self.at
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]} {t[9:11]}:{t[11:13]} UTC"


def load_or_create_key(instance_path: str | Path) -> bytes:
    """The signing key in `<instance>/audit_key`: made once (32 random bytes), owner-only."""
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


def app_key(app: Flask) -> bytes:
    """This app's signing key, read (or made) once from its instance folder."""
    key = app.extensions.get("ictool.audit_key")
    if key is None:
        key = app.extensions["ictool.audit_key"] = load_or_create_key(app.instance_path)
    return key


def _mac(key: bytes, entries: int, head: str, at: str) -> str:
    message = f"{PREFIX}:{entries}:{head}:{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def make(db: Database, key: bytes) -> Checkpoint:
    """Sign the log's count and head now, keep the checkpoint, and return it."""
    with transaction(db):
        entries, head = audit.head(db)
        at = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        point = Checkpoint(entries, head, at, _mac(key, entries, head, at))
        db.execute(
            "INSERT INTO audit_checkpoints (entries, head, at, mac) VALUES (?, ?, ?, ?)",
            [point.entries, point.head, point.at, point.mac],
        )
    return point


def stored(db: Database) -> list[Checkpoint]:
    """Every checkpoint this database keeps, oldest first."""
    rows = db.execute("SELECT entries, head, at, mac FROM audit_checkpoints ORDER BY id")
    return [Checkpoint(*row) for row in rows]


def latest(db: Database) -> Checkpoint | None:
    row = db.execute(
        "SELECT entries, head, at, mac FROM audit_checkpoints ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return Checkpoint(*row) if row else None


def parse(value: str) -> Checkpoint:
    """A checkpoint from its copyable form; ValueError naming what is wrong with it."""
    parts = value.strip().split(":")
    if len(parts) != 5 or parts[0] != PREFIX:
        raise ValueError(f"not a checkpoint (it starts {PREFIX}:<entries>:<head>:<time>:<mac>)")
    _prefix, entries, head, at, mac = parts
    hexdigits = set("0123456789abcdef")
    if not entries.isdigit() or len(head) != 64 or set(head) - hexdigits or len(at) != 16:
        raise ValueError("not a checkpoint: its entry count, head or time is malformed")
    return Checkpoint(int(entries), head, at, mac)


def problem(db: Database, key: bytes, point: Checkpoint) -> str | None:
    """What the log lacks that this checkpoint witnessed, in one line; None when the log
    still holds exactly what was witnessed (and perhaps more after it)."""
    if not hmac.compare_digest(point.mac, _mac(key, point.entries, point.head, point.at)):
        return (
            f"the checkpoint of {point.when} is not signed with this instance's key "
            "(forged, altered, or from another server)"
        )
    entries, _head = audit.head(db)
    if entries == 0 and point.entries:
        return (
            f"the audit log is empty, but the checkpoint of {point.when} witnessed "
            f"{point.entries} entries: all of them are missing"
        )
    if entries < point.entries:
        return (
            f"the audit log has {entries} entries, but the checkpoint of {point.when} "
            f"witnessed {point.entries}: the last {point.entries - entries} are missing "
            "(the log was cut short)"
        )
    if point.entries == 0:
        return None
    entry_id, found = audit.nth(db, point.entries)
    if found != point.head:
        return (
            f"entry #{entry_id}, the last of the {point.entries} the checkpoint of "
            f"{point.when} witnessed, does not have the witnessed hash: the log up to it "
            "was rewritten (entries removed, replaced or re-hashed)"
        )
    return None


def due(app: Flask, db: Database, clock: float | None = None) -> bool:
    """Is a new checkpoint due (none yet, or the latest older than AUDIT_CHECKPOINT_SECONDS)?"""
    every = float(app.config.get("AUDIT_CHECKPOINT_SECONDS") or EVERY_SECONDS)
    last = latest(db)
    if last is None:
        return True
    made = datetime.strptime(last.at, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    return (clock or time.time()) - made >= every


def tick(app: Flask, db: Database) -> Checkpoint | None:
    """From the background loop: make a checkpoint when one is due (at most one a second of
    checking: the loop ticks faster than that)."""
    clock = time.time()
    if clock < app.extensions.get("ictool.witness_check", 0.0):
        return None
    app.extensions["ictool.witness_check"] = clock + 1.0
    return make(db, app_key(app)) if due(app, db, clock) else None


def for_device(app: Flask, db: Database) -> Checkpoint:
    """The checkpoint to hand to a device: the latest, or a new one when it is due."""
    last = latest(db)
    return make(db, app_key(app)) if last is None or due(app, db) else last
