"""The one-time setup link: the "New production" page, and what a used or expired link
says. Using it creates the production and its first person, who is signed in like a join
link signs a phone in, and lands on their home screen."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ictool import production_settings, productions, ratelimit, setup
from ictool.auth import sign_in
from ictool.db import get_db
from ictool.errors import Invalid
from ictool.i18n import ROLE_LABELS

bp = Blueprint("setup", __name__)

FORM_FIELDS = ("title", "company", "jurisdiction", "timezone", "starts", "ends", "ic_engaged")


def _profiles() -> list[dict]:
    """The jurisdictions to choose from, with what each sets."""
    return [
        {
            "key": key,
            "name": p.name,
            "rider_notice_hours": p.rider_notice_hours,
            "prep_days": p.ic_prep_days,
            "currency": production_settings.CURRENCIES.get(key, "EUR"),
        }
        for key, p in productions.PROFILES.items()
    ]


def _form(token: str, values: dict, error: Invalid | None = None, status: int = 200):
    return render_template(
        "setup.html",
        token=token,
        values=values,
        error=error,
        profiles=_profiles(),
        jurisdictions=[(key, p.name) for key, p in productions.PROFILES.items()],
        timezones=productions.timezones(),
        roles=[(role, str(ROLE_LABELS[role])) for role in setup.FOUNDER_ROLES],
    ), status


def _unusable(found: setup.State):
    """A used, expired or unknown setup link: say which, kindly, and what to do."""
    if found.status == "unknown":
        ratelimit.record_failure()  # someone guessing setup links counts like a bad join link
    code = 404 if found.status == "unknown" else 410
    return render_template("setup_unusable.html", found=found), code


@bp.get("/setup/<token>")
def new_production(token: str):
    if ratelimit.sign_in_blocked():
        abort(429, description=_("Too many sign-in attempts. Wait a minute and try again."))
    found = setup.state(get_db(), token)
    if found.status != "open":
        return _unusable(found)
    return _form(token, {"timezone": productions.local_timezone()})


@bp.post("/setup/<token>")
def create_production(token: str):
    """Create the production and its first person; sign them in; go to their screen."""
    if ratelimit.sign_in_blocked():
        abort(429, description=_("Too many sign-in attempts. Wait a minute and try again."))
    form = {k: request.form.get(k, "")[:200] for k in (*FORM_FIELDS, "name", "role")}
    db = get_db()
    try:
        fields = productions.check_new(
            form["title"],
            form["jurisdiction"],
            form["starts"],
            form["ends"],
            timezone=form["timezone"],
            company=form["company"],
            ic_engaged_on=form["ic_engaged"],
        )
        _production_id, _person_id, join_token = setup.complete(
            db, token, fields, form["name"], form["role"]
        )
    except setup.Unusable as used:
        return _unusable(used.state)
    except Invalid as error:
        if setup.state(db, token).status != "open":
            return _unusable(setup.state(db, token))
        return _form(token, form, error, 422)
    sign_in(join_token)
    return redirect(url_for("pages.home"))
