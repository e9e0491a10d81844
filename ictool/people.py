"""People on a production, their roles, and the join tokens that sign them in.

A join token is shown once (as a link or QR code) and stored only as its SHA-256
hash; it is revocable and expires the day after the production ends. A deactivated
person's tokens stop working at once (every request and socket event asks `by_token_id`)
and work again if they are reactivated; their records stay. Deleting and merging people
is in `people_records`.
"""

import hashlib
import secrets
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit
from ictool.db import now, transaction
from ictool.errors import Invalid
from ictool.i18n import LANGUAGES, ROLE_LABELS

ROLES = (
    "coordinator",
    "first_ad",
    "second_ad",
    "director",
    "performer",
    "background",
    "crew",
    "producer",
)
# Who can be cast in a scene: performers and background performers (a group scene's
# extras, often without a phone of their own: checked in by name, riders recorded for them).
CAST_ROLES = ("performer", "background")
TOKEN_BYTES = 24  # 192 bits
NAME_MAX = 80
DEPARTMENT_MAX = 60
FIELDS = ("name", "role", "department", "character_name", "language")


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


def role_error(roles: tuple[str, ...] = ROLES) -> str:
    """What `role` may be, each code with its meaning."""
    codes = ", ".join(f"{code} ({ROLE_LABELS[code]})" for code in roles)
    return _("%(key)s must be one of: %(codes)s", key="role", codes=codes)


def _text(field: str, value: object, limit: int, required: bool = False) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(field, _("%(key)s must be text", key=field))
    value = " ".join(value.split())
    if required and not value:
        raise Invalid(field, _("%(key)s is required", key=field))
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise Invalid(field, _("%(key)s must be at most %(n)s characters", key=field, n=limit))
    return value or None


def clean(fields: dict, before: dict | None = None) -> dict:
    """Check a person's fields (all of them for a new person, `before` merged with the
    changes for an edit); the clean row, or Invalid naming the first bad field."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise Invalid(
            unknown[0],
            _("unknown field %(key)s; send %(codes)s", key=unknown[0], codes=", ".join(FIELDS)),
        )
    merged = {k: (before or {}).get(k) for k in FIELDS} | fields
    row = {"name": _text("name", merged["name"], NAME_MAX, required=True)}
    row["role"] = merged["role"]
    if row["role"] not in ROLES:
        raise Invalid("role", role_error())
    row["department"] = _text("department", merged["department"], DEPARTMENT_MAX)
    if row["role"] == "crew" and not row["department"]:
        raise Invalid("department", _("a crew member needs a department"))
    character = _text("character_name", merged["character_name"], NAME_MAX)
    row["character_name"] = character if row["role"] == "performer" else None
    language = merged["language"] or None
    if language is not None and (not isinstance(language, str) or language not in LANGUAGES):
        raise Invalid(
            "language",
            _("%(key)s must be one of %(codes)s", key="language", codes=", ".join(LANGUAGES)),
        )
    row["language"] = language
    return row


def _same_name(db: Database, production_id: int, name: str, but: int | None = None) -> None:
    found = db.execute(
        "SELECT id FROM people WHERE production_id = ? AND erased_at IS NULL "
        "AND lower(name) = lower(?) AND id IS NOT ?",
        [production_id, name, but],
    ).fetchone()
    if found:
        raise Invalid(
            "name",
            _("%(name)s is already on this production (#%(id)s)", name=name, id=found[0]),
        )


def create(db: Database, production_id: int, fields: dict, actor_id: int | None = None) -> int:
    """Add a person from what someone typed: checked (a name is unique on its
    production, case aside), audited."""
    row = clean(fields)
    with transaction(db):
        _same_name(db, production_id, row["name"])
        person_id = (
            db["people"].insert(dict(row, production_id=production_id, created_at=now())).last_pk
        )
        audit.record(
            db,
            "person.added",
            actor_id=actor_id,
            production_id=production_id,
            subject=f"person:{person_id}",
            role=row["role"],
        )
    return person_id


def update(db: Database, person_id: int, changes: dict, actor_id: int | None = None) -> dict:
    """Change some of a person's fields; the person as now stored. Audited by field name."""
    person = get(db, person_id)
    if person is None:
        raise LookupError(_("No such person."))
    row = clean(changes, before=person)
    changed = sorted(k for k in FIELDS if row[k] != person[k])
    with transaction(db):
        if "name" in changed:
            _same_name(db, person["production_id"], row["name"], but=person_id)
        if changed:
            db["people"].update(person_id, {k: row[k] for k in changed})
            audit.record(
                db,
                "person.updated",
                actor_id=actor_id,
                production_id=person["production_id"],
                subject=f"person:{person_id}",
                fields=changed,
            )
    return get(db, person_id)


def set_active(db: Database, person_id: int, active: bool, actor_id: int | None = None) -> dict:
    """Deactivate a person (their links stop at once, on every page and socket event; their
    records stay) or bring them back (their links work again). Audited."""
    person = get(db, person_id)
    if person is None:
        raise LookupError(_("No such person."))
    if bool(person["deactivated_at"]) != active:
        return person
    with transaction(db):
        db["people"].update(person_id, {"deactivated_at": None if active else now()})
        audit.record(
            db,
            "person.reactivated" if active else "person.deactivated",
            actor_id=actor_id,
            production_id=person["production_id"],
            subject=f"person:{person_id}",
        )
    return get(db, person_id)


def signed_in_ever(db: Database, person_id: int) -> bool:
    """Has this person ever opened one of their links (or had a phone subscribed)?"""
    used = db.execute(
        "SELECT 1 FROM tokens WHERE person_id = ? AND last_used_at IS NOT NULL LIMIT 1",
        [person_id],
    ).fetchone()
    pushed = db.execute(
        "SELECT 1 FROM push_subscriptions WHERE person_id = ? LIMIT 1", [person_id]
    ).fetchone()
    return bool(used or pushed)


def get(db: Database, person_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM people WHERE id = ? AND erased_at IS NULL", [person_id]))
    return rows[0] if rows else None


def in_production(
    db: Database,
    production_id: int,
    role: str | None = None,
    inactive: bool = False,
    roles: tuple[str, ...] | None = None,
) -> list[dict]:
    """Everyone on a production (optionally one role, or any of `roles`), in role then name
    order; people who were deactivated only when `inactive` (they get no alerts, links or
    screens)."""
    where, args = "production_id = ? AND erased_at IS NULL", [production_id]
    if not inactive:
        where += " AND deactivated_at IS NULL"
    wanted = (role,) if role else roles
    if wanted is not None:
        where += f" AND role IN ({', '.join('?' * len(wanted))})"
        args += wanted
    # db.query, not db["people"]: that looks the table up in sqlite_master on every call,
    # and this runs for every alert announced (profiled by `ictool bench`)
    people = list(db.query(f"SELECT * FROM people WHERE {where}", args))  # noqa: S608
    return sorted(people, key=lambda p: (ROLES.index(p["role"]), p["name"]))


def with_roles(db: Database, production_id: int, roles: tuple[str, ...]) -> list[dict]:
    """Everyone on the production whose role is one of `roles`: chosen by the database, so
    announcing an alert to the few alerting roles does not read a cast of hundreds."""
    return in_production(db, production_id, roles=tuple(roles))


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


def managed(person: dict) -> dict:
    """A person as those who manage them see them: also character, language, whether active."""
    return dict(
        public(person),
        character_name=person["character_name"],
        language=person["language"],
        active=not person["deactivated_at"],
        deactivated_at=person["deactivated_at"],
    )


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


def _active(person: dict | None) -> dict | None:
    return person if person and not person["deactivated_at"] else None


def _token_row(db: Database, column: str, value: object) -> dict | None:
    # db.query, not db["tokens"]: that looks the table up in sqlite_master first, and this
    # runs for every socket event (profiled by `ictool bench`)
    rows = list(db.query(f"SELECT * FROM tokens WHERE {column} = ?", [value]))  # noqa: S608
    return rows[0] if rows else None


def by_token(db: Database, token: str) -> tuple[dict, int] | None:
    """The person a raw token signs in, with the token's id; None if bad, revoked or
    expired, or the person was deactivated. Its first use is remembered (see
    `signed_in_ever`)."""
    if not token or len(token) > 200:
        return None
    row = _token_row(db, "token_hash", _hash(token))
    if not _live(row):
        return None
    person = _active(get(db, row["person_id"]))
    if person and row["last_used_at"] is None:
        with transaction(db):
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [now(), row["id"]])
    return (person, row["id"]) if person else None


def by_token_id(db: Database, token_id: int, generation: int | None = None) -> dict | None:
    """The person a session's token id signs in, while that token is still live and the
    person active (and, for a cookie, while its session generation is the token's: not
    signed out since)."""
    row = _token_row(db, "id", token_id)
    if generation is not None and row is not None and row["session_generation"] != generation:
        return None
    return _active(get(db, row["person_id"])) if _live(row) else None


def session_generation(db: Database, token_id: int) -> int:
    """The generation a new session cookie of this token carries."""
    row = db.execute("SELECT session_generation FROM tokens WHERE id = ?", [token_id]).fetchone()
    return row[0] if row else 0


def end_sessions(db: Database, token_id: int) -> None:
    """Sign out: every cookie signed in with this token stops working (its join link still
    signs in again)."""
    with transaction(db):
        db.execute(
            "UPDATE tokens SET session_generation = session_generation + 1 WHERE id = ?",
            [token_id],
        )
