"""People on a production, their roles, and the join tokens that sign them in.

A join token is shown once (as a link or QR code) and stored only as its SHA-256
hash; it is revocable and expires the day after the production ends.
"""

import hashlib
import secrets
from datetime import date, timedelta

from sqlite_utils import Database

from ictool import audit
from ictool.db import now, transaction

ROLES = ("coordinator", "first_ad", "second_ad", "director", "performer", "crew", "producer")
TOKEN_BYTES = 24  # 192 bits


def add(
    db: Database,
    production_id: int,
    name: str,
    role: str,
    department: str | None = None,
    language: str | None = None,
) -> int:
    """Add a person; crew must name a department."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "crew" and not department:
        raise ValueError("a crew member needs a department")
    row = {
        "production_id": production_id,
        "name": name.strip(),
        "role": role,
        "department": department,
        "language": language,
        "created_at": now(),
    }
    return db["people"].insert(row).last_pk


def get(db: Database, person_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM people WHERE id = ? AND erased_at IS NULL", [person_id]))
    return rows[0] if rows else None


def in_production(db: Database, production_id: int, role: str | None = None) -> list[dict]:
    """Everyone on a production (optionally one role), in role then name order."""
    where, args = "production_id = ? AND erased_at IS NULL", [production_id]
    if role:
        where += " AND role = ?"
        args.append(role)
    # db.query, not db["people"]: that looks the table up in sqlite_master on every call,
    # and this runs for every alert announced (profiled by `ictool bench`)
    people = list(db.query(f"SELECT * FROM people WHERE {where}", args))  # noqa: S608
    return sorted(people, key=lambda p: (ROLES.index(p["role"]), p["name"]))


def with_roles(db: Database, production_id: int, roles: tuple[str, ...]) -> list[dict]:
    """Everyone on the production whose role is one of `roles`."""
    return [p for p in in_production(db, production_id) if p["role"] in roles]


def set_language(db: Database, person_id: int, language: str) -> None:
    """Remember a person's language. In a write transaction like every other write: a bare
    UPDATE waited for the lock on the server's event loop itself, so while another greenlet
    held the lock (the escalation lease, every second) neither could go on: "database is
    locked" after 5 s, a 500 on choosing a language."""
    with transaction(db):
        db.execute("UPDATE people SET language = ? WHERE id = ?", [language, person_id])


def public(person: dict) -> dict:
    """A person as others may see them: name, role, department."""
    return {
        "id": person["id"],
        "name": person["name"],
        "role": person["role"],
        "department": person["department"],
    }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Database, person_id: int, actor_id: int | None = None) -> str:
    """Make a new join token for a person and return it; only its hash is kept."""
    person = get(db, person_id)
    if person is None:
        raise LookupError("no such person")
    production = db["productions"].get(person["production_id"])
    expires = None
    if production["ends_on"]:
        expires = (date.fromisoformat(production["ends_on"]) + timedelta(days=1)).isoformat()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction(db):
        db["tokens"].insert(
            {
                "person_id": person_id,
                "token_hash": _hash(token),
                "created_at": now(),
                "expires_at": expires,
            }
        )
        audit.record(
            db,
            "token.issued",
            actor_id=actor_id,
            production_id=person["production_id"],
            subject=f"person:{person_id}",
        )
    return token


def revoke_tokens(db: Database, person_id: int, actor_id: int | None = None) -> int:
    """Revoke every live token of a person; their phones are signed out at the next request."""
    person = get(db, person_id)
    if person is None:
        raise LookupError("no such person")
    with transaction(db):
        cursor = db.execute(
            "UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
            [now(), person_id],
        )
        audit.record(
            db,
            "token.revoked",
            actor_id=actor_id,
            production_id=person["production_id"],
            subject=f"person:{person_id}",
            count=cursor.rowcount,
        )
    return cursor.rowcount


def _live(row: dict | None) -> bool:
    if row is None or row["revoked_at"]:
        return False
    return not (row["expires_at"] and date.today().isoformat() >= row["expires_at"])


def by_token(db: Database, token: str) -> tuple[dict, int] | None:
    """The person a raw token signs in, with the token's id; None if bad, revoked or expired."""
    if not token or len(token) > 200:
        return None
    rows = list(db["tokens"].rows_where("token_hash = ?", [_hash(token)]))
    row = rows[0] if rows else None
    if not _live(row):
        return None
    person = get(db, row["person_id"])
    return (person, row["id"]) if person else None


def by_token_id(db: Database, token_id: int) -> dict | None:
    """The person a session's token id signs in, while that token is still live."""
    rows = list(db["tokens"].rows_where("id = ?", [token_id]))
    row = rows[0] if rows else None
    return get(db, row["person_id"]) if _live(row) else None
