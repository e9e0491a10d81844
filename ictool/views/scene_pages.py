"""Pages and template helpers for scene clearance: the check-in page anyone on set opens
(for example from a QR code at the set door), and `scene_panel(s)` for every scene card."""

import segno
from flask import Blueprint, abort, render_template, url_for

from ictool import scene_panel, scenes
from ictool.auth import current_person
from ictool.clearance import GARMENT_CONTENT
from ictool.db import get_db
from ictool.permissions import allowed, require
from ictool.screens import CLOSED_SET_RULES

bp = Blueprint("scene_pages", __name__)


@bp.app_context_processor
def _helpers() -> dict:
    def panel_for(scene: dict) -> dict:
        """The clearance panel of a scene card, for the signed-in person."""
        person = current_person()
        found = scenes.get(get_db(), scene["id"])
        if person is None or found is None:
            return {"applies": False}
        return scene_panel.panel(get_db(), person, found)

    def checkin_qr(scene_id: int) -> str:
        """An SVG QR code of the scene's check-in page, for crew phones to scan."""
        url = url_for("scene_pages.checkin", scene_id=scene_id, _external=True)
        return segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")

    def roster_for(scene: dict) -> dict:
        """The roster section of a scene, for the signed-in person."""
        person = current_person()
        found = scenes.get(get_db(), scene["id"])
        if person is None or found is None:
            return {"can_edit": False, "can_essentials": False}
        return scene_panel.roster_panel(get_db(), person, found)

    return {"scene_panel": panel_for, "checkin_qr": checkin_qr, "roster_panel": roster_for}


@bp.get("/scenes/<int:scene_id>/checkin")
def checkin(scene_id: int):
    """Check in to a closed set on your own phone and acknowledge no photography; costume
    confirms the modesty garments here too, closed set or not (their one page for it)."""
    db = get_db()
    found = scenes.get(db, scene_id)
    if found is None or not (found["closed_set"] or found["intimacy"] in GARMENT_CONTENT):
        abort(404)
    person = require(db, current_person(), "checkin.self", found)
    if not found["closed_set"] and not allowed(db, person, "garments.edit", found):
        abort(404)
    return render_template(
        "checkin.html",
        scene=scenes.public(found),
        panel=scene_panel.panel(db, person, found),
        rules=[str(rule) for rule in CLOSED_SET_RULES],
    )
