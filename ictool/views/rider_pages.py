"""The rider pages: one performer's rider for one scene (the performer reads, signs and
withdraws from it on their phone; the IC records and amends it), and the IC's rider
matrix. Forms post JSON to the rider API through static/js/clearance.js."""

from flask import Blueprint, abort, render_template

from ictool import beat_codes, blocking, people, rider_matrix, rider_terms, scenes
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed, require
from ictool.views import day_arg

bp = Blueprint("rider_pages", __name__)


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "term_label": rider_terms.label,
        "term_words": rider_terms.words,
        "rider_status_label": lambda code: str(rider_terms.STATUS_LABELS.get(code, code)),
        "beat_lists": blocking.BEAT_LISTS,
        "status_mark": lambda code: rider_terms.STATUS_MARKS.get(code, ""),
    }


@bp.get("/scenes/<int:scene_id>/riders/<int:person_id>")
def rider(scene_id: int, person_id: int):
    """A performer's rider for a scene: the performer's own, or any for the IC."""
    db = get_db()
    scene = scenes.get(db, scene_id)
    if scene is None:
        abort(404)
    me = require(db, current_person(), "scene.view", scene)
    own = me["id"] == person_id and allowed(db, me, "rider_terms.mine", scene)
    if not own and not allowed(db, me, "rider_terms.view", scene):
        abort(403)
    if not scenes.needs_rider(scene) or person_id not in scenes.performer_ids(db, scene_id):
        abort(404)
    data = rider_terms.for_person(db, scene, person_id)
    current = data["current"]
    return render_template(
        "rider.html",
        scene=scenes.public(scene),
        person=people.public(people.get(db, person_id)),
        rider=data,
        own=own,
        can_edit=allowed(db, me, "rider_terms.edit", scene),
        can_sign=own and allowed(db, me, "rider_terms.sign", scene),
        can_sign_for=not own and allowed(db, me, "rider_terms.sign_for", scene),
        status=beat_codes.statuses(db, scene).get(person_id),
        lists=rider_terms.LISTS,
        terms=current,
        late=bool(current and current["signature"] and current["signature"]["late"]),
    )


@bp.get("/riders/matrix")
def matrix():
    """The IC's rider matrix: performers × scenes with nudity or simulated sex."""
    me = require(get_db(), current_person(), "riders.matrix")
    data = rider_matrix.matrix(get_db(), me["production_id"], day_arg())
    return render_template("riders_matrix.html", data=data)
