"""The roster and rider API: a closed set's roster edited where it is used (IC, 1st AD), the
production's essential crew (producer, IC), and the dates each performer's nudity rider was
sent and signed (IC). Each write is committed and audited by its domain module first; then
the scene's new clearance is announced live, and a person put on or taken off a roster is
told on their own devices.
"""

from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _

from ictool import announce, closedset, riders, roster
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import require
from ictool.views.scenes_api import _body, _closed, _refusals, _scene

bp = Blueprint("roster_api", __name__, url_prefix="/api")


def _person(scene: dict, person_id: object) -> dict:
    with _refusals():
        return closedset.person_of(get_db(), scene, person_id)


@bp.get("/scenes/<int:scene_id>/roster")
def roster_list(scene_id: int):
    """Who is on the closed set's roster, and why (performers always are)."""
    _me, found = _scene(scene_id, "roster.view")
    return jsonify(scene_id=scene_id, roster=roster.listing(get_db(), found))


@bp.post("/scenes/<int:scene_id>/roster")
def roster_add(scene_id: int):
    """Put someone on the roster with a purpose ({"person_id", "purpose"?}); again with
    another purpose changes it."""
    me, found = _scene(scene_id, "roster.edit")
    _closed(found)
    data = _body()
    target = _person(found, data.get("person_id"))
    with _refusals():
        entry, created = roster.add(get_db(), found, target, data.get("purpose"), me["id"])
    announce.roster(get_db(), found, [target])
    return jsonify(entry), 201 if created else 200


@bp.delete("/scenes/<int:scene_id>/roster/<int:person_id>")
def roster_remove(scene_id: int, person_id: int):
    """Take someone off the roster (a performer of the scene always stays on it)."""
    me, found = _scene(scene_id, "roster.edit")
    target = _person(found, person_id)
    with _refusals():
        roster.remove(get_db(), found, target, me["id"])
    announce.roster(get_db(), found, [target])
    return jsonify(removed=person_id)


@bp.post("/scenes/<int:scene_id>/roster/essential")
def roster_essential(scene_id: int):
    """Put the production's essential crew on the roster in one step."""
    me, found = _scene(scene_id, "roster.edit")
    _closed(found)
    added = roster.add_essentials(get_db(), found, me["id"])
    if added:
        announce.roster(get_db(), found, added)
    return jsonify(added=added, roster=roster.listing(get_db(), found))


@bp.post("/scenes/<int:scene_id>/riders/<int:person_id>")
def rider_record(scene_id: int, person_id: int):
    """Record when a performer's rider was sent and signed ({"sent_on"?, "signed_on"?}:
    YYYY-MM-DD, null to clear, left out to keep)."""
    me, found = _scene(scene_id, "riders.edit")
    with _refusals():
        row = riders.record(get_db(), found, person_id, _body(), me["id"])
    return jsonify(row)


def _production_person(capability: str) -> dict:
    return require(get_db(), current_person(), capability)


@bp.get("/production/essential-roles")
def essentials_get():
    """The roles and departments this production names as a closed set's essential crew."""
    me = _production_person("roster.essentials")
    return jsonify(roles=roster.essentials(get_db(), me["production_id"]), choices=_choices(me))


@bp.post("/production/essential-roles")
def essentials_set():
    """Name the essential crew ({"roles": ["director", "camera", ...]}; producer, IC)."""
    me = _production_person("roster.essentials")
    data = _body()
    if "roles" not in data:
        abort(422, description=_("%(key)s is required", key="roles"))
    with _refusals():
        chosen = roster.set_essentials(get_db(), me["production_id"], data["roles"], me["id"])
    return jsonify(roles=chosen, choices=_choices(me))


def _choices(me: dict) -> list[str]:
    return roster.choices(get_db(), me["production_id"])
