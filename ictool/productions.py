"""Productions and their jurisdiction profiles (union rules differ by country)."""

import contextlib
import os
import zoneinfo
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit
from ictool.db import now, transaction
from ictool.errors import Invalid


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


TITLE_MAX = 120
LONGEST_SHOOT_DAYS = 3 * 366


def create(
    db: Database,
    title: str,
    jurisdiction: str,
    ic_engaged_on: str | None = None,
    starts_on: str | None = None,
    ends_on: str | None = None,
    company: str | None = None,
    timezone: str | None = None,
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
        "company": company,
        "timezone": timezone,
        "created_at": now(),
    }
    return db["productions"].insert(row).last_pk


def jurisdiction_key(text: str) -> str | None:
    """A jurisdiction named by its key or by its name (any case), as its key."""
    wanted = (text or "").strip().casefold()
    for key, found in PROFILES.items():
        if wanted in (key, found.name.casefold()):
            return key
    return None


@cache
def timezones() -> list[str]:
    """Every IANA time zone name this machine knows (from tzdata), sorted."""
    return sorted(zoneinfo.available_timezones())


def local_timezone() -> str:
    """This machine's IANA time zone, the default for a new production; else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    with contextlib.suppress(OSError):
        candidates.append(str(Path("/etc/localtime").resolve()).split("zoneinfo/", 1)[-1])
    return next((c for c in candidates if c in timezones()), "UTC")


def _day(field: str, value: str | None, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise Invalid(field, _("%(key)s is required (YYYY-MM-DD)", key=field))
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise Invalid(field, _("%(key)s must be YYYY-MM-DD", key=field)) from None


def check_new(
    title: str | None,
    jurisdiction: str | None,
    starts_on: str | None,
    ends_on: str | None,
    timezone: str | None = None,
    company: str | None = None,
    ic_engaged_on: str | None = None,
) -> dict:
    """Check what a person typed for a new production; the clean fields, or Invalid naming
    the first bad one."""
    title = " ".join((title or "").split())
    if not title or len(title) > TITLE_MAX:
        raise Invalid("title", _("%(key)s must be 1 to %(n)s characters", key="title", n=TITLE_MAX))
    company = " ".join((company or "").split()) or None
    if company and len(company) > TITLE_MAX:
        raise Invalid(
            "company", _("%(key)s must be at most %(n)s characters", key="company", n=TITLE_MAX)
        )
    key = jurisdiction_key(jurisdiction or "")
    if key is None:
        names = "; ".join(f"{k} ({p.name})" for k, p in PROFILES.items())
        raise Invalid(
            "jurisdiction", _("%(key)s must be one of: %(codes)s", key="jurisdiction", codes=names)
        )
    zone = (timezone or "").strip() or local_timezone()
    if zone not in timezones():
        raise Invalid(
            "timezone",
            _("%(value)s is not a time zone name like Europe/London", value=repr(zone[:60])),
        )
    starts, ends = _day("starts", starts_on, True), _day("ends", ends_on, True)
    if ends < starts:
        raise Invalid("ends", _("the last shoot day is before the first"))
    if (date.fromisoformat(ends) - date.fromisoformat(starts)).days > LONGEST_SHOOT_DAYS:
        raise Invalid("ends", _("a shoot of more than three years is not supported"))
    engaged = _day("ic_engaged", ic_engaged_on, False)
    if engaged and engaged > ends:
        raise Invalid("ic_engaged", _("the IC was engaged after the last shoot day"))
    return {
        "title": title,
        "company": company,
        "jurisdiction": key,
        "timezone": zone,
        "starts_on": starts,
        "ends_on": ends,
        "ic_engaged_on": engaged,
    }


def create_checked(db: Database, fields: dict, actor_id: int | None = None) -> int:
    """Add a production from `check_new`'s fields, audited (inside the caller's transaction
    when there is one)."""
    with transaction(db):
        production_id = create(db, **fields)
        audit.record(
            db,
            "production.created",
            actor_id=actor_id,
            production_id=production_id,
            subject=f"production:{production_id}",
            jurisdiction=fields["jurisdiction"],
        )
    return production_id


def every(db: Database) -> list[dict]:
    """Every production on this server, oldest first."""
    return list(db["productions"].rows_where(order_by="id"))


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
        "company": production.get("company"),
        "timezone": production.get("timezone"),
        "ic_engaged_on": production["ic_engaged_on"],
        "starts_on": production["starts_on"],
        "ends_on": production["ends_on"],
        "rider_notice_hours": rider_notice_hours(production),
    }
