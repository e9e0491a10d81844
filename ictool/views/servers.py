"""The set's servers: the copy's status for the IC, the addresses phones may fail over to,
and signing a phone in again on a promoted standby with its failover ticket."""

from flask import Blueprint, abort, current_app, jsonify, render_template, request, session
from flask_babel import gettext as _

from ictool import peers, people, replica
from ictool.auth import bearer_token, current_person
from ictool.db import get_db
from ictool.permissions import require
from ictool.views import json_body

bp = Blueprint("servers", __name__)


def base_url() -> str:
    return (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def replica_line() -> dict:
    """The IC's line about the copy: state (off, ok, behind, failing), age and words."""
    status = replica.status_of(current_app)
    if status is None:
        return {"state": "off", "age": None, "text": ""}
    age = status.age()
    seconds = None if age is None else int(age)
    if status.state == "failing":
        text = _("Copy failing: %(reason)s", reason=status.error)
    elif seconds is None:
        text = _("No copy saved yet")
    elif status.state == "behind":
        text = _("Copy is %(n)s s behind: check the drive or the other laptop", n=seconds)
    else:
        text = _("Copy saved %(n)s s ago", n=seconds)
    return {"state": status.state, "age": seconds, "text": text}


@bp.get("/api/replica")
def replica_status():
    """The copy's status, for the IC's dashboard."""
    require(get_db(), current_person(), "replica.view")
    return jsonify(replica_line())


@bp.get("/api/servers")
def servers():
    """The set's server addresses (this one first) and this phone's failover ticket."""
    person = current_person()
    if person is None:
        abort(401)
    token_id = session.get("token_id")
    bearer = bearer_token()
    if bearer:
        found = people.by_token(get_db(), bearer)
        token_id = found[1] if found else None
    return jsonify(
        servers=peers.addresses(current_app, base_url()),
        this=base_url(),
        ticket=peers.ticket(current_app, token_id) if isinstance(token_id, int) else None,
    )


@bp.get("/api/alive")
def alive():
    """Whether this server is the live one; any page of the set may ask (CORS)."""
    response = jsonify(mode="live", server=base_url())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/failover")
def failover_page():
    """Where a phone lands when it moves to this server: it signs in with its ticket."""
    return render_template("failover.html")


@bp.post("/api/failover")
def failover_sign_in():
    """Sign this phone in with a failover ticket from another of the set's servers."""
    token_id = peers.token_id_of(current_app, json_body().get("ticket"))
    person = people.by_token_id(get_db(), token_id) if token_id is not None else None
    if person is None:
        abort(403, description=_("This phone needs its join link again: ask the IC for it."))
    session.clear()
    session.permanent = True
    session["token_id"] = token_id
    return jsonify(person={"id": person["id"], "name": person["name"]}, next="/home")
