"""A local stand-in for a browser vendor's push service, for tests.

It checks what a real push service checks (the VAPID JWT, the headers) and
decrypts each message (RFC 8291, aes128gcm) with the subscriber's private key,
as the browser would, so a test can assert on exactly what a phone receives.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

URGENCIES = ("very-low", "low", "normal", "high")


@dataclass
class Received:
    """One message the fake accepted: who it was for, the decrypted JSON, headers."""

    name: str
    payload: object
    headers: dict[str, str]
    claims: dict


@dataclass
class Rejected:
    """One request the fake refused, with the status it answered and why."""

    name: str
    status: int
    reason: str


@dataclass
class _Subscriber:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes


@dataclass
class FakePushService:
    """Threaded HTTP push service on 127.0.0.1; use as a context manager."""

    received: list[Received] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    _subscribers: dict[str, _Subscriber] = field(default_factory=dict)
    _answers: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Origin of the running service, e.g. http://127.0.0.1:54321."""
        assert self._server is not None, "start() the fake push service first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakePushService:
        """Listen on a free port in a background thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakePushService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_subscriber(self, name: str, private_key, auth_secret: bytes) -> str:
        """Register a device's keys; return its endpoint URL."""
        with self._lock:
            self._subscribers[name] = _Subscriber(private_key, auth_secret)
        return f"{self.url}/push/{name}"

    def answer(self, name: str, status: int) -> None:
        """From now on, answer this subscription with ``status`` (e.g. 404, 410)."""
        with self._lock:
            self._answers[name] = status

    def messages_for(self, name: str) -> list[Received]:
        """Messages accepted for one subscription, oldest first."""
        with self._lock:
            return [m for m in self.received if m.name == name]


def make_subscription(service: FakePushService, name: str) -> dict:
    """A browser-shaped PushSubscription JSON whose endpoint is ``service``."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    endpoint = service.add_subscriber(name, private_key, auth_secret)
    public = private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": _b64url(public), "auth": _b64url(auth_secret)},
    }


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _handler_for(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            name = self.path.removeprefix("/push/")
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                message = _accept(service, self.path, name, dict(self.headers), body)
            except _Refused as refused:
                with service._lock:
                    service.rejected.append(Rejected(name, refused.status, refused.reason))
                self.send_response(refused.status)
                self.end_headers()
                self.wfile.write(refused.reason.encode())
                return
            with service._lock:
                service.received.append(message)
            self.send_response(201)
            self.send_header("Location", f"/message/{len(service.received)}")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass  # keep test output quiet

    return Handler


def _accept(
    service: FakePushService, path: str, name: str, raw_headers: dict, body: bytes
) -> Received:
    """Validate one push request as a real push service would; decrypt it."""
    headers = {k.lower(): v for k, v in raw_headers.items()}
    with service._lock:
        subscriber = service._subscribers.get(name)
        forced = service._answers.get(name)
    if not path.startswith("/push/") or subscriber is None:
        raise _Refused(404, "no such subscription")
    claims = _verify_vapid(headers.get("authorization", ""), service.url)
    if headers.get("content-encoding") != "aes128gcm":
        raise _Refused(415, "content-encoding must be aes128gcm")
    if not headers.get("ttl", "").isdigit():
        raise _Refused(400, "ttl header missing or not a number")
    if headers.get("urgency", "normal") not in URGENCIES:
        raise _Refused(400, "urgency header is not a known value")
    if forced is not None:
        raise _Refused(forced, "told to answer this way")
    try:
        plain = http_ece.decrypt(
            body,
            private_key=subscriber.private_key,
            auth_secret=subscriber.auth_secret,
            version="aes128gcm",
        )
        payload = json.loads(plain)
    except Exception as error:  # any failure here means the device could not read it
        raise _Refused(400, f"cannot decrypt: {type(error).__name__}") from None
    return Received(name, payload, headers, claims)


def _verify_vapid(authorization: str, origin: str) -> dict:
    """Check ``vapid t=<jwt>, k=<key>``: ES256 signature by k, aud, exp, sub."""
    scheme, _, params = authorization.partition(" ")
    fields = dict(p.strip().partition("=")[::2] for p in params.split(","))
    if scheme.lower() != "vapid" or not fields.get("t") or not fields.get("k"):
        raise _Refused(401, "authorization must be 'vapid t=..., k=...'")
    try:
        point = base64.urlsafe_b64decode(fields["k"] + "=" * (-len(fields["k"]) % 4))
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise _Refused(401, "k is not a P-256 public key") from None
    # webpush leaves the port out of aud; a real service has no port to lose.
    without_port = origin.rsplit(":", 1)[0]
    try:
        claims = jwt.decode(
            fields["t"],
            key,
            algorithms=["ES256"],
            audience=[origin, without_port],
            options={"require": ["aud", "exp", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise _Refused(403, f"vapid token rejected: {type(error).__name__}: {error}") from None
    if not claims["sub"].startswith(("mailto:", "https:")):
        raise _Refused(403, "vapid sub must be a mailto: or https: contact")
    return claims


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
