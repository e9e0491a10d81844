"""Socket.IO event handlers: thin. Who may send it, what payload, which domain call, what ack.

A socket authenticates like an HTTP request: the join link's session cookie, an
`Authorization: Bearer` header, or `auth={"token": ...}` when connecting. Every
alert event answers in its acknowledgement callback with `{"status": ...}` and either
the result or `{"error": "plain words"}`; a bad payload never raises.
"""

import contextlib
import functools
import logging
import secrets
from collections.abc import Callable

from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_socketio import join_room

from ictool import alerts, announce, events, people, presence, ratelimit, textguard
from ictool.alerts import AlertError
from ictool.auth import bearer_token, person_from_request
from ictool.db import get_db
from ictool.permissions import allowed
from ictool.realtime import close_transport, person_room, role_room, socketio

log = logging.getLogger(__name__)

_tokens_by_sid: dict[str, int] = {}  # the join token each socket signed in with


def socket_person() -> dict | None:
    """The person behind this socket, re-checked on every event: a revoked or expired
    token stops here. They are also this event's `current_person()`, so their language
    (and anything else asked of the signed-in person) needs no second lookup."""
    token_id = _tokens_by_sid.get(request.sid)
    person = people.by_token_id(get_db(), token_id) if token_id else None
    if person is not None:
        g.person, g.auth_via = person, "socket"
    return person


def _authenticate(auth: object) -> tuple[dict, int] | None:
    """The person and the id of the token they connect with: auth token, Bearer, or cookie."""
    db = get_db()
    token = auth.get("token") if isinstance(auth, dict) else None
    token = token if isinstance(token, str) else bearer_token()
    if token:
        return people.by_token(db, token)
    found = person_from_request(db)
    token_id = session.get("token_id")
    return (found[0], token_id) if found and isinstance(token_id, int) else None


def on_connect(auth=None):
    """Any signed-in person's device connects; it joins its person and role rooms."""
    by_token = (isinstance(auth, dict) and "token" in auth) or bearer_token() is not None
    found = _authenticate(auth)  # a valid token connects even from an address that guessed
    if found is None:
        if by_token:
            ratelimit.record_failure()
        return False
    person, token_id = found
    _tokens_by_sid[request.sid] = token_id
    eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, "/")
    if eio_sid is not None and "ictool.connections" in current_app.extensions:
        current_app.extensions["ictool.connections"].signed_in(eio_sid)  # not closed unsigned
    join_room(person_room(person["id"]))
    join_room(role_room(person["production_id"], person["role"]))
    presence.connected(person, request.sid)
    return True


def drop_dead_tokens() -> int:
    """Disconnect this process's sockets whose token is no longer live (expired, revoked
    by any process or by the CLI, a person deactivated); return how many. Needs an app
    context."""
    db = get_db()
    by_token: dict[int, list[str]] = {}
    for sid, token_id in list(_tokens_by_sid.items()):
        by_token.setdefault(token_id, []).append(sid)
    dropped = 0
    for token_id, sids in by_token.items():
        if people.by_token_id(db, token_id) is not None:
            continue
        for sid in sids:
            eio_sid = socketio.server.manager.eio_sid_from_sid(sid, "/")
            with contextlib.suppress(KeyError, ValueError):
                socketio.server.disconnect(sid, ignore_queue=True)
            if eio_sid is not None:
                close_transport(eio_sid)
            dropped += 1
    return dropped


def on_disconnect(*_args):
    _tokens_by_sid.pop(request.sid, None)
    presence.disconnected(request.sid)


def _event(handler: Callable) -> Callable:
    """Authenticate the socket, run the handler, and turn every refusal into an ack."""

    @functools.wraps(handler)
    def wrapper(*args):
        data = args[0] if args else None
        person = socket_person()
        if person is None:
            return {"status": 401, "error": _("Please open your join link again.")}
        field = textguard.bad_field(data)
        if field:
            return {"status": 422, "error": textguard.refusal(field)}
        try:  # refusals come in the sender's language: select_locale reads g.person
            return handler(person, data)
        except AlertError as refused:
            return {"status": refused.status, "error": refused.message}
        except Exception as error:  # logged by id and type only: payloads hold private text
            error_id = secrets.token_hex(4)
            log.error("error %s in %s: %s", error_id, handler.__name__, type(error).__name__)
            return {"status": 500, "error": _("Something went wrong (error %(id)s).", id=error_id)}

    return wrapper


def _alert_id(data: object) -> int:
    alert_id = data.get("id") if isinstance(data, dict) else None
    if type(alert_id) is not int or not 0 <= alert_id <= alerts.MAX_ID:
        raise AlertError(422, _('Send {"id": <alert id>}.'))
    return alert_id


@_event
def on_alert_raise(person: dict, data: object) -> dict:
    """Anyone raises a pause or concern; the ack carries it (201 new, 200 a retry)."""
    db = get_db()
    if not allowed(db, person, "alert.raise"):
        raise AlertError(403, _("This is not available to your role."))
    alert, created = alerts.raise_alert(db, person, data, kinds=alerts.PUBLIC_KINDS)
    if created:
        announce.alert(alert["id"], "new")
    return {"status": 201 if created else 200, "alert": alerts.view_for(db, alert, person)}


@_event
def on_alert_ack(person: dict, data: object) -> dict:
    """The IC or an AD acknowledges; the sender and other handlers see who."""
    alert, changed = alerts.acknowledge(get_db(), _alert_id(data), person)
    if changed:
        announce.alert(alert["id"], "update", alarm=False)
    return {"status": 200, "alert": alerts.view_for(get_db(), alert, person)}


@_event
def on_alert_resolve(person: dict, data: object) -> dict:
    """The IC or an AD resolves, with an optional note."""
    note = data.get("note") if isinstance(data, dict) else None
    alert, changed = alerts.resolve(get_db(), _alert_id(data), person, note)
    if changed:
        announce.alert(alert["id"], "update", alarm=False)
    return {"status": 200, "alert": alerts.view_for(get_db(), alert, person)}


@_event
def on_alert_received(person: dict, data: object) -> dict:
    """A device showed an alert; an AD's or the IC's first delivery is told to the sender."""
    alert, tell = alerts.mark_delivered(get_db(), _alert_id(data), person)
    if tell:
        announce.alert(alert["id"], "update", alarm=False)
    return {"status": 200}


@_event
def on_alert_sync(person: dict, data: object) -> dict:
    """A (re)connecting device asks for everything it may see after its last seq."""
    seq = data.get("since", 0) if isinstance(data, dict) else 0
    if type(seq) is not int or not 0 <= seq <= alerts.MAX_ID:
        raise AlertError(422, _('Send {"since": <the last seq you saw, or 0>}.'))
    db = get_db()
    latest = alerts.latest_seq(db)  # read first: a change made meanwhile is sent again
    found, upto, more = alerts.since(db, person, seq, current_app.config["ALERT_PAGE"])
    if more or not allowed(db, person, "alert.view"):  # crew: learn nothing of others'
        latest = upto  # another page follows: ask again from here
    return {"status": 200, "alerts": found, "seq": max(latest, seq), "more": more}


@_event
def on_alert_ack_sender(person: dict, data: object) -> dict:
    """The IC or an AD acknowledges every open alert of one sender at once."""
    sender_id = data.get("sender_id") if isinstance(data, dict) else None
    changed = alerts.acknowledge_sender(get_db(), sender_id, person)
    for alert_id in changed:
        announce.alert(alert_id, "update", alarm=False)
    return {"status": 200, "acknowledged": changed}


def register() -> None:
    """Attach the handlers (called once by the app factory)."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    handlers = {
        events.ALERT_RAISE: on_alert_raise,
        events.ALERT_ACK: on_alert_ack,
        events.ALERT_RESOLVE: on_alert_resolve,
        events.ALERT_RECEIVED: on_alert_received,
        events.ALERT_SYNC: on_alert_sync,
        events.ALERT_ACK_SENDER: on_alert_ack_sender,
    }
    if set(handlers) != set(events.TO_SERVER):
        raise RuntimeError("every client event of the catalogue needs its one handler")
    for event, handler in handlers.items():
        socketio.on_event(event.name, handler)
