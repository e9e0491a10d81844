"""The people page's writes: add a person, edit them, deactivate or bring them back, revoke
their links (a lost phone), delete one added by mistake, merge a duplicate. Plain forms
that post and come back; who may manage whom is `permissions.may_manage`."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ictool import people, people_records, realtime
from ictool.auth import current_person
from ictool.db import get_db
from ictool.errors import Invalid
from ictool.i18n import LANGUAGES, ROLE_LABELS
from ictool.permissions import (
    allowed,
    manageable_roles,
    may_link,
    may_manage,
    require,
    require_manage,
)

bp = Blueprint("people_pages", __name__)

FORM_LIMIT = 200  # characters kept of any one form field (the domain then checks its own limits)


def _form() -> dict:
    return {k: request.form.get(k, "")[:FORM_LIMIT] for k in people.FIELDS}


def _choices(me: dict) -> dict:
    return {
        "roles": [(r, str(ROLE_LABELS[r])) for r in manageable_roles(get_db(), me)],
        "languages": list(LANGUAGES.items()),
    }


def render_list(me: dict, error: Invalid | None = None, values: dict | None = None, status=200):
    """The people page: everyone, who is deactivated, and the add form for managers."""
    db = get_db()
    everyone = people.in_production(db, me["production_id"], inactive=True)
    return render_template(
        "people.html",
        people=[p for p in everyone if not p["deactivated_at"]],
        inactive=[p for p in everyone if p["deactivated_at"]],
        can_link=allowed(db, me, "people.links"),
        may_link=lambda p: may_link(db, me, p),
        may_manage=lambda p: may_manage(get_db(), me, p),
        error=error,
        values=values or {},
        **_choices(me),
    ), status


def _target(person_id: int) -> tuple[dict, dict]:
    """The signed-in manager and the person they act on (404 when not on their production)."""
    me = require(get_db(), current_person(), "people.view")
    target = people.get(get_db(), person_id)
    if target is None or target["production_id"] != me["production_id"]:
        abort(404, description=_("No such person."))
    return me, target


def _edit_page(me: dict, target: dict, error: Invalid | None = None, values=None, status=200):
    db = get_db()
    merge_into = [
        (p["id"], p["name"])
        for p in people.in_production(db, me["production_id"], target["role"])
        if p["id"] != target["id"]
    ]
    return render_template(
        "person_edit.html",
        target=target,
        values=values or target,
        error=error,
        can_link=may_link(db, me, target),
        deletable=people_records.deletable(db, target["id"]),
        merge_into=merge_into,
        **_choices(me),
    ), status


@bp.post("/people")
def add():
    me = require(get_db(), current_person(), "people.view")
    values = _form()
    if values["role"] not in manageable_roles(get_db(), me):
        if not manageable_roles(get_db(), me):
            abort(403)
        return render_list(
            me, Invalid("role", people.role_error(manageable_roles(get_db(), me))), values, 422
        )
    try:
        person_id = people.create(get_db(), me["production_id"], values, me["id"])
    except Invalid as error:
        return render_list(me, error, values, 422)
    flash(_("%(name)s was added. Show them their join code.", name=values["name"].strip()), "ok")
    return redirect(url_for("people_pages.edit", person_id=person_id))


@bp.get("/people/<int:person_id>")
def edit(person_id: int):
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    return _edit_page(me, target)


@bp.post("/people/<int:person_id>")
def save(person_id: int):
    me, target = _target(person_id)
    values = _form()
    require_manage(get_db(), me, target, values["role"] or target["role"])
    try:
        people.update(get_db(), person_id, values, me["id"])
    except Invalid as error:
        return _edit_page(me, target, error, values, 422)
    flash(_("Saved."), "ok")
    return redirect(url_for("people_pages.edit", person_id=person_id))


@bp.post("/people/<int:person_id>/revoke")
def revoke(person_id: int):
    """A lost phone: every link of this person stops at once; a new code can be shown."""
    me, target = _target(person_id)
    if not may_link(get_db(), me, target):
        abort(403)
    people.revoke_tokens(get_db(), person_id, me["id"])
    realtime.disconnect_person(person_id)  # their open sockets stop listening now
    flash(_("Every join link of %(name)s was revoked.", name=target["name"]), "ok")
    return redirect(url_for("people_pages.edit", person_id=person_id))


@bp.post("/people/<int:person_id>/deactivate")
def deactivate(person_id: int):
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    people.set_active(get_db(), person_id, False, me["id"])
    realtime.disconnect_person(person_id)
    flash(_("%(name)s was deactivated: their links no longer work.", name=target["name"]), "ok")
    return redirect(url_for("people_pages.edit", person_id=person_id))


@bp.post("/people/<int:person_id>/reactivate")
def reactivate(person_id: int):
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    people.set_active(get_db(), person_id, True, me["id"])
    flash(_("%(name)s is active again.", name=target["name"]), "ok")
    return redirect(url_for("people_pages.edit", person_id=person_id))


@bp.post("/people/<int:person_id>/delete")
def delete(person_id: int):
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    try:
        people_records.delete(get_db(), person_id, me["id"])
    except ValueError as refused:
        flash(str(refused), "error")
        return redirect(url_for("people_pages.edit", person_id=person_id))
    flash(_("%(name)s was deleted.", name=target["name"]), "ok")
    return redirect(url_for("pages.people_list"))


@bp.post("/people/<int:person_id>/merge")
def merge(person_id: int):
    """Merge this person (a duplicate) into the one chosen."""
    me, target = _target(person_id)
    require_manage(get_db(), me, target)
    into_id = request.form.get("into", "")
    into = people.get(get_db(), int(into_id)) if into_id.isdigit() and len(into_id) < 19 else None
    if into is None or into["production_id"] != me["production_id"]:
        flash(_("Choose the person to merge into."), "error")
        return redirect(url_for("people_pages.edit", person_id=person_id))
    require_manage(get_db(), me, into)
    if request.form.get("confirm") != "1":
        flash(_("Tick the box to confirm the merge."), "error")
        return redirect(url_for("people_pages.edit", person_id=person_id))
    try:
        people_records.merge(get_db(), person_id, into["id"], me["id"])
    except ValueError as refused:
        flash(str(refused), "error")
        return redirect(url_for("people_pages.edit", person_id=person_id))
    realtime.disconnect_person(person_id)
    flash(_("%(dup)s was merged into %(name)s.", dup=target["name"], name=into["name"]), "ok")
    return redirect(url_for("people_pages.edit", person_id=into["id"]))
