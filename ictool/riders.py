"""Nudity riders as the IC records them on the scene page: for each performer of a scene
with nudity or simulated sex, the date the rider was sent and the date it was signed.

Whether a scene needs riders (`scenes.needs_rider`) and whether a signature came in time
(`scenes.rider_status`, against the production's notice before call) are the one rule that
clearance, readiness and every screen ask. Where the IC recorded a rider's terms
(`rider_terms`), its dates are those of the current version: sent when it was recorded,
signed only when that version was, so an amendment waits for a new signature.
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, productions, rider_terms, scenes
from ictool.db import transaction

SHOWN = ("missing", "sent", "late", "signed")  # a rider line: its status, or sent

FIELDS = ("sent_on", "signed_on")
_COLUMNS = {"sent_on": "rider_sent_on", "signed_on": "rider_signed_on"}


def rows(db: Database, scene: dict) -> list[dict]:
    """Each performer's rider: dates sent and signed, and its status against the call."""
    production = productions.get(db, scene["production_id"])
    notice = productions.rider_notice_hours(production)
    day = scenes.get_day(db, scene["shoot_day_id"]) if scene["shoot_day_id"] else None
    out = []
    terms = rider_terms.latest_by_person(db, scene["id"])
    for p in scenes.performers(db, scene["id"]):
        sent_on, signed_on, signed_at = p["rider_sent_on"], p["rider_signed_on"], None
        version = terms.get(p["id"])
        if version is not None:
            signature = version["signature"]
            signed_at = signature["signed_local"] if signature else None
            sent_on, signed_on = version["sent_on"], signed_at[:10] if signed_at else None
        status = scenes.rider_status(signed_at or signed_on, day, notice)
        out.append(
            {
                "person_id": p["id"],
                "name": p["name"],
                "sent_on": sent_on,
                "signed_on": signed_on,
                "status": status,
                # what the line says (SHOWN): a rider sent and awaited is still missing
                "shown": "sent" if status == "missing" and p["rider_sent_on"] else status,
            }
        )
    return out


def record(db: Database, scene: dict, person_id: object, data: dict, by: int) -> dict:
    """Record when a performer's rider was sent and signed. A field left out keeps its date,
    null clears it; a signature cannot come before the rider was sent. Audited (ids only)."""
    if not scenes.needs_rider(scene):
        raise ValueError(_("This scene has no nudity or simulated sex: it needs no nudity rider."))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(
            _(
                "unknown field %(key)s; send %(fields)s",
                key=repr(unknown[0]),
                fields=", ".join(FIELDS),
            )
        )
    if type(person_id) is not int or person_id not in scenes.performer_ids(db, scene["id"]):
        raise LookupError(_("%(key)s is not a performer in this scene", key="person_id"))
    current = next(r for r in rows(db, scene) if r["person_id"] == person_id)
    terms = rider_terms.latest_by_person(db, scene["id"]).get(person_id)
    if terms is not None:
        raise ValueError(
            _(
                "This rider has terms (version %(version)s): it is signed on the rider page,"
                " not dated here.",
                version=terms["version"],
            )
        )
    new = {
        key: rider_terms.check_date(data[key], key) if key in data else current[key]
        for key in FIELDS
    }
    if new["sent_on"] and new["signed_on"] and new["signed_on"] < new["sent_on"]:
        raise ValueError(
            _(
                "%(key)s cannot be before %(other)s (%(date)s)",
                key="signed_on",
                other="sent_on",
                date=new["sent_on"],
            )
        )
    changed = sorted(key for key in FIELDS if new[key] != current[key])
    with transaction(db):
        db.execute(
            """UPDATE scene_performers SET rider_sent_on = ?, rider_signed_on = ?
               WHERE scene_id = ? AND person_id = ?""",
            [new["sent_on"], new["signed_on"], scene["id"], person_id],
        )
        if changed:
            audit.record_for_scene(
                db, "rider.recorded", scene, by, person_id=person_id, fields=changed
            )
    return next(r for r in rows(db, scene) if r["person_id"] == person_id)
