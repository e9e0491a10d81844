"""Socket.IO event handlers: thin. Who may send it, what payload, which domain call, what ack.

A socket authenticates like an HTTP request: the join link's session cookie, an
`Authorization: Bearer` header, or `auth={"token": ...}` when connecting.
"""

from flask import request
from flask_socketio import join_room

from ictool import people
from ictool.auth import person_from_request
from ictool.db import get_db
from ictool.realtime import person_room, role_room, socketio

_people_by_sid: dict[str, int] = {}


def socket_person() -> dict | None:
    """The person behind this socket, re-checked on every event (a revoked token stops here)."""
    person_id = _people_by_sid.get(request.sid)
    return people.get(get_db(), person_id) if person_id else None


def _authenticate(auth: object) -> dict | None:
    db = get_db()
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        found = people.by_token(db, auth["token"])
        return found[0] if found else None
    found = person_from_request(db)
    return found[0] if found else None


def on_connect(auth=None):
    """Any signed-in person's device connects; it joins its person and role rooms."""
    person = _authenticate(auth)
    if person is None:
        return False
    _people_by_sid[request.sid] = person["id"]
    join_room(person_room(person["id"]))
    join_room(role_room(person["production_id"], person["role"]))
    return True


def on_disconnect(*_args):
    _people_by_sid.pop(request.sid, None)


def register() -> None:
    """Attach the handlers (called once by the app factory)."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
