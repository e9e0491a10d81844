"""The scene clearance API: consent, the closed set, garments, takes, closure, and the one
answer to "is this scene cleared?". Each write is committed (and audited) by a domain
module first; then the new clearance is published live to everyone who follows it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _

from ictool import (
    alerts,
    announce,
    clearance,
    closedset,
    consent,
    people,
    scene_panel,
    scenes,
    takes,
)
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed, require

bp = Blueprint("scenes_api", __name__, url_prefix="/api/scenes")


def _scene(scene_id: int, capability: str) -> tuple[dict, dict]:
    """The scene and the signed-in person, who must hold `capability` for it."""
    found = scenes.get(get_db(), scene_id)
    if found is None:
        abort(404, description=_("No such scene."))
    return require(get_db(), current_person(), capability, found), found


def _body() -> dict:
    """The JSON object sent, or {} when nothing was sent; 400 for anything else."""
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        return {}
    if not isinstance(data, dict):
        abort(400, description=_("Send a JSON object with Content-Type: application/json."))
    return data


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn a domain refusal into words and a status a phone can act on."""
    try:
        yield
    except consent.StaleVersion as exc:
        abort(409, description=str(exc))
    except ValueError as exc:
        abort(422, description=str(exc))
    except LookupError as exc:
        abort(404, description=str(exc))
    except alerts.AlertError as exc:
        abort(exc.status, description=exc.message)


def _needs(ok: bool, message: str) -> None:
    if not ok:
        abort(422, description=message)


def _intimate(scene: dict) -> None:
    _needs(scenes.is_intimate(scene), _("This scene has no intimate content: nothing to do here."))


def _closed(scene: dict) -> None:
    _needs(bool(scene["closed_set"]), _("This scene is not a closed set: there is no check-in."))


@bp.get("/<int:scene_id>/clearance")
def get_clearance(scene_id: int):
    """Cleared, or not and why (a performer sees colleagues' private reasons unnamed)."""
    person, _found = _scene(scene_id, "clearance.view")
    return jsonify(clearance.clearance(get_db(), scene_id, person))


@bp.get("/<int:scene_id>/blocking/diff")
def blocking_diff(scene_id: int):
    """What changed between two blocking versions (default: the last change)."""
    _scene(scene_id, "blocking.read")
    with _refusals():
        return jsonify(scene_panel.compare(get_db(), scene_id, *_versions()))


def _versions() -> tuple[int | None, int | None]:
    out = []
    for name in ("from", "to"):
        value = request.args.get(name)
        if value is not None and (not value.isdigit() or len(value) > 9):
            abort(422, description=_("%(key)s must be a blocking version number", key=name))
        out.append(int(value) if value is not None else None)
    return out[0], out[1]


@bp.get("/<int:scene_id>/consent")
def consent_state(scene_id: int):
    """Your consent with what changed since you last agreed; everyone's for the IC/ADs."""
    db = get_db()
    person, found = _scene(scene_id, "scene.view")
    out: dict = {"scene_id": scene_id}
    if allowed(db, person, "consent.give", found):
        out["mine"] = consent.state_for(db, scene_id, person["id"])
    if allowed(db, person, "consent.view", found):
        out["performers"] = consent.states(db, scene_id)
    if len(out) == 1:
        abort(403)
    return jsonify(out)


@bp.post("/<int:scene_id>/consent")
def consent_confirm(scene_id: int):
    """A performer agrees to the current blocking version ({"version": n})."""
    person, found = _scene(scene_id, "consent.give")
    _intimate(found)
    with _refusals():
        state = consent.confirm(get_db(), found, person, _body().get("version"))
    return jsonify(state)


@bp.post("/<int:scene_id>/consent/withdraw")
def consent_withdraw(scene_id: int):
    """A performer withdraws consent in one tap; the IC and 1st AD are alerted at once."""
    person, found = _scene(scene_id, "consent.give")
    client_id = _body().get("client_id")
    with _refusals():
        alert, created = consent.withdraw(get_db(), found, person, client_id)
    if created:
        announce.alert(alert["id"])
    state = consent.state_for(get_db(), scene_id, person["id"])
    return jsonify(dict(state, alert_id=alert["id"])), 201 if created else 200


@bp.get("/<int:scene_id>/closed-set")
def closed_set(scene_id: int):
    """Check-ins and headcount, monitors, garments, the set-closed mark, takes, closure."""
    person, found = _scene(scene_id, "closedset.view")
    return jsonify(scene_panel.closed_set_state(get_db(), found, person))


def _target(data: dict, me: dict, found: dict) -> dict:
    """Whom a check-in is for: yourself, or (2nd AD, IC) someone else."""
    person_id = data.get("person_id", me["id"])
    if person_id != me["id"]:
        require(get_db(), me, "checkin.others", found)
    with _refusals():
        return closedset.person_of(get_db(), found, person_id)


@bp.post("/<int:scene_id>/checkins")
def check_in(scene_id: int):
    """Check in to the scene: yourself, or someone else from the tablet (2nd AD, IC)."""
    me, found = _scene(scene_id, "checkin.self")
    _closed(found)
    data = _body()
    ack = data.get("no_photo_ack", False)
    _needs(isinstance(ack, bool), _("%(key)s must be true or false", key="no_photo_ack"))
    target = _target(data, me, found)
    db = get_db()
    row, created = closedset.check_in(db, found, target["id"], me["id"], photo_ack=ack)
    if created and not row["on_roster"]:
        announce.off_roster(db, found, target)
    state = scene_panel.closed_set_state(db, found, me)
    on_roster = closedset.belongs(db, found, target["id"])
    body = {"person_id": target["id"], "on_roster": on_roster}
    body |= {"headcount": state["headcount"], "created": created}
    if not on_roster:
        body["message"] = scene_panel.off_roster_message(found, target, me)
    return jsonify(body), 201 if created else 200


@bp.post("/<int:scene_id>/checkouts")
def check_out(scene_id: int):
    """Check out of the scene (yourself, or someone else: 2nd AD, IC)."""
    me, found = _scene(scene_id, "checkin.self")
    _closed(found)
    target = _target(_body(), me, found)
    done = closedset.check_out(get_db(), found, target["id"], me["id"])
    return jsonify(person_id=target["id"], checked_out=done)


@bp.post("/<int:scene_id>/no-photo-ack")
def no_photo_ack(scene_id: int):
    """Acknowledge: no photos, video or phones out on this closed set."""
    me, found = _scene(scene_id, "checkin.self")
    _closed(found)
    created = closedset.acknowledge_no_photos(get_db(), found, me["id"])
    return jsonify(person_id=me["id"], acknowledged=True), 201 if created else 200


@bp.post("/<int:scene_id>/set-closed")
def set_closed(scene_id: int):
    """The 1st AD confirms, explicitly and with the time, that the set is closed. While
    someone off the roster is checked in, 409 names them; confirming again with
    {"off_roster_ok": [their ids]} closes it anyway (they still stop the scene)."""
    me, found = _scene(scene_id, "set.close")
    _closed(found)
    try:
        with _refusals():
            row, created = closedset.close_set(
                get_db(), found, me["id"], _body().get("off_roster_ok")
            )
    except closedset.OffRosterPresent as exc:  # asked again, naming them
        names = [people.public(p) for p in exc.people]
        return jsonify(error=str(exc), status=409, off_roster=names), 409
    return jsonify(closed_at=row["closed_at"], closed_by=row["closed_by"]), 201 if created else 200


@bp.post("/<int:scene_id>/set-open")
def set_open(scene_id: int):
    """The 1st AD opens the set again (the scene is no longer cleared)."""
    me, found = _scene(scene_id, "set.close")
    _closed(found)
    reopened = closedset.reopen_set(get_db(), found, me["id"])
    return jsonify(reopened=reopened)


@bp.post("/<int:scene_id>/monitors")
def monitor_add(scene_id: int):
    """Add a monitor to the scene's list ({"label"})."""
    me, found = _scene(scene_id, "monitors.edit")
    _closed(found)
    with _refusals():
        row = closedset.add_monitor(get_db(), found, _body().get("label"), me["id"])
    return jsonify(row), 201


@bp.delete("/<int:scene_id>/monitors/<int:monitor_id>")
def monitor_remove(scene_id: int, monitor_id: int):
    me, found = _scene(scene_id, "monitors.edit")
    with _refusals():
        closedset.remove_monitor(get_db(), found, monitor_id, me["id"])
    return jsonify(removed=monitor_id)


@bp.post("/<int:scene_id>/garments")
def garment_add(scene_id: int):
    """Add a garment or barrier item ({"item", "person_id"?}) to the checklist."""
    me, found = _scene(scene_id, "garments.edit")
    _intimate(found)
    data = _body()
    with _refusals():
        row = closedset.add_garment(
            get_db(), found, data.get("item"), data.get("person_id"), me["id"]
        )
    return jsonify(row), 201


@bp.post("/<int:scene_id>/garments/<int:garment_id>/confirm")
def garment_confirm(scene_id: int, garment_id: int):
    """Confirm an item, as costume or as the IC (both are needed)."""
    me, found = _scene(scene_id, "garments.confirm")
    with _refusals():
        row = closedset.confirm_garment(get_db(), found, garment_id, me)
    return jsonify(row)


@bp.delete("/<int:scene_id>/garments/<int:garment_id>")
def garment_remove(scene_id: int, garment_id: int):
    me, found = _scene(scene_id, "garments.edit")
    with _refusals():
        closedset.remove_garment(get_db(), found, garment_id, me["id"])
    return jsonify(removed=garment_id)


@bp.post("/<int:scene_id>/takes")
def take_call(scene_id: int):
    """Move on to the next take (1st AD, IC): every performer says "good to go" again."""
    me, found = _scene(scene_id, "take.call")
    _intimate(found)
    number = takes.call_next_take(get_db(), found, me["id"])
    return jsonify(take=number), 201


@bp.post("/<int:scene_id>/good-to-go")
def good_to_go(scene_id: int):
    """A performer's "good to go" (or "not yet") for the current take ({"take", "ok"})."""
    me, found = _scene(scene_id, "goodtogo.give")
    _intimate(found)
    data = _body()
    with _refusals():
        answer = takes.good_to_go(get_db(), found, me, data.get("take"), data.get("ok", True))
    return jsonify(answer)


@bp.post("/<int:scene_id>/wrap")
def wrap(scene_id: int):
    """Wrap the scene (1st AD, IC): the performers and the IC are prompted for closure."""
    me, found = _scene(scene_id, "scene.wrap")
    row, created = takes.wrap(get_db(), found, me["id"])
    if created:
        announce.closure(get_db(), found)
    return jsonify(row), 201 if created else 200


@bp.post("/<int:scene_id>/closure")
def closure(scene_id: int):
    """Closure after the scene ({"status": "ok" | "talk"}) from a performer or the IC."""
    me, found = _scene(scene_id, "closure.answer")
    with _refusals():
        answer = takes.answer_closure(get_db(), found, me, _body().get("status"))
    announce.closure(get_db(), found, dict(answer, name=me["name"]))
    return jsonify(answer)
