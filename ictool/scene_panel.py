"""What one person sees of, and may do about, one scene's clearance: the data behind the
clearance panel on the IC's, AD's, performer's and scene screens, the check-in page, and
`GET /api/scenes/<id>/closed-set`. It decides nothing: it asks the domain modules.
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    beat_codes,
    blocking,
    clearance,
    closedset,
    consent,
    people,
    rider_terms,
    roster,
    scenes,
    takes,
)
from ictool.permissions import allowed

ACTIONS = {
    "consent": "consent.give",
    "checkin_others": "checkin.others",
    "checkin_self": "checkin.self",
    "close_set": "set.close",
    "monitors": "monitors.edit",
    "garments_edit": "garments.edit",
    "garments_confirm": "garments.confirm",
    "call_take": "take.call",
    "good_to_go": "goodtogo.give",
    "wrap": "scene.wrap",
    "closure": "closure.answer",
    "edit_blocking": "blocking.edit",
}


def compare(db: Database, scene_id: int, old: int | None, new: int | None) -> dict:
    """The readable diff between two blocking versions (default: the latest change)."""
    current = blocking.current(db, scene_id)
    if current is None:
        raise ValueError(_("No blocking has been written for this scene yet."))
    new = current["version"] if new is None else new
    old = new - 1 if old is None else old
    after = blocking.version(db, scene_id, new)
    before = blocking.version(db, scene_id, old) if old else None
    for number, found in ((new, after), (old, before if old else True)):
        if not found:
            raise ValueError(_("There is no blocking version %(n)s.", n=number))
    return {
        "scene_id": scene_id,
        "from": old,
        "to": new,
        "changes": blocking.diff(before["beats"] if before else [], after["beats"]),
    }


def closed_set_state(db: Database, scene: dict, viewer: dict) -> dict:
    """The closed set and take state of a scene, as `viewer` (the IC, an AD, a performer)
    may see it: a closure answer is the IC's and its author's to read; others see only
    that it was given ("answered")."""
    here = closedset.present(db, scene["id"])
    take = takes.current_take(db, scene["id"])
    said = takes.answers(db, scene["id"], take)
    closure = takes.closures(db, scene["id"])
    performers = scenes.performers(db, scene["id"])
    everyone = allowed(db, viewer, "closure.read", scene)
    readable = set(closure) if everyone else {viewer["id"]}
    return {
        "scene_id": scene["id"],
        "closed_set": bool(scene["closed_set"]),
        "set_closed": closedset.set_closed(db, scene["id"]),
        "present": here,
        "headcount": len(here),
        "off_roster": [p for p in here if not p["on_roster"]],
        "monitors": closedset.monitors(db, scene["id"]),
        "garments": closedset.garments(db, scene["id"]),
        "take": take,
        "good_to_go": [
            {"person_id": p["id"], "name": p["name"], "ok": said.get(p["id"])} for p in performers
        ],
        "wrapped": takes.wrapped(db, scene["id"]),
        "closure": [
            {"person_id": pid, "status": row["status"] if pid in readable else "answered"}
            | {"at": row["at"]}
            for pid, row in closure.items()
        ],
    }


def panel(db: Database, person: dict, scene: dict) -> dict:
    """Everything the clearance panel shows this person for this scene, and what they may do."""
    intimate, closed = scenes.is_intimate(scene), bool(scene["closed_set"])
    out = {
        "scene_id": scene["id"],
        "applies": intimate or closed,
        "intimate": intimate,
        "closed": closed,
        "garments_needed": scene["intimacy"] in clearance.GARMENT_CONTENT,
    }
    if not out["applies"]:
        return out
    can = {name: allowed(db, person, cap, scene) for name, cap in ACTIONS.items()}
    out["can"] = can
    if allowed(db, person, "clearance.view", scene):
        out["clearance"] = clearance.clearance(db, scene["id"], person)
    if intimate and can["consent"]:
        out["mine"] = consent.state_for(db, scene["id"], person["id"])
    if intimate and allowed(db, person, "consent.view", scene):
        out["consents"] = consent.states(db, scene["id"])
    state = closed_set_state(db, scene, person)
    if allowed(db, person, "closedset.view", scene) or can["garments_edit"]:
        out["state"] = state
    out["me_present"] = any(p["id"] == person["id"] for p in state["present"])
    out["me_on_roster"] = closedset.belongs(db, scene, person["id"])
    if closed and not out["me_on_roster"]:
        out["off_roster_message"] = off_roster_message(scene, person, person)
    out["me_acked"] = closedset.has_acknowledged(db, scene["id"], person["id"])
    out["take"] = state["take"]
    out["my_go"] = next(
        (g["ok"] for g in state["good_to_go"] if g["person_id"] == person["id"]), None
    )
    out["wrapped"] = state["wrapped"]
    out["my_closure"] = next(
        (c["status"] for c in state["closure"] if c["person_id"] == person["id"]), None
    )
    if can["checkin_others"] and closed:
        present = {p["id"] for p in state["present"]}
        out["candidates"] = [
            dict(people.public(p), on_roster=closedset.belongs(db, scene, p["id"]))
            for p in people.in_production(db, scene["production_id"])
            if p["id"] not in present
        ]
    return out


def off_roster_message(scene: dict, person: dict, reader: dict) -> str:
    """What a person checking in off the roster is told (or the one checking them in)."""
    if person["id"] == reader["id"]:
        return _(
            "You are not on the closed-set roster for scene %(n)s — speak to the 1st AD.",
            n=scene["number"],
        )
    return _(
        "%(name)s is not on the closed-set roster for scene %(n)s.",
        name=person["name"],
        n=scene["number"],
    )


def roster_panel(db: Database, person: dict, scene: dict) -> dict:
    """What this person may change in a scene's roster and riders sections, and the
    choices the forms offer."""
    out = {
        "can_edit": bool(scene["closed_set"]) and allowed(db, person, "roster.edit", scene),
        "can_essentials": bool(scene["closed_set"])
        and allowed(db, person, "roster.essentials", scene),
        "can_riders": scenes.needs_rider(scene) and allowed(db, person, "riders.edit", scene),
        "can_terms": scenes.needs_rider(scene) and allowed(db, person, "rider_terms.view", scene),
        "own_terms": scenes.needs_rider(scene) and allowed(db, person, "rider_terms.mine", scene),
    }
    if out["can_terms"]:
        out["terms_people"] = set(rider_terms.latest_by_person(db, scene["id"]))
        out["statuses"] = beat_codes.statuses(db, scene)
    if out["can_edit"]:
        out["candidates"] = roster.candidates(db, scene)
        out["essential_missing"] = roster.essential_missing(db, scene)
    if out["can_edit"] or out["can_essentials"]:
        named = roster.essentials(db, scene["production_id"])
        out["essentials"] = named
        out["choices"] = [
            {"code": c, "checked": c in named} for c in roster.choices(db, scene["production_id"])
        ]
    return out
