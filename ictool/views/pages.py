"""The role screens, server-rendered from the same data the API returns."""

import segno
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ictool import blocking, people, scene_panel, scenes, screens, witness
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import HOME_SCREENS, allowed, may_link, require
from ictool.views import day_arg, people_pages

bp = Blueprint("pages", __name__)


def _me(capability: str, scene: dict | None = None) -> dict:
    return require(get_db(), current_person(), capability, scene)


def _record() -> witness.Checkpoint:
    """The audit log's latest signed checkpoint, for this device to keep (record.witness)."""
    return witness.for_device(current_app, get_db())


@bp.get("/home")
def home():
    person = current_person()
    if person is None:
        abort(401)
    alert = request.args.get("alert", "")  # a push notification's link: open that alert
    extra = {"alert": alert} if alert.isdigit() and len(alert) < 20 else {}
    return redirect(url_for(HOME_SCREENS[person["role"]], **extra))


@bp.get("/ic")
def ic():
    person = _me("ic.dashboard")
    from ictool.views.servers import replica_line

    data = screens.ic_day(get_db(), person, day_arg())
    return render_template("ic.html", data=data, record=_record(), replica=replica_line())


@bp.get("/ad")
def ad():
    person = _me("ad.board")
    return render_template(
        "ad.html",
        data=screens.ad_board(get_db(), person, day_arg()),
        can_people=allowed(get_db(), person, "people.view"),
    )


@bp.get("/me")
def performer():
    person = _me("performer.home")
    return render_template(
        "performer.html", data=screens.performer_home(get_db(), person, day_arg())
    )


@bp.get("/producer")
def producer():
    person = _me("producer.schedule")
    data = screens.producer_schedule(get_db(), person)
    return render_template("producer.html", data=data, record=_record())


@bp.get("/crew")
def crew():
    person = _me("crew.call")
    return render_template("crew.html", data=screens.crew_call(get_db(), person, day_arg()))


@bp.get("/scenes/<int:scene_id>")
def scene(scene_id: int):
    db = get_db()
    found = scenes.get(db, scene_id)
    if found is None:
        abort(404)
    person = _me("scene.view", found)
    can_edit = allowed(db, person, "blocking.edit", found)
    history = blocking.history(db, scene_id) if allowed(db, person, "blocking.read", found) else []
    return render_template(
        "scene.html",
        scene=screens.scene_detail(db, person, found),
        history=history,
        can_edit=can_edit,
        diff=_blocking_diff(db, scene_id) if len(history) > 1 else None,
    )


def _blocking_diff(db, scene_id: int) -> dict | None:
    """The diff the scene page shows: `?from=&to=` versions, else the latest change."""
    picked = [request.args.get(name, "") for name in ("from", "to")]
    old, new = (int(v) if v.isdigit() and len(v) < 10 else None for v in picked)
    try:
        return scene_panel.compare(db, scene_id, old, new)
    except ValueError:
        return scene_panel.compare(db, scene_id, None, None)


@bp.get("/people")
def people_list():
    return people_pages.render_list(_me("people.view"))


@bp.post("/people/<int:person_id>/link")
def person_link(person_id: int):
    """The IC (or whoever manages this person) shows their QR code to scan; a fresh join
    link is made for it."""
    me = _me("people.view")
    db = get_db()
    target = people.get(db, person_id)
    if target is None or target["production_id"] != me["production_id"]:
        abort(404)
    if not may_link(db, me, target):
        abort(403)
    if target["deactivated_at"]:
        abort(
            409,
            description=_("%(name)s is deactivated: reactivate them first.", name=target["name"]),
        )
    url = url_for("join.join", token=people.issue_token(db, person_id, me["id"]), _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return render_template("person_link.html", target=target, url=url, qr_svg=svg)
