"""The live channel: one SocketIO object and `publish`, the one way out.

Publish announces rows that are already committed; it is never the only copy.
Rooms: `person:<id>` for one person's devices, `role:<production>:<role>` for a role.
"""

import os
from urllib.parse import urlsplit

from flask import Flask
from flask_socketio import SocketIO

from ictool.security import SocketJSON

socketio = SocketIO()


class QueueUnusable(RuntimeError):
    """The configured message queue cannot be used: serving alone would lose live alerts."""


LEAD = "ICTOOL_MESSAGE_QUEUE is set but"


def person_room(person_id: int) -> str:
    return f"person:{person_id}"


def role_room(production_id: int, role: str) -> str:
    return f"role:{production_id}:{role}"


def publish(event: str, data: dict, to: str | list[str]) -> None:
    """Send an event about committed data to one room or several."""
    socketio.emit(event, data, to=to)


def init_app(app: Flask) -> None:
    async_mode = "gevent" if os.environ.get("ICTOOL_GEVENT") == "1" else "threading"
    queue = app.config.get("MESSAGE_QUEUE") or None
    if queue:
        queue_address(queue)  # a URL ictool can use, or one clear line now
    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=queue,
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
