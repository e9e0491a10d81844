"""People over HTTP (JSON): add, read, edit, deactivate, reactivate, delete, merge. Each
route asks `permissions.may_manage` (the producer manages everyone, the IC performers and
crew, the ADs crew); every change is audited by the domain modules."""

from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _

from ictool import people, people_records, realtime
from ictool.auth import current_person
from ictool.db import get_db
from ictool.errors import Invalid
from ictool.permissions import manageable_roles, may_manage, require, require_manage
from ictool.views import MAX_ID, json_body

bp = Blueprint("people_api", __name__, url_prefix="/api")


def _invalid(error: Invalid):
    return jsonify(error=str(error), field=error.field, status=422), 422


def _target(person_id: int) -> tuple[dict, dict]:
    me = require(get_db(), current_person(), "people.view")
    target = people.get(get_db(), person_id)
    if target is None or target["production_id"] != me["production_id"]:
        abort(404, description=_("No such person."))
    return me, target


def _role_of(body: dict, default: str | None) -> str | None:
    role = body.get("role", default)
    return role if isinstance(role, str) else None


@bp.post("/people")
def add():
    """Add a person to the signed-in manager's production."""
    me = require(get_db(), current_person(), "people.view")
    roles = manageable_roles(get_db(), me)
    if not roles:
        abort(403)
    body = json_body()
    if _role_of(body, None) not in roles:
        return _invalid(Invalid("role", people.role_error(roles)))
    try:
        person_id = people.create(get_db(), me["production_id"], body, me["id"])
    except Invalid as error:
        return _invalid(error)
    return jsonify(people.managed(people.get(get_db(), person_id))), 201


@bp.get("/people/<int:person_id>")
def read(person_id: int):
    """One person: as their manager sees them, else as anyone on the production does."""
    me, target = _target(person_id)
    shown = people.managed(target) if may_manage(get_db(), me, target) else people.public(target)
    return jsonify(shown)


@bp.patch("/people/<int:person_id>")
def edit(person_id: int):
    """Change some of name, role, department, character_name, language."""
    me, target = _target(person_id)
    body = json_body()
    role = _role_of(body, target["role"])
    if role is None:
        return _invalid(Invalid("role", people.role_error(manageable_roles(get_db(), me))))
    require_manage(get_db(), me, target, role)
    try:
        changed = people.update(get_db(), person_id, body, me["id"])
    except Invalid as error:
        return _invalid(error)
    return jsonify(people.managed(changed))


@bp.delete("/people/<int:person_id>")
def delete(person_id: int):
    """Delete a person added by mistake (never signed in, no records); else 409."""
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    try:
        people_records.delete(get_db(), person_id, me["id"])
    except ValueError as refused:
        abort(409, description=str(refused))
    return jsonify(deleted=person_id)


@bp.post("/people/<int:person_id>/deactivate")
def deactivate(person_id: int):
    """Their links stop at once; their records stay."""
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    changed = people.set_active(get_db(), person_id, False, me["id"])
    realtime.disconnect_person(person_id)  # their open sockets stop listening now
    return jsonify(people.managed(changed))


@bp.post("/people/<int:person_id>/reactivate")
def reactivate(person_id: int):
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    return jsonify(people.managed(people.set_active(get_db(), person_id, True, me["id"])))


@bp.post("/people/<int:person_id>/merge")
def merge(person_id: int):
    """Merge this person (a duplicate) into `into`: everything recorded moves; 409 when the
    two disagree (e.g. different consent in one scene), with nothing changed."""
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    into_id = json_body().get("into")
    if type(into_id) is not int or not 0 < into_id <= MAX_ID:
        return _invalid(Invalid("into", _("%(key)s must be a person id", key="into")))
    into = people.get(get_db(), into_id)
    if into is None or into["production_id"] != me["production_id"]:
        abort(404, description=_("No such person."))
    require_manage(get_db(), me, into)
    try:
        moved = people_records.merge(get_db(), person_id, into_id, me["id"])
    except ValueError as refused:
        abort(409, description=str(refused))
    realtime.disconnect_person(person_id)
    return jsonify(merged=person_id, into=into_id, moved=moved)
