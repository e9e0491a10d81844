"""Editing the schedule over HTTP (JSON): days and scenes added, edited, moved, reordered and
deleted, and the whole schedule read in order. The producer and the ADs hold
`schedule.edit`; the IC holds `scene.intimacy` (a scene's intimacy level and closed set)."""

from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _

from ictool import scenes, schedule
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed, require
from ictool.views import json_body

bp = Blueprint("schedule_api", __name__, url_prefix="/api")

INTIMACY_FIELDS = {"intimacy", "closed_set"}


def refused(exc: schedule.ScheduleError):
    abort(409 if isinstance(exc, schedule.Conflict) else 422, description=str(exc))


def _me(capability: str) -> dict:
    return require(get_db(), current_person(), capability)


def _day(person: dict, day_id: int) -> dict:
    day = scenes.get_day(get_db(), day_id)
    if day is None or day["production_id"] != person["production_id"]:
        abort(404, description=_("No such shoot day."))
    return day


def _scene(person: dict, scene_id: int) -> dict:
    found = scenes.get(get_db(), scene_id)
    if found is None or found["production_id"] != person["production_id"]:
        abort(404, description=_("No such scene."))
    return found


def _only(body: dict, fields: tuple[str, ...] | set[str]) -> dict:
    unknown = sorted(set(body) - set(fields))
    if unknown:
        abort(
            422,
            description=_(
                "%(key)s is not a field here; send only %(codes)s",
                key=unknown[0],
                codes=", ".join(sorted(fields)),
            ),
        )
    return body


def _day_json(day_id: int) -> dict:
    return scenes.get_day(get_db(), day_id)


def _scene_json(scene_id: int) -> dict:
    db = get_db()
    return schedule.scene_view(db, scenes.get(db, scene_id))


@bp.get("/schedule")
def overview():
    """Every shoot day with its scenes in order, and the unscheduled scenes."""
    person = _me("schedule.view")
    return jsonify(schedule.overview(get_db(), person["production_id"]))


@bp.post("/days")
def day_add():
    """Add a shoot day (producer, ADs)."""
    person = _me("schedule.edit")
    body = _only(json_body(), schedule.DAY_FIELDS)
    try:
        day_id = schedule.add_day(
            get_db(),
            person["production_id"],
            body.get("date"),
            body.get("location"),
            body.get("call_time"),
            person["id"],
        )
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(_day_json(day_id)), 201


@bp.patch("/days/<int:day_id>")
def day_edit(day_id: int):
    """Change a day's date, location or call time (producer, ADs)."""
    person = _me("schedule.edit")
    day = _day(person, day_id)
    body = _only(json_body(), schedule.DAY_FIELDS)
    try:
        schedule.edit_day(get_db(), day, body, person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(_day_json(day_id))


@bp.delete("/days/<int:day_id>")
def day_delete(day_id: int):
    """Delete a day that has no scenes left (409 naming them otherwise)."""
    person = _me("schedule.edit")
    try:
        schedule.delete_day(get_db(), _day(person, day_id), person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(deleted=day_id)


@bp.post("/days/<int:day_id>/order")
def day_order(day_id: int):
    """Set the order of a day's scenes: `scene_ids`, every scene of the day once."""
    person = _me("schedule.edit")
    _day(person, day_id)
    body = _only(json_body(), {"scene_ids"})
    try:
        schedule.reorder_day(
            get_db(), person["production_id"], day_id, body.get("scene_ids"), person["id"]
        )
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify([_scene_json(s["id"]) for s in scenes.of_day(get_db(), day_id)])


@bp.post("/scenes")
def scene_add():
    """Add a scene to a day or unscheduled (producer, ADs)."""
    person = _me("schedule.edit")
    body = _only(json_body(), {*schedule.SCENE_FIELDS, "day_id"})
    try:
        scene_id = schedule.add_scene(get_db(), person["production_id"], body, person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(_scene_json(scene_id)), 201


@bp.patch("/scenes/<int:scene_id>")
def scene_edit(scene_id: int):
    """Change a scene (producer, ADs); the IC may change its intimacy and closed set."""
    person = _me("scene.intimacy")
    scene = _scene(person, scene_id)
    may_edit = allowed(get_db(), person, "schedule.edit")
    body = _only(json_body(), schedule.SCENE_FIELDS if may_edit else INTIMACY_FIELDS)
    try:
        schedule.edit_scene(get_db(), scene, body, person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(_scene_json(scene_id))


@bp.delete("/scenes/<int:scene_id>")
def scene_delete(scene_id: int):
    """Delete a scene added by mistake (409 when it has records: move it instead)."""
    person = _me("schedule.edit")
    try:
        schedule.delete_scene(get_db(), _scene(person, scene_id), person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(deleted=scene_id)


@bp.post("/scenes/<int:scene_id>/move")
def scene_move(scene_id: int):
    """Move a scene to a day (`day_id`, null: unscheduled), at `position` (default: last)."""
    person = _me("schedule.edit")
    scene = _scene(person, scene_id)
    body = _only(json_body(), {"day_id", "position"})
    if "day_id" not in body:
        abort(422, description=_("send %(key)s: a shoot day id, or null", key="day_id"))
    try:
        schedule.move_scene(get_db(), scene, body["day_id"], body.get("position"), person["id"])
    except schedule.ScheduleError as exc:
        refused(exc)
    return jsonify(_scene_json(scene_id))
