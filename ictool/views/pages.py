"""The role screens, server-rendered from the same data the API returns."""

import segno
from flask import Blueprint, abort, redirect, render_template, request, url_for

from ictool import blocking, people, scene_panel, scenes, screens
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import HOME_SCREENS, allowed, require
from ictool.views import day_arg

bp = Blueprint("pages", __name__)


def _me(capability: str, scene: dict | None = None) -> dict:
    return require(get_db(), current_person(), capability, scene)


@bp.get("/home")
def home():
    person = current_person()
    if person is None:
        abort(401)
    return redirect(url_for(HOME_SCREENS[person["role"]]))


@bp.get("/ic")
def ic():
    person = _me("ic.dashboard")
    from ictool.views.servers import replica_line

    data = screens.ic_day(get_db(), person, day_arg())
    return render_template("ic.html", data=data, replica=replica_line())


@bp.get("/ad")
def ad():
    person = _me("ad.board")
    return render_template("ad.html", data=screens.ad_board(get_db(), person, day_arg()))


@bp.get("/me")
def performer():
    person = _me("performer.home")
    return render_template(
        "performer.html", data=screens.performer_home(get_db(), person, day_arg())
    )


@bp.get("/producer")
def producer():
    person = _me("producer.schedule")
    return render_template("producer.html", data=screens.producer_schedule(get_db(), person))


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
    person = _me("people.view")
    db = get_db()
    return render_template(
        "people.html",
        people=people.in_production(db, person["production_id"]),
        can_link=allowed(db, person, "people.links"),
    )


@bp.post("/people/<int:person_id>/link")
def person_link(person_id: int):
    """The IC shows a person's QR code to scan; a fresh join link is made for it."""
    me = _me("people.links")
    db = get_db()
    target = people.get(db, person_id)
    if target is None or target["production_id"] != me["production_id"]:
        abort(404)
    url = url_for("join.join", token=people.issue_token(db, person_id, me["id"]), _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return render_template("person_link.html", target=target, url=url, qr_svg=svg)
