"""The live channel: one SocketIO object and `publish`, the one way out.

Publish announces rows that are already committed; it is never the only copy.
Rooms: `person:<id>` for one person's devices, `role:<production>:<role>` for a role.
"""

import os

from flask import Flask
from flask_socketio import SocketIO

from ictool.security import SocketJSON

socketio = SocketIO()


def person_room(person_id: int) -> str:
    return f"person:{person_id}"


def role_room(production_id: int, role: str) -> str:
    return f"role:{production_id}:{role}"


def publish(event: str, data: dict, to: str | list[str]) -> None:
    """Send an event about committed data to one room or several."""
    socketio.emit(event, data, to=to)


def init_app(app: Flask) -> None:
    async_mode = "gevent" if os.environ.get("ICTOOL_GEVENT") == "1" else "threading"
    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=app.config.get("MESSAGE_QUEUE"),
        ping_interval=5,
        ping_timeout=5,
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
        logger=False,
        engineio_logger=False,
        json=SocketJSON,  # huge integers and absurd nesting are refused like over HTTP
    )
