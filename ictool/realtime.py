"""The live channel: one SocketIO object and `publish`, the one way out.

Publish announces rows that are already committed; it is never the only copy.
Rooms: `person:<id>` for one person's devices, `role:<production>:<role>` for a role.
`disconnect_person` closes every socket of a person in every process (a revoked or
deactivated phone stops listening at once, not at its next event).
"""

import contextlib
import logging
import os
from urllib.parse import urlsplit

import socketio as socketio_lib
from flask import Flask
from flask_socketio import SocketIO

from ictool.events import Event
from ictool.security import SocketJSON

socketio = SocketIO()


class QueueUnusable(RuntimeError):
    """The configured message queue cannot be used: serving alone would lose live alerts."""


LEAD = "ICTOOL_MESSAGE_QUEUE is set but"


def person_room(person_id: int) -> str:
    return f"person:{person_id}"


def role_room(production_id: int, role: str) -> str:
    return f"role:{production_id}:{role}"


def publish(event: Event, data: dict, to: str | list[str]) -> None:
    """Send an event of the catalogue (`ictool.events`) about committed data to one room
    or several."""
    if not isinstance(event, Event):
        raise TypeError(f"publish an event of ictool.events, not {event!r}")
    socketio.emit(event.name, data, to=to)


log = logging.getLogger(__name__)


def disconnect_person(person_id: int) -> None:
    """Close every open socket of this person, in this process and (through the message
    queue) in every other one; each closes as if the phone had gone, leaving presence."""
    manager = socketio.server.manager
    if isinstance(manager, _DisconnectsRooms):
        manager.disconnect_room(person_room(person_id))
    else:
        close_local(person_room(person_id))


def close_local(room: str, namespace: str = "/") -> int:
    """Disconnect this process's sockets in a room, transport and all; return how many."""
    server = socketio.server
    members = list(server.manager.get_participants(namespace, room))
    for sid, eio_sid in members:
        with contextlib.suppress(KeyError, ValueError):  # already gone
            server.disconnect(sid, namespace=namespace, ignore_queue=True)
        close_transport(eio_sid)
    return len(members)


def close_transport(eio_sid: str) -> None:
    """Close one Engine.IO connection (its socket, its file descriptor) if still open."""
    with contextlib.suppress(KeyError, ValueError, OSError):
        socketio.server.eio.disconnect(eio_sid)


class _DisconnectsRooms:
    """A message-queue manager that can also disconnect a room's sockets everywhere: a
    `close_room` message marked `disconnect` (a process without this code just closes the
    room, which still stops every push to it)."""

    def disconnect_room(self, room: str, namespace: str = "/") -> None:
        message = {
            "method": "close_room",
            "room": room,
            "namespace": namespace,
            "host_id": self.host_id,
            "disconnect": True,
        }
        self._handle_close_room(message)
        self._publish(message)

    def _handle_close_room(self, message: dict) -> None:
        if message.get("disconnect"):
            try:
                close_local(message["room"], message.get("namespace") or "/")
            except Exception as error:  # the room is still closed below
                log.error("disconnecting a room failed: %s", type(error).__name__)
        super()._handle_close_room(message)


def _queue_manager(url: str | None):
    """The client manager for a message queue URL, able to disconnect a room everywhere."""
    if not url:
        return None
    manager = type("Manager", (_DisconnectsRooms, socketio_lib.RedisManager), {})
    return manager(url, channel="flask-socketio")


def init_app(app: Flask) -> None:
    async_mode = "gevent" if os.environ.get("ICTOOL_GEVENT") == "1" else "threading"
    url = app.config.get("MESSAGE_QUEUE") or None
    if url:
        queue_address(url)  # a URL ictool can use, or one clear line now
    queue = _queue_manager(url)
    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=url,
        **({"client_manager": queue} if queue else {}),
        ping_interval=5,
        ping_timeout=5,
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
        logger=False,
        engineio_logger=False,
        json=SocketJSON,  # huge integers and absurd nesting are refused like over HTTP
    )


def queue_address(url: str) -> str:
    """The queue's URL as it may be printed (scheme, host, port and database, no password);
    QueueUnusable unless it is a redis:// or rediss:// URL, the one kind ictool ships for."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        raise QueueUnusable(f"{LEAD} it is not a URL like redis://127.0.0.1:6379/0") from None
    if parts.scheme not in ("redis", "rediss"):
        raise QueueUnusable(
            f"{LEAD} only redis:// and rediss:// URLs are supported, like redis://127.0.0.1:6379/0"
        )
    return f"{parts.scheme}://{parts.hostname or 'localhost'}{port}{parts.path}"


def check_message_queue(url: str, timeout: float = 3.0) -> None:
    """Refuse, in one line, a message queue this process could not use (at start).

    python-socketio reports a missing client library or an unreachable Redis only in a
    background thread, after which the server silently serves its own phones alone: a pause
    raised on another process would never reach them.
    """
    address = queue_address(url)
    try:
        import redis
    except ImportError:
        raise QueueUnusable(
            f"{LEAD} the redis package is not installed: pip install 'ictool[studio]'"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise QueueUnusable(f"{LEAD} {address} cannot be reached: {reason}") from None
