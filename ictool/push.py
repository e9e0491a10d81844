"""Web push for alerts: VAPID keys, browser subscriptions, and sending.

The only code that touches the ``push_subscriptions`` table. The ``webpush``
package builds each encrypted request; we POST it ourselves with ``requests``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import os
import re
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app, has_app_context
from sqlite_utils import Database

if TYPE_CHECKING:  # webpush (pydantic, ~0.25 s to import) loads on first use, not at start
    from webpush import WebPush

from ictool.db import connect, get_db, now, transaction

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 3000  # webpush does not check; ~5,000 bytes cannot be decrypted
POST_TIMEOUT_SECONDS = 5
GONE_STATUSES = (404, 410)
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


@dataclass(frozen=True)
class VapidKeys:
    """This server's VAPID identity; the browser needs ``application_server_key``."""

    private_pem: str
    public_pem: str
    application_server_key: str


@dataclass(frozen=True)
class SendReport:
    """What one ``send`` did: delivered, failed, and dead subscriptions deleted."""

    sent: int = 0
    failed: int = 0
    removed: int = 0


def load_or_create_vapid(instance_path: Path) -> VapidKeys:
    """Return the VAPID keys in ``instance_path/vapid.json``, creating them once, so
    subscriptions keep working across restarts."""
    path = Path(instance_path) / "vapid.json"
    if not path.exists():
        from webpush import VAPID

        private_pem, public_pem, server_key = VAPID.generate_keys()
        keys = VapidKeys(private_pem.decode(), public_pem.decode(), server_key)
        _write_new_private_file(path, json.dumps(asdict(keys), indent=2))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return VapidKeys(**json.loads(path.read_text()))


def allow_private() -> bool:
    """PUSH_ALLOW_PRIVATE (ICTOOL_PUSH_ALLOW_PRIVATE=1, off by default): let push go to
    http:// and to loopback or LAN endpoints. Only for a local test push service."""
    if has_app_context():
        return bool(current_app.config.get("PUSH_ALLOW_PRIVATE"))
    return os.environ.get("ICTOOL_PUSH_ALLOW_PRIVATE", "").lower() in ("1", "true")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def endpoint_refusal(endpoint: str, private_ok: bool) -> str | None:
    """Why the server must not POST to this endpoint, or None: push services are https://
    on public hosts, so a loopback, link-local or private address (literal, or a name that
    resolves to one) is refused; the set's own devices are never a push service."""
    if private_ok:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme != "https":
        return "The push subscription's endpoint must be an https:// address."
    host = parts.hostname or ""
    try:
        return None if _public(host) else _PRIVATE
    except ValueError:
        pass  # a name, not an address
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443)}
    except (OSError, UnicodeError):
        return None  # offline: nothing is sent to a name that does not resolve
    return None if all(_public(a) for a in found) else _PRIVATE


_PRIVATE = "The push subscription's endpoint must be on a public host, not a local address."


def subscribe(db: Database, person_id: int, subscription: dict) -> int:
    """Store a browser's PushSubscription for a person (upsert by endpoint) and
    return its row id; raise ``ValueError`` in plain words if the shape is wrong."""
    endpoint, p256dh, auth = _validated(subscription)
    with transaction(db):
        row = db.execute(
            "INSERT INTO push_subscriptions (person_id, endpoint, p256dh, auth, created_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(endpoint) DO UPDATE SET person_id = excluded.person_id,"
            " p256dh = excluded.p256dh, auth = excluded.auth"
            " RETURNING id",
            [person_id, endpoint, p256dh, auth, now()],
        ).fetchone()
    return row[0]


def unsubscribe(db: Database, person_id: int, endpoint: str) -> bool:
    """Forget one of a person's subscriptions; True if one was deleted."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM push_subscriptions WHERE person_id = ? AND endpoint = ?",
            [person_id, endpoint],
        )
    return cursor.rowcount > 0


def send(
    db: Database,
    person_ids: list[int],
    payload: dict,
    keys: VapidKeys,
    subscriber: str = "mailto:ictool@localhost",
    ttl: int = 300,
    private_ok: bool | None = None,
) -> SendReport:
    """Push ``payload`` to every device of these people at high urgency, deleting
    subscriptions the push service says are gone; network errors are only counted."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if len(data) > MAX_PAYLOAD_BYTES:
        raise ValueError(
            f"This alert is too large to push ({len(data)} bytes; the limit is"
            f" {MAX_PAYLOAD_BYTES}). Send less text and let the app fetch the rest."
        )
    if not subscriber.startswith("mailto:"):
        raise ValueError("The push subscriber must be a mailto: address.")
    if ttl < 0:
        raise ValueError("The push time-to-live cannot be negative.")
    rows = _subscriptions_of(db, person_ids)
    if not rows:
        return SendReport()
    from webpush import WebPush

    # A fresh instance per call: webpush keeps get() options on the instance.
    # It also writes "mailto:" itself, so hand it the bare address.
    pusher = WebPush(
        private_key=keys.private_pem.encode(),
        public_key=keys.public_pem.encode(),
        subscriber=subscriber.removeprefix("mailto:"),
        ttl=ttl,
    )
    sent = failed = 0
    gone: list[int] = []
    private_ok = allow_private() if private_ok is None else private_ok
    with requests.Session() as http:
        for row in rows:
            refused = endpoint_refusal(row["endpoint"], private_ok)
            if refused:  # stored by an older version, or its name now resolves locally
                log.warning(
                    "push to %s refused: not a public host", urlsplit(row["endpoint"]).hostname
                )
                failed += 1
                continue
            status = _post_one(http, pusher, row, data)
            if status in GONE_STATUSES:
                gone.append(row["id"])
            elif status is not None and 200 <= status < 300:
                sent += 1
            else:
                failed += 1
    if gone:
        with transaction(db):
            db.execute(
                "DELETE FROM push_subscriptions WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(gone)],
            )
    return SendReport(sent=sent, failed=failed, removed=len(gone))


def app_keys(app: Flask) -> VapidKeys:
    """This app's VAPID keys, read (or made) once from its instance folder."""
    keys = app.extensions.get("ictool.vapid")
    if keys is None:
        keys = app.extensions["ictool.vapid"] = load_or_create_vapid(Path(app.instance_path))
    return keys


def send_later(app: Flask, jobs: list[tuple[int, dict]]) -> None:
    """Push each (person id, payload) from a real OS thread, off the request and the event
    loop; a failure is logged by its type only and never touches the alert itself."""
    if not jobs or (has_app_context() and not _anyone_subscribed(get_db(), jobs)):
        return  # nobody to push to: no thread (it would contend for the GIL with the loop)
    keys = app_keys(app)
    db_path, subscriber = app.config["DB"], app.config.get("PUSH_SUBSCRIBER") or ""
    private_ok = bool(app.config.get("PUSH_ALLOW_PRIVATE"))
    grouped: dict[str, list[int]] = {}
    for person_id, payload in jobs:
        grouped.setdefault(json.dumps(payload, sort_keys=True), []).append(person_id)

    def work() -> None:
        try:
            db = connect(db_path, migrate=False)
            try:
                for payload, person_ids in grouped.items():
                    report = send(
                        db, person_ids, json.loads(payload), keys, subscriber, private_ok=private_ok
                    )
                    log.info("push sent=%s failed=%s removed=%s", *asdict(report).values())
            finally:
                db.close()
        except Exception as error:  # a push problem must never reach the alert
            log.warning("push batch failed: %s", type(error).__name__)

    _in_os_thread(work)


def _anyone_subscribed(db: Database, jobs: list[tuple[int, dict]]) -> bool:
    return bool(subscribed(db, [person_id for person_id, _payload in jobs]))


def subscribed(db: Database, person_ids: list[int]) -> set[int]:
    """Which of these people have at least one push subscription."""
    if not person_ids:
        return set()
    rows = db.execute(
        "SELECT DISTINCT person_id FROM push_subscriptions"
        " WHERE person_id IN (SELECT value FROM json_each(?))",
        [json.dumps([int(person_id) for person_id in person_ids])],
    )
    return {row[0] for row in rows}


_executor: ThreadPoolExecutor | None = None


def _in_os_thread(work) -> None:
    """Run `work` in a real thread: gevent's pool under gevent, else our own executor."""
    global _executor
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        import gevent

        gevent.get_hub().threadpool.spawn(work)
        return
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ictool-push")
    _executor.submit(work)


def _post_one(http: requests.Session, pusher: WebPush, row: dict, data: bytes) -> int | None:
    """POST one encrypted message; return the HTTP status, or None if it never arrived."""
    from webpush import WebPushException, WebPushSubscription

    host = urlsplit(row["endpoint"]).hostname
    keys = {"p256dh": row["p256dh"], "auth": row["auth"]}
    try:
        subscription = WebPushSubscription.model_validate(
            {"endpoint": row["endpoint"], "keys": keys}
        )
        message = pusher.get(message=data, subscription=subscription)
        headers = {**message.headers, "Urgency": "high"}
        response = http.post(
            row["endpoint"],
            data=message.encrypted,
            headers=headers,
            timeout=POST_TIMEOUT_SECONDS,
            allow_redirects=False,  # a push service answers; it never sends us elsewhere
        )
    except (requests.RequestException, ValueError, WebPushException) as error:
        log.warning("push to %s failed: %s", host, type(error).__name__)
        return None
    log.info("push to %s answered %s", host, response.status_code)
    return response.status_code


def _subscriptions_of(db: Database, person_ids: list[int]) -> list[dict]:
    """Every stored subscription belonging to these people."""
    return list(
        db.query(
            "SELECT id, endpoint, p256dh, auth FROM push_subscriptions"
            " WHERE person_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps([int(person_id) for person_id in person_ids])],
        )
    )


def _validated(subscription: object) -> tuple[str, str, str]:
    """Check the PushSubscription JSON shape; return endpoint, p256dh, auth."""
    shaped = subscription if isinstance(subscription, dict) else {}
    endpoint = shaped.get("endpoint")
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("The push subscription needs an http(s) endpoint address.")
    if len(endpoint) > 2048:
        raise ValueError("The push subscription's endpoint address is too long.")
    refused = endpoint_refusal(endpoint, allow_private())
    if refused:
        raise ValueError(refused)
    keys = shaped.get("keys")
    keys = keys if isinstance(keys, dict) else {}
    p256dh = _base64url(keys.get("p256dh"), "p256dh")
    auth = _base64url(keys.get("auth"), "auth")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decode(p256dh))
    except ValueError:
        raise ValueError("The push subscription's p256dh key is not a P-256 public key.") from None
    if len(_decode(auth)) != 16:
        raise ValueError("The push subscription's auth secret must be 16 bytes.")
    return endpoint, p256dh, auth


def _base64url(value: object, name: str) -> str:
    """Return ``value`` if it is a base64url string, else raise a readable error."""
    if value is None:
        raise ValueError(f"The push subscription is missing its {name} key.")
    if not isinstance(value, str) or not _BASE64URL.match(value):
        raise ValueError(f"The push subscription's {name} key must be a base64url string.")
    try:
        _decode(value)
    except (binascii.Error, ValueError):
        raise ValueError(f"The push subscription's {name} key is not valid base64url.") from None
    return value


def _decode(value: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _write_new_private_file(path: Path, text: str) -> None:
    """Write a 0600 file only if none exists yet, atomically, so two workers
    starting together agree on one key pair."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
        os.link(tmp, path)  # fails if another process won the race; we then read theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
