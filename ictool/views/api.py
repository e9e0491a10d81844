"""The JSON API: every screen's data, blocking, people and join links.

Every route is described in `/api/openapi.json` (ictool/views/openapi.py); a test keeps
the two in step.
"""

import segno
from flask import Blueprint, abort, current_app, jsonify, url_for
from flask_babel import gettext as _

from ictool import (
    blocking,
    people,
    productions,
    realtime,
    scenes,
    screens,
    witness,
)
from ictool.auth import current_person
from ictool.db import get_db
from ictool.i18n import LANGUAGES
from ictool.permissions import allowed, may_link, require
from ictool.views import day_arg, json_body, openapi

bp = Blueprint("api", __name__, url_prefix="/api")


def _signed_in() -> dict:
    person = current_person()
    if person is None:
        abort(401)
    return person


def _scene(scene_id: int, capability: str) -> tuple[dict, dict]:
    found = scenes.get(get_db(), scene_id)
    if found is None:
        abort(404, description=_("No such scene."))
    return require(get_db(), current_person(), capability, found), found


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/me")
def me():
    person = _signed_in()
    return jsonify(
        dict(
            people.public(person),
            production_id=person["production_id"],
            language=person["language"],
        )
    )


@bp.post("/me/language")
def me_language():
    person = _signed_in()
    lang = json_body().get("language")
    if not isinstance(lang, str) or lang not in LANGUAGES:
        abort(
            422,
            description=_(
                "%(key)s must be one of %(codes)s", key="language", codes=", ".join(LANGUAGES)
            ),
        )
    people.set_language(get_db(), person["id"], lang)
    return jsonify(language=lang)


@bp.get("/home")
def home():
    """The data of the signed-in person's home screen; for the IC and the producer, also the
    audit log's latest signed checkpoint (`record`), for their device to keep as a witness."""
    person = _signed_in()
    data = screens.home(get_db(), person, day_arg())
    if allowed(get_db(), person, "record.witness"):
        data["record"] = witness.for_device(current_app, get_db()).value
    return jsonify(data)


@bp.get("/production")
def production():
    person = _signed_in()
    return jsonify(productions.public(productions.get(get_db(), person["production_id"])))


@bp.get("/days")
def days():
    person = require(get_db(), current_person(), "schedule.view")
    return jsonify(scenes.days(get_db(), person["production_id"]))


@bp.get("/scenes")
def scene_list():
    """The scenes this person may see: all of them, or a performer's own."""
    person = _signed_in()
    db = get_db()
    visible = [
        s
        for s in scenes.of_production(db, person["production_id"])
        if allowed(db, person, "scene.view", s)
    ]
    return jsonify([scenes.public(s) for s in visible])


@bp.get("/scenes/<int:scene_id>")
def scene(scene_id: int):
    person, found = _scene(scene_id, "scene.view")
    return jsonify(screens.scene_detail(get_db(), person, found))


@bp.get("/scenes/<int:scene_id>/blocking")
def blocking_history(scene_id: int):
    _scene(scene_id, "blocking.read")
    return jsonify(blocking.history(get_db(), scene_id))


@bp.post("/scenes/<int:scene_id>/blocking")
def blocking_save(scene_id: int):
    """Save new beats as the next version (IC and director)."""
    person, _found = _scene(scene_id, "blocking.edit")
    try:
        saved = blocking.save(get_db(), scene_id, json_body().get("beats"), person["id"])
    except ValueError as exc:
        abort(422, description=str(exc))
    return jsonify(saved), 201


@bp.get("/people")
def people_list():
    person = require(get_db(), current_person(), "people.view")
    return jsonify(
        [people.public(p) for p in people.in_production(get_db(), person["production_id"])]
    )


def _same_production(person_id: int, me: dict) -> dict:
    target = people.get(get_db(), person_id)
    if target is None or target["production_id"] != me["production_id"]:
        abort(404, description=_("No such person."))
    return target


@bp.post("/people/<int:person_id>/link")
def person_link(person_id: int):
    """A fresh join link and its QR code (SVG) for a person (the IC, or their manager)."""
    me = require(get_db(), current_person(), "people.view")
    target = _same_production(person_id, me)
    if not may_link(get_db(), me, target):
        abort(403)
    if target["deactivated_at"]:
        abort(
            409,
            description=_("%(name)s is deactivated: reactivate them first.", name=target["name"]),
        )
    token = people.issue_token(get_db(), person_id, me["id"])
    url = url_for("join.join", token=token, _external=True)
    return jsonify(url=url, qr_svg=segno.make(url, error="m").svg_inline(scale=6)), 201


@bp.post("/people/<int:person_id>/revoke")
def person_revoke(person_id: int):
    """Revoke every join link of a person (a lost phone)."""
    me = require(get_db(), current_person(), "people.view")
    if not may_link(get_db(), me, _same_production(person_id, me)):
        abort(403)
    revoked = people.revoke_tokens(get_db(), person_id, me["id"])
    realtime.disconnect_person(person_id)  # their open sockets stop listening now
    return jsonify(revoked=revoked)
