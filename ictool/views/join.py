"""Signing in by join link, signing out, the landing page, choosing a language, health."""

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ictool import people, productions
from ictool.auth import current_person, sign_in, sign_out
from ictool.db import get_db
from ictool.i18n import LANGUAGES

bp = Blueprint("join", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness for scripts and load balancers; needs no sign-in."""
    return jsonify(ok=True)


@bp.get("/")
def index():
    if current_person():
        alert = request.args.get("alert", "")  # a push notification's link
        extra = {"alert": alert} if alert.isdigit() and len(alert) < 20 else {}
        return redirect(url_for("pages.home", **extra))
    return render_template("welcome.html", empty=productions.first(get_db()) is None)


@bp.get("/join/<token>")
def join(token: str):
    """A join link signs this phone in and lands on the person's home screen."""
    person = sign_in(token)
    if person is None:
        return render_template("join_invalid.html"), 403
    return redirect(url_for("pages.home"))


@bp.post("/signout")
def signout():
    """Sign out here and on the server (every copy of this session's cookie)."""
    sign_out()
    return redirect(url_for("join.index"))


@bp.post("/language")
def language():
    """Remember the chosen language: on the person when signed in, else in the session."""
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400, description=_("Unknown language."))
    session["lang"] = lang
    person = current_person()
    if person:
        people.set_language(get_db(), person["id"], lang)
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
