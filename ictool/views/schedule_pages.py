"""The Schedule page: shoot days and scenes edited with plain forms that post and come back
(post/redirect/get, no JS needed). The producer and the ADs edit everything; the IC sets a
scene's intimacy level and closed set. Each route checks its capability like the API."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ictool import people, productions, scenes, schedule
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed
from ictool.views.producer_api import me

bp = Blueprint("schedule_pages", __name__)


@bp.app_context_processor
def _helpers() -> dict:
    def may(capability: str) -> bool:
        """Does the signed-in person hold this capability? (Links only: routes check too.)"""
        person = current_person()
        return person is not None and allowed(get_db(), person, capability)

    return {"may": may, "may_open_schedule": lambda: may("scene.intimacy")}


def _int_or_none(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise schedule.ScheduleError(name, _("%(key)s must be a whole number", key=name))
    return int(value)


def _cast() -> list[int]:
    values = request.form.getlist("cast")
    if not all(v.isdigit() and len(v) <= 18 for v in values):
        abort(400, description=_("Choose an item from the list."))
    return [int(v) for v in values]


def _scene_form(full: bool) -> dict:
    form = request.form
    fields = {"intimacy": form.get("intimacy", ""), "closed_set": form.get("closed_set") == "1"}
    if full:
        fields.update(number=form.get("number", ""), description=form.get("description", ""))
        fields["cast"] = _cast()
    return fields


def _done(action: Callable[[], object], message: str, anchor: str | None = None):
    """Run a form's action, say what happened, and go back to the page."""
    try:
        action()
    except schedule.ScheduleError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(url_for("schedule_pages.page", _anchor=anchor))


def _day(person: dict, day_id: int) -> dict:
    day = scenes.get_day(get_db(), day_id)
    if day is None or day["production_id"] != person["production_id"]:
        abort(404)
    return day


def _scene(person: dict, scene_id: int) -> dict:
    found = scenes.get(get_db(), scene_id)
    if found is None or found["production_id"] != person["production_id"]:
        abort(404)
    return found


@bp.get("/schedule")
def page():
    person = me("scene.intimacy")
    db, pid = get_db(), person["production_id"]
    return render_template(
        "schedule.html",
        production=productions.public(productions.get(db, pid)),
        schedule=schedule.overview(db, pid),
        performers=people.with_roles(db, pid, people.CAST_ROLES),
        intimacy=scenes.INTIMACY,
        can_edit=allowed(db, person, "schedule.edit"),
        is_producer=allowed(db, person, "producer.schedule"),
    )


@bp.post("/schedule/days")
def day_add():
    person = me("schedule.edit")
    form = request.form
    return _done(
        lambda: schedule.add_day(
            get_db(),
            person["production_id"],
            form.get("date", ""),
            form.get("location", ""),
            form.get("call_time", ""),
            person["id"],
        ),
        _("Shoot day added."),
    )


@bp.post("/schedule/days/<int:day_id>")
def day_edit(day_id: int):
    person = me("schedule.edit")
    day = _day(person, day_id)
    changes = {k: request.form.get(k, "") for k in schedule.DAY_FIELDS}
    return _done(
        lambda: schedule.edit_day(get_db(), day, changes, person["id"]),
        _("Shoot day saved."),
        f"day-{day_id}",
    )


@bp.post("/schedule/days/<int:day_id>/delete")
def day_delete(day_id: int):
    person = me("schedule.edit")
    day = _day(person, day_id)
    return _done(lambda: schedule.delete_day(get_db(), day, person["id"]), _("Shoot day deleted."))


@bp.post("/schedule/scenes")
def scene_add():
    person = me("schedule.edit")

    def add() -> None:
        fields = dict(_scene_form(full=True), day_id=_int_or_none("day_id"))
        schedule.add_scene(get_db(), person["production_id"], fields, person["id"])

    return _done(add, _("Scene added."))


@bp.post("/schedule/scenes/<int:scene_id>")
def scene_edit(scene_id: int):
    person = me("scene.intimacy")
    scene = _scene(person, scene_id)
    fields = _scene_form(full=allowed(get_db(), person, "schedule.edit"))
    return _done(
        lambda: schedule.edit_scene(get_db(), scene, fields, person["id"]),
        _("Scene %(n)s saved.", n=scene["number"]),
        f"scene-{scene_id}",
    )


@bp.post("/schedule/scenes/<int:scene_id>/move")
def scene_move(scene_id: int):
    person = me("schedule.edit")
    scene = _scene(person, scene_id)
    return _done(
        lambda: schedule.move_scene(get_db(), scene, _int_or_none("day_id"), None, person["id"]),
        _("Scene %(n)s moved.", n=scene["number"]),
        f"scene-{scene_id}",
    )


@bp.post("/schedule/scenes/<int:scene_id>/up")
def scene_up(scene_id: int):
    person = me("schedule.edit")
    scene = _scene(person, scene_id)
    return _done(
        lambda: schedule.shift(get_db(), scene, -1, person["id"]),
        _("Scene %(n)s moved up.", n=scene["number"]),
        f"scene-{scene_id}",
    )


@bp.post("/schedule/scenes/<int:scene_id>/down")
def scene_down(scene_id: int):
    person = me("schedule.edit")
    scene = _scene(person, scene_id)
    return _done(
        lambda: schedule.shift(get_db(), scene, 1, person["id"]),
        _("Scene %(n)s moved down.", n=scene["number"]),
        f"scene-{scene_id}",
    )


@bp.post("/schedule/scenes/<int:scene_id>/delete")
def scene_delete(scene_id: int):
    person = me("schedule.edit")
    scene = _scene(person, scene_id)
    return _done(
        lambda: schedule.delete_scene(get_db(), scene, person["id"]),
        _("Scene %(n)s deleted.", n=scene["number"]),
    )
