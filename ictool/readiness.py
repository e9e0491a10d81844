"""The producer's readiness checklist, computed from the data wherever it can be.

Each item says whether it is done ("ok"), needs attention ("warn") or is missing
("missing"), what exactly is missing, and which roles can fix it. Preliminary
consultations (booked during development) are logged here too.
"""

from datetime import date

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    audit,
    briefing,
    budget,
    callsheet,
    people,
    production_settings,
    productions,
    rehearsals,
    riders,
    scenes,
)
from ictool.db import now, transaction
from ictool.i18n import shown_date

MAX_TEXT = 500
NEEDS_REHEARSAL = ("simulated_sex", "partial_nudity", "full_nudity")


def log_consultation(
    db: Database,
    production_id: int,
    held_on: str,
    consultant: str,
    summary: str = "",
    actor_id: int | None = None,
) -> int:
    """Log a preliminary consultation with an IC (who, when, a short note)."""
    try:
        date.fromisoformat(held_on)
    except (TypeError, ValueError):
        raise ValueError(_("%(key)s must be YYYY-MM-DD", key="date")) from None
    consultant = consultant.strip() if isinstance(consultant, str) else ""
    summary = summary.strip() if isinstance(summary, str) else ""
    if not consultant:
        raise ValueError(_("say who the consultation was with"))
    if len(consultant) > 120 or len(summary) > MAX_TEXT:
        raise ValueError(
            _("keep the name under 120 and the note under %(n)s characters", n=MAX_TEXT)
        )
    with transaction(db):
        row_id = (
            db["consultations"]
            .insert(
                {
                    "production_id": production_id,
                    "held_on": held_on,
                    "consultant": consultant,
                    "summary": summary,
                    "logged_by": actor_id,
                    "created_at": now(),
                }
            )
            .last_pk
        )
        audit.record(
            db,
            "consultation.logged",
            actor_id=actor_id,
            production_id=production_id,
            subject=f"consultation:{row_id}",
        )
    return row_id


def consultations(db: Database, production_id: int) -> list[dict]:
    return list(
        db["consultations"].rows_where("production_id = ?", [production_id], order_by="held_on")
    )


def _item(code: str, status: str, label: str, missing: list[str], fix_by: list[str]) -> dict:
    return {"code": code, "status": status, "label": label, "missing": missing, "fix_by": fix_by}


def _intimate_days(db: Database, production_id: int) -> list[tuple[dict, list[dict]]]:
    out = []
    for day in scenes.days(db, production_id):
        intimate = [s for s in scenes.of_day(db, day["id"]) if scenes.is_intimate(s)]
        if intimate:
            out.append((day, intimate))
    return out


def _engaged(production: dict, days: list, window: int, has_ic: bool) -> dict:
    label = _("Intimacy coordinator engaged in pre-production")
    engaged = production["ic_engaged_on"]
    if not engaged:
        return _item("ic_engaged", "missing", label, [_("No engagement date.")], ["producer"])
    if not has_ic:
        text = _("No intimacy coordinator among the people of this production.")
        return _item("ic_engaged", "missing", label, [text], ["producer"])
    if not days:
        return _item("ic_engaged", "ok", label, [], [])
    first = days[0][0]["date"]
    lead = (date.fromisoformat(first) - date.fromisoformat(engaged)).days
    if lead < window:
        text = _(
            "Engaged %(engaged)s, %(lead)s days before the first intimate scene (%(first)s); "
            "the prep window is %(window)s days.",
            engaged=shown_date(engaged),
            lead=lead,
            first=shown_date(first),
            window=window,
        )
        return _item("ic_engaged", "warn", label, [text], ["producer"])
    return _item("ic_engaged", "ok", label, [], [])


def _consultation(db: Database, production_id: int) -> dict:
    label = _("Preliminary consultation logged")
    if consultations(db, production_id):
        return _item("consultation", "ok", label, [], [])
    return _item("consultation", "missing", label, [_("None logged.")], ["producer"])


def _call_sheet(db: Database, days: list) -> dict:
    label = _("IC on the call sheet of every intimate day")
    missing = [
        _("No IC on the call sheet for %(date)s.", date=shown_date(day["date"]))
        for day, _scenes in days
        if not callsheet.ic_on_day(db, day["id"])
    ]
    status = "missing" if missing else "ok"
    return _item("ic_on_call_sheet", status, label, missing, ["second_ad", "first_ad"])


def _rehearsals(db: Database, production_id: int, days: list, today: str) -> dict:
    label = _("IC present at blocking rehearsals")
    missing, warn = [], []
    done = rehearsals.of_production(db, production_id)
    rehearsed = {r["scene_id"] for r in done}
    for r in done:
        if r["ic_present"] == 0:
            missing.append(
                _(
                    "IC absent from the rehearsal of scene %(n)s on %(date)s.",
                    n=r["scene_number"],
                    date=shown_date(r["date"]),
                )
            )
        elif r["ic_present"] is None and r["date"] < today:
            warn.append(
                _(
                    "IC presence not recorded for the rehearsal of scene %(n)s on %(date)s.",
                    n=r["scene_number"],
                    date=shown_date(r["date"]),
                )
            )
    for _day, intimate in days:
        for s in intimate:
            if s["intimacy"] in NEEDS_REHEARSAL and s["id"] not in rehearsed:
                warn.append(_("No blocking rehearsal scheduled for scene %(n)s.", n=s["number"]))
    status = "missing" if missing else "warn" if warn else "ok"
    return _item("ic_at_rehearsals", status, label, missing + warn, ["first_ad", "coordinator"])


def _briefing(db: Database, production_id: int) -> dict:
    label = _("Every department head briefed")
    pending = [p for p in briefing.status(db, production_id) if not p["acknowledged_at"]]
    missing = [
        _("%(name)s (%(dept)s) has not acknowledged.", name=p["name"], dept=p["department"] or "")
        for p in pending
    ]
    status = "missing" if missing else "ok"
    return _item("briefing", status, label, missing, ["crew", "producer"])


def _budget(db: Database, production_id: int) -> dict:
    label = _("Intimacy coordination in the budget")
    data = budget.summary(db, production_id)
    if data["day_rate_cents"] is None:
        return _item("budget", "missing", label, [_("No IC day rate.")], ["producer"])
    return _item("budget", "ok", label, [], [])


def _riders(db: Database, production: dict, days: list) -> dict:
    label = _("Nudity riders signed in time")
    missing, late = [], []
    for _day, intimate in days:
        for s in (s for s in intimate if scenes.needs_rider(s)):  # a kiss needs no rider
            for p in riders.rows(db, s):
                state = p["status"]
                args = {"name": p["name"], "n": s["number"]}
                if state == "missing":
                    missing.append(_("%(name)s, scene %(n)s: rider missing.", **args))
                elif state == "late":
                    late.append(_("%(name)s, scene %(n)s: rider signed late.", **args))
    status = "missing" if missing else "warn" if late else "ok"
    return _item("riders", status, label, missing + late, ["coordinator"])


def checklist(db: Database, production_id: int, today: str | None = None) -> dict:
    """Every readiness item of a production, and whether all of them are done."""
    production = productions.get(db, production_id)
    if production is None:
        raise LookupError(_("No such production."))
    today = today or date.today().isoformat()
    window = production_settings.get(db, production_id)["prep_window_days"]
    days = _intimate_days(db, production_id)
    coordinators = people.in_production(db, production_id, "coordinator")
    items = [
        _engaged(production, days, window, bool(coordinators)),
        _consultation(db, production_id),
        _call_sheet(db, days),
        _rehearsals(db, production_id, days, today),
        _briefing(db, production_id),
        _budget(db, production_id),
        _riders(db, production, days),
    ]
    return {
        "ready": all(i["status"] == "ok" for i in items),
        "prep_window_days": window,
        "ic_engaged_on": production["ic_engaged_on"],
        "coordinators": [people.public(p) for p in coordinators],
        "items": items,
    }
