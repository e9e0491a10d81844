"""Backups: one file holding a consistent copy of the database and the instance's keys.

The copy is taken with SQLite's online backup API, so phones keep working while it is
made (a plain file copy of a live WAL database can miss committed pages). The keys
(secret key, the set's CA and its key, the server certificate, VAPID keys, the instance
config) are what a restored server needs so that sessions, the phones' trust in the set's
certificate and their push subscriptions carry on. With a passphrase they are encrypted
(scrypt, then AES-256-GCM); the backup file itself is readable by its owner only.
"""

import base64
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ictool import audit
from ictool.db import now
from ictool.migrations import migrations

FORMAT = "ictool-backup"
FORMAT_VERSION = 1
# The instance files a server needs to resume, relative to the instance folder.
KEY_FILES = (
    "secret_key",
    "audit_key",  # signs the audit checkpoints (witness.py)
    "vapid.json",
    "config.py",
    "tls/ca.pem",
    "tls/ca-key.pem",
    "tls/server.pem",
    "tls/server-key.pem",
)
_AAD = b"ictool-backup-keys-1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class BackupError(Exception):
    """Something a person can fix, said in one line."""


@dataclass
class Written:
    path: Path
    rows: dict[str, int]
    audit_entries: int
    keys: list[str]
    encrypted: bool


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _read_only(path: str | Path) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro"


def copy_database(source: str, target: Path) -> None:
    """A consistent snapshot of a live database into `target` (SQLite's online backup
    API: one read transaction, so writers in WAL mode are not held up)."""
    src = sqlite3.connect(_read_only(source), uri=True, timeout=5)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()


def summary(path: Path) -> dict:
    """Row counts, applied migrations and the audit chain's length and head of a database."""
    conn = sqlite3.connect(_read_only(path), uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        rows = {t: conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in tables}  # noqa: S608
        applied = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                [migrations.name],
            )
        ]
        head = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return {
        "rows": rows,
        "migrations": applied,
        "audit": {"entries": rows.get("audit", 0), "head": head[0] if head else audit.GENESIS},
    }


def _key_files(instance: Path) -> dict[str, bytes]:
    return {
        name: (instance / name).read_bytes() for name in KEY_FILES if (instance / name).is_file()
    }


def _kdf(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase.encode())


def seal(files: dict[str, bytes], passphrase: str) -> dict:
    """The key files encrypted with a key derived from the passphrase."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps({k: base64.b64encode(v).decode() for k, v in files.items()}).encode()
    sealed = AESGCM(_kdf(passphrase, salt)).encrypt(nonce, plain, _AAD)
    b64 = base64.b64encode
    return {
        "kdf": {"name": "scrypt", "salt": b64(salt).decode(), **_SCRYPT},
        "cipher": "AES-256-GCM",
        "nonce": b64(nonce).decode(),
        "ciphertext": b64(sealed).decode(),
    }


def unseal(box: dict, passphrase: str) -> dict[str, bytes]:
    """The key files back, or BackupError when the passphrase is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _kdf(passphrase, base64.b64decode(box["kdf"]["salt"]))
    try:
        plain = AESGCM(key).decrypt(
            base64.b64decode(box["nonce"]), base64.b64decode(box["ciphertext"]), _AAD
        )
    except InvalidTag:
        raise BackupError("wrong passphrase for this backup's keys") from None
    return {k: base64.b64decode(v) for k, v in json.loads(plain).items()}


def write(db_path: str, instance: Path, to: Path, passphrase: str | None = None) -> Written:
    """Write a backup file at `to`: all or nothing (a half-written file never takes its name)."""
    to = Path(to)
    folder = to.parent
    if not folder.is_dir():
        raise BackupError(f"cannot write backup to {to}: folder {folder} does not exist")
    if to.is_dir():
        raise BackupError(f"cannot write backup to {to}: it is a folder")
    if not Path(db_path).is_file():
        raise BackupError(f"no database at {db_path}")
    files = _key_files(instance)
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".ictool-backup-") as work:
            copy = Path(work) / "ictool.db"
            copy_database(db_path, copy)
            facts = summary(copy)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now(),
                "database": {**facts, "sha256": _sha256(copy)},
                "keys": {"files": sorted(files), "encrypted": passphrase is not None},
            }
            partial = Path(work) / "backup.zip"
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("manifest.json", json.dumps(manifest, indent=2))
                z.write(copy, "ictool.db")
                if passphrase is not None:
                    z.writestr("keys.sealed.json", json.dumps(seal(files, passphrase)))
                else:
                    plain = {k: base64.b64encode(v).decode() for k, v in files.items()}
                    z.writestr("keys.json", json.dumps(plain))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, to)
    except OSError as exc:
        raise BackupError(f"cannot write backup to {to}: {_reason(exc)}") from None
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            raise BackupError(f"cannot write backup to {to}: No space left on device") from None
        raise BackupError(f"cannot read database {db_path}: {exc}") from None
    return Written(
        to, facts["rows"], facts["audit"]["entries"], sorted(files), passphrase is not None
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(z: zipfile.ZipFile, path: Path) -> dict:
    """The backup's manifest, refusing files that are not ictool backups or too new."""
    try:
        manifest = json.loads(z.read("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError(f"{path} is not an ictool backup (no manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an ictool backup")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{path} was written by a newer ictool (backup format "
            f"{manifest['format_version']}); install that version to restore it"
        )
    known = {m.name for m in migrations._migrations}
    unknown = [m for m in manifest["database"]["migrations"] if m not in known]
    if unknown:
        raise BackupError(
            f"{path} was written by a newer ictool (schema changes this one does not know: "
            f"{', '.join(unknown)}); install that version to restore it"
        )
    return manifest


@dataclass
class Restored:
    db: Path
    rows: dict[str, int]
    audit_entries: int
    keys: list[str]


def restore(path: Path, db: Path, instance: Path | None, passphrase: str | None) -> Restored:
    """Bring a backup back into a NEW database file (and the keys into `instance`).
    Everything is checked before anything takes its final name."""
    path, db = Path(path), Path(db)
    if db.exists():
        raise BackupError(f"{db} already exists; restore into a new file")
    if not db.parent.is_dir():
        raise BackupError(f"cannot restore to {db}: folder {db.parent} does not exist")
    try:
        z = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"no backup at {path}") from None
    except (OSError, zipfile.BadZipFile) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else "not a backup file"
        raise BackupError(f"cannot read {path}: {reason}") from None
    with z:
        manifest = read_manifest(z, path)
        files = _keys_of(z, manifest, passphrase) if instance is not None else {}
        if instance is not None:
            _check_instance(instance, files)
        try:
            with tempfile.TemporaryDirectory(dir=db.parent, prefix=".ictool-restore-") as work:
                copy = Path(work) / "restored.db"
                with z.open("ictool.db") as src, open(copy, "wb") as out:
                    while block := src.read(1 << 20):
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                _check_copy(copy, manifest, path)
                copy.chmod(0o600)
                os.link(copy, db)  # fails rather than overwrite a file that appeared meanwhile
        except FileExistsError:
            raise BackupError(f"{db} already exists; restore into a new file") from None
        except OSError as exc:
            raise BackupError(f"cannot restore to {db}: {_reason(exc)}") from None
        if instance is not None:
            _write_keys(instance, files)
    facts = manifest["database"]
    return Restored(db, facts["rows"], facts["audit"]["entries"], sorted(files))


def _keys_of(z: zipfile.ZipFile, manifest: dict, passphrase: str | None) -> dict[str, bytes]:
    if manifest["keys"]["encrypted"]:
        if passphrase is None:
            raise BackupError("this backup's keys are encrypted: give --passphrase-file")
        return unseal(json.loads(z.read("keys.sealed.json")), passphrase)
    return {k: base64.b64decode(v) for k, v in json.loads(z.read("keys.json")).items()}


def _check_copy(copy: Path, manifest: dict, path: Path) -> None:
    """The restored file is the one that was backed up: same bytes, intact, every row."""
    if _sha256(copy) != manifest["database"]["sha256"]:
        raise BackupError(f"{path} is damaged: its database does not match its manifest")
    conn = sqlite3.connect(copy)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if ok != "ok":
        raise BackupError(f"{path} is damaged: {ok}")
    if summary(copy)["rows"] != manifest["database"]["rows"]:
        raise BackupError(f"{path} is damaged: row counts differ from its manifest")


def _check_instance(instance: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = instance / name
        if target.exists() and target.read_bytes() != data:
            raise BackupError(
                f"{target} already exists and differs from the backup's; "
                "restore the keys into a new instance folder"
            )


def _write_keys(instance: Path, files: dict[str, bytes]) -> None:
    """Each key file owner-only (0600), in owner-only folders."""
    try:
        instance.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name, data in files.items():
            target = instance / name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if target.exists():
                continue
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    except OSError as exc:
        raise BackupError(f"cannot write keys to {instance}: {_reason(exc)}") from None
