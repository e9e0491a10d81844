"""Productions and their jurisdiction profiles (union rules differ by country)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit
from ictool.db import now, transaction


@dataclass(frozen=True)
class Profile:
    """Defaults a production inherits from its jurisdiction; each can be overridden."""

    key: str
    name: str
    rider_notice_hours: int = 48
    ic_prep_days: int = 14


PROFILES = {
    p.key: p
    for p in [
        Profile("sag_aftra", "SAG-AFTRA (United States)"),
        Profile("equity_uk", "Equity / Bectu (United Kingdom)"),
        Profile("actra", "ACTRA (Canada)"),
        Profile("france", "France"),
        Profile("nordic", "Nordic industry guidelines"),
        Profile("meaa", "MEAA (Australia)"),
    ]
}


def create(
    db: Database,
    title: str,
    jurisdiction: str,
    ic_engaged_on: str | None = None,
    starts_on: str | None = None,
    ends_on: str | None = None,
) -> int:
    """Add a production; the jurisdiction must be one of PROFILES."""
    if jurisdiction not in PROFILES:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}; one of {', '.join(PROFILES)}")
    row = {
        "title": title,
        "jurisdiction": jurisdiction,
        "ic_engaged_on": ic_engaged_on,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "created_at": now(),
    }
    return db["productions"].insert(row).last_pk


def get(db: Database, production_id: int) -> dict | None:
    rows = list(db["productions"].rows_where("id = ?", [production_id]))
    return rows[0] if rows else None


def first(db: Database) -> dict | None:
    """The production on this server (a set server usually holds one)."""
    rows = list(db["productions"].rows_where(order_by="id", limit=1))
    return rows[0] if rows else None


def set_ic_engaged(
    db: Database, production_id: int, engaged_on: str | None, actor_id: int | None = None
) -> None:
    """Record the date the intimacy coordinator was engaged (YYYY-MM-DD; None: not yet)."""
    if engaged_on is not None:
        try:
            date.fromisoformat(engaged_on)
        except (TypeError, ValueError):
            raise ValueError(_("%(key)s must be YYYY-MM-DD", key="date")) from None
    with transaction(db):
        db["productions"].update(production_id, {"ic_engaged_on": engaged_on})
        audit.record(db, "production.ic_engaged", actor_id=actor_id, production_id=production_id)


def profile(production: dict) -> Profile:
    return PROFILES[production["jurisdiction"]]


def rider_notice_hours(production: dict) -> int:
    """Hours before call a nudity rider must be signed: the production's, else its profile's."""
    return production["rider_notice_hours"] or profile(production).rider_notice_hours


def escalation_seconds(production: dict, default: float) -> float:
    """Seconds without acknowledgement before a pause escalates."""
    return production["escalation_seconds"] or default


def public(production: dict) -> dict:
    """The production as the API shows it."""
    return {
        "id": production["id"],
        "title": production["title"],
        "jurisdiction": production["jurisdiction"],
        "jurisdiction_name": profile(production).name,
        "ic_engaged_on": production["ic_engaged_on"],
        "starts_on": production["starts_on"],
        "ends_on": production["ends_on"],
        "rider_notice_hours": rider_notice_hours(production),
    }
