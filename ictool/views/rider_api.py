"""The rider terms API: the IC records and amends each performer's terms; the performer
reads, signs and withdraws from their own; the director asks whether each beat is within
every rider; the ADs and the producer read each rider's status; the IC's matrix as JSON,
CSV and PDF. Each write is committed (and audited) by `rider_terms` first, then the
scene's clearance is announced live; a withdrawal rings the alert channel as a consent
withdrawal does.
"""

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext as _

from ictool import announce, beat_codes, blocking, rider_matrix, rider_terms, scenes
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed, require
from ictool.views import day_arg
from ictool.views.scenes_api import _body, _refusals, _scene

bp = Blueprint("rider_api", __name__, url_prefix="/api")


def _reader(scene: dict, person_id: int) -> dict:
    """The signed-in IC, or the performer whose rider it is (anyone else: 403)."""
    me = current_person()
    if me is None:
        abort(401)
    db = get_db()
    if allowed(db, me, "rider_terms.view", scene):
        return me
    if me["id"] == person_id and allowed(db, me, "rider_terms.mine", scene):
        return me
    abort(403)


def _status_rows(scene: dict) -> list[dict]:
    words = beat_codes.statuses(get_db(), scene)
    return [
        {"person_id": p["id"], "name": p["name"], "status": words[p["id"]]}
        for p in scenes.performers(get_db(), scene["id"])
        if p["id"] in words
    ]


@bp.get("/scenes/<int:scene_id>/rider-terms")
def terms_list(scene_id: int):
    """Every performer's rider in this scene with its terms and status (the IC)."""
    _me, found = _scene(scene_id, "rider_terms.view")
    db = get_db()
    rows = [
        dict(r, rider=rider_terms.for_person(db, found, r["person_id"]))
        for r in _status_rows(found)
    ]
    return jsonify(scene_id=scene_id, performers=rows)


@bp.get("/scenes/<int:scene_id>/rider-terms/<int:person_id>")
def terms_one(scene_id: int, person_id: int):
    """One performer's rider: current terms, what changed, history (the IC, or theirs)."""
    _me, found = _scene(scene_id, "scene.view")
    _reader(found, person_id)
    with _refusals():
        rider_terms.performer_of(get_db(), found, person_id)
    return jsonify(rider_terms.for_person(get_db(), found, person_id))


@bp.post("/scenes/<int:scene_id>/rider-terms/<int:person_id>")
def terms_record(scene_id: int, person_id: int):
    """Record or amend a performer's terms (the IC): a change is the next version, sent to
    the performer to sign; the same terms again change nothing (200)."""
    me, found = _scene(scene_id, "rider_terms.edit")
    with _refusals():
        rider, added = rider_terms.record(get_db(), found, person_id, _body(), me["id"])
    return jsonify(rider), 201 if added else 200


@bp.post("/scenes/<int:scene_id>/rider-terms/<int:person_id>/sign")
def terms_sign(scene_id: int, person_id: int):
    """Sign the current version ({"version": n}): the performer on their phone, or the IC
    recording a signature on paper for a performer without one."""
    me, found = _scene(scene_id, "scene.view")
    db = get_db()
    own = me["id"] == person_id and allowed(db, me, "rider_terms.sign", found)
    if not own and not allowed(db, me, "rider_terms.sign_for", found):
        abort(403)
    device = request.user_agent.string if own else "paper"
    with _refusals():
        try:
            rider, added = rider_terms.sign(
                db, found, person_id, _body().get("version"), me, device
            )
        except rider_terms.StaleRider as exc:
            abort(409, description=str(exc))
    return jsonify(rider), 201 if added else 200


@bp.post("/scenes/<int:scene_id>/rider-terms/<int:person_id>/withdraw")
def terms_withdraw(scene_id: int, person_id: int):
    """A performer withdraws consent to one term of their own signed rider, in one tap
    ({"term": "nudity:breasts", "client_id"?}); the IC and the 1st AD are alerted at once."""
    me, found = _scene(scene_id, "rider_terms.sign")
    if me["id"] != person_id:
        abort(403)
    data = _body()
    with _refusals():
        alert, created = rider_terms.withdraw(
            get_db(), found, me, data.get("term"), data.get("client_id")
        )
    if created:
        announce.alert(alert["id"])
    rider = rider_terms.for_person(get_db(), found, person_id)
    return jsonify(dict(rider, alert_id=alert["id"])), 201 if created else 200


@bp.get("/scenes/<int:scene_id>/rider-check")
def rider_check(scene_id: int):
    """Per beat of the current blocking: within every performer's signed rider, yes or no
    (the director and the IC; the IC also reads who and which terms)."""
    me, found = _scene(scene_id, "rider_beats.view")
    db = get_db()
    out = {"scene_id": scene_id, "beats": beat_codes.beat_check(db, found)}
    if allowed(db, me, "rider_terms.view", found):
        out["over"] = beat_codes.beats_over(db, found)
    return jsonify(out)


@bp.get("/scenes/<int:scene_id>/rider-status")
def rider_status(scene_id: int):
    """Each performer's rider status in one word, never the terms (IC, ADs, director,
    producer)."""
    _me, found = _scene(scene_id, "riders.status")
    return jsonify(scene_id=scene_id, performers=_status_rows(found))


@bp.post("/scenes/<int:scene_id>/blocking/codes")
def blocking_codes(scene_id: int):
    """Say what each beat of the current blocking asks ({"version", "codes": [{"performers",
    "nudity", "acts", "contact"}, ...]}): saved as the next blocking version."""
    me, _found = _scene(scene_id, "blocking.edit")
    data = _body()
    with _refusals():
        saved = blocking.save_codes(
            get_db(), scene_id, data.get("version"), data.get("codes"), me["id"]
        )
    return jsonify(saved), 201


def matrix_data() -> tuple[dict, dict]:
    """The signed-in IC and their production's rider matrix (`?day=` puts that day first)."""
    me = require(get_db(), current_person(), "riders.matrix")
    return me, rider_matrix.matrix(get_db(), me["production_id"], day_arg())


@bp.get("/riders/matrix")
def matrix_json():
    """The rider matrix: performers × scenes with nudity or simulated sex (the IC only)."""
    return jsonify(matrix_data()[1])


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/riders/matrix.csv")
def matrix_csv():
    """The rider matrix as CSV, statuses as codes (the IC only)."""
    return _download(rider_matrix.to_csv(matrix_data()[1]), "text/csv", "rider-matrix.csv")


@bp.get("/riders/matrix.pdf")
def matrix_pdf():
    """The rider matrix as PDF, statuses in the IC's words (the IC only)."""
    labels = {k: str(v) for k, v in rider_terms.STATUS_LABELS.items()}
    body = rider_matrix.to_pdf(matrix_data()[1], _("Rider matrix"), labels)
    return _download(body, "application/pdf", "rider-matrix.pdf")
