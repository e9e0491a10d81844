"""One-time setup links: how a new production starts, with no code and no demo.

`ictool serve` on an empty database (or `ictool setup-link` at any time) makes a link
that opens the "New production" page. It works once, for 24 hours, and only its SHA-256
hash is stored, like a join token. Using it creates the production and its first person
(a producer or an IC) in one transaction, and signs that person in.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from ictool import audit, people, productions
from ictool.db import now, transaction
from ictool.errors import Invalid

VALID_FOR = timedelta(hours=24)
TOKEN_BYTES = 24  # 192 bits, as join tokens
FOUNDER_ROLES = ("producer", "coordinator")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Database) -> str:
    """Make a fresh setup link's token; any unused older one stops working (a lost link
    is replaced, not added to). Only the hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    made = datetime.now(UTC)
    with transaction(db):
        db.execute(
            "UPDATE setup_tokens SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?",
            [now(), now()],
        )
        db["setup_tokens"].insert(
            {
                "token_hash": _hash(token),
                "created_at": made.isoformat(timespec="milliseconds"),
                "expires_at": (made + VALID_FOR).isoformat(timespec="milliseconds"),
            }
        )
        audit.record(db, "setup.link_issued")
    return token


@dataclass(frozen=True)
class State:
    """What a setup link is now: "open", "used" (by whom, when), "expired" or "unknown"."""

    status: str
    used_by: str | None = None
    used_at: str | None = None
    production: str | None = None


def _row(db: Database, token: str) -> dict | None:
    if not token or len(token) > 200:
        return None
    rows = list(db["setup_tokens"].rows_where("token_hash = ?", [_hash(token)]))
    return rows[0] if rows else None


def _local(at: str, production: dict | None) -> str:
    """A stored UTC time as the production's local time, e.g. "2027-03-01 09:30 Europe/London"."""
    zone = (production or {}).get("timezone")
    when = datetime.fromisoformat(at)
    if zone not in productions.timezones():
        return f"{when:%Y-%m-%d %H:%M} UTC"
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def state(db: Database, token: str) -> State:
    """Whether this setup link can still be used, and if not, why."""
    row = _row(db, token)
    if row is None:
        return State("unknown")
    if row["used_at"]:
        person = people.get(db, row["used_by"]) if row["used_by"] else None
        production = productions.get(db, row["production_id"]) if row["production_id"] else None
        return State(
            "used",
            used_by=person["name"] if person else None,
            used_at=_local(row["used_at"], production),
            production=production["title"] if production else None,
        )
    if row["expires_at"] <= now():
        return State("expired")
    return State("open")


class Unusable(Exception):
    """The setup link was used, has expired, or never existed (see `.state`)."""

    def __init__(self, found: State):
        super().__init__(found.status)
        self.state = found


def complete(
    db: Database, token: str, production: dict, name: str, role: str
) -> tuple[int, int, str]:
    """Use a setup link: create the production (fields already checked by
    `productions.check_new`) and its first person, mark the link used, and return
    (production id, person id, a join token that signs that person in). All or nothing."""
    if role not in FOUNDER_ROLES:
        raise Invalid("role", people.role_error(FOUNDER_ROLES))
    with transaction(db):
        found = state(db, token)  # re-read under the write lock: two clicks, one production
        if found.status != "open":
            raise Unusable(found)
        production_id = productions.create_checked(db, production)
        person_id = people.create(db, production_id, {"name": name, "role": role})
        db.execute(
            "UPDATE setup_tokens SET used_at = ?, used_by = ?, production_id = ? "
            "WHERE token_hash = ?",
            [now(), person_id, production_id, _hash(token)],
        )
        audit.record(
            db,
            "setup.link_used",
            actor_id=person_id,
            production_id=production_id,
            subject=f"person:{person_id}",
        )
        join_token = people.issue_token(db, person_id, person_id)
    return production_id, person_id, join_token
