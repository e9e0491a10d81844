"""The alert channel over HTTP: raise, list, acknowledge, resolve; web push subscriptions;
who of the ADs is online. The same rules as the socket events (ictool/alerts.py)."""

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext as _

from ictool import alerts, announce, people, presence, push
from ictool.alerts import AlertError
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import require
from ictool.views import json_body

bp = Blueprint("alerts_api", __name__, url_prefix="/api")


def _refuse(refused: AlertError):
    abort(refused.status, description=refused.message)


def _whole_arg(key: str, message: str) -> int | None:
    value = request.args.get(key)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > alerts.MAX_ID:
        abort(422, description=message)
    return int(value)


def _seq_arg() -> int | None:
    return _whole_arg(
        "since", _("%(key)s must be the last seq you saw (a whole number).", key="since")
    )


@bp.post("/alerts")
def raise_alert():
    """Anyone on set raises a pause or a concern: 201 new, 200 the same client_id again."""
    person = require(get_db(), current_person(), "alert.raise")
    try:
        alert, created = alerts.raise_alert(
            get_db(), person, json_body(), kinds=alerts.PUBLIC_KINDS
        )
    except AlertError as refused:
        _refuse(refused)
    if created:
        announce.alert(alert["id"], "new")
    return jsonify(alerts.view_for(get_db(), alert, person)), 201 if created else 200


@bp.get("/alerts")
def list_alerts():
    """The alerts this person may see: open ones, all, or those changed after `since`, one
    page at a time: `more` says there is another page (ask again with `since` = `seq`, or
    with `after` = `next`)."""
    person = require(get_db(), current_person(), "alert.view")
    db, seq, state = get_db(), _seq_arg(), request.args.get("state", "open")
    if state not in alerts.LISTED:
        abort(422, description=_("%(key)s must be 'open' or 'all'.", key="state"))
    after = _whole_arg("after", _("%(key)s must be an alert's id (a whole number).", key="after"))
    latest = alerts.latest_seq(db)  # read first: a change made meanwhile is sent again, not lost
    if seq is not None:
        found, upto, more = alerts.since(db, person, seq, current_app.config["ALERT_PAGE"])
        found = found if state == "all" else [a for a in found if a["state"] != "resolved"]
        return jsonify(alerts=found, seq=upto if more else max(latest, upto), more=more)
    page = current_app.config["ALERT_PAGE"]
    found, upto, more = alerts.listed(db, person, state, after or 0, page)
    return jsonify(alerts=found, seq=latest, more=more, next=upto)


@bp.post("/alerts/acknowledge-sender")
def acknowledge_sender():
    """The IC or an AD acknowledges every open alert of one sender at once (a flood)."""
    person = require(get_db(), current_person(), "alert.view")
    try:
        changed = alerts.acknowledge_sender(get_db(), json_body().get("sender_id"), person)
    except AlertError as refused:
        _refuse(refused)
    for alert_id in changed:
        announce.alert(alert_id, "update", alarm=False)
    return jsonify(acknowledged=changed)


def _handle(alert_id: int, action: str):
    person = require(get_db(), current_person(), "alert.view")
    db = get_db()
    try:
        if action == "ack":
            alert, changed = alerts.acknowledge(db, alert_id, person)
        else:
            body = request.get_json(silent=True) if request.content_length else {}
            if not isinstance(body, dict):
                abort(400, description=_('Send a JSON object, e.g. {"note": "..."}, or nothing.'))
            alert, changed = alerts.resolve(db, alert_id, person, body.get("note"))
    except AlertError as refused:
        _refuse(refused)
    if changed:
        announce.alert(alert_id, "update", alarm=False)
    return jsonify(alerts.view_for(db, alert, person))


@bp.post("/alerts/<int:alert_id>/ack")
def acknowledge(alert_id: int):
    """The IC or an AD acknowledges an alert (stops its escalation)."""
    return _handle(alert_id, "ack")


@bp.post("/alerts/<int:alert_id>/resolve")
def resolve(alert_id: int):
    """The IC or an AD resolves an alert; an IC-only concern is the IC's to resolve."""
    return _handle(alert_id, "resolve")


@bp.get("/push/key")
def push_key():
    """The VAPID public key a browser subscribes with."""
    require(get_db(), current_person(), "push.subscribe")
    return jsonify(applicationServerKey=push.app_keys(current_app).application_server_key)


@bp.post("/push/subscribe")
def push_subscribe():
    """Store this browser's PushSubscription for the signed-in person."""
    person = require(get_db(), current_person(), "push.subscribe")
    try:
        push.subscribe(get_db(), person["id"], json_body())
    except ValueError as exc:
        abort(422, description=str(exc))
    return jsonify(subscribed=True), 201


@bp.post("/push/unsubscribe")
def push_unsubscribe():
    """Forget one of this person's push subscriptions, by its endpoint."""
    person = require(get_db(), current_person(), "push.subscribe")
    endpoint = json_body().get("endpoint")
    if not isinstance(endpoint, str):
        abort(
            422,
            description=_("%(key)s must be the subscription's endpoint address.", key="endpoint"),
        )
    return jsonify(removed=push.unsubscribe(get_db(), person["id"], endpoint))


@bp.get("/presence")
def presence_list():
    """Whether the IC and the ADs have the app open (a live connection) right now."""
    person = require(get_db(), current_person(), "presence.view")
    watched = people.with_roles(
        get_db(), person["production_id"], ("coordinator", "first_ad", "second_ad")
    )
    return jsonify(presence.of_people(watched))
