"""The connection budget: idle sockets from one phone (or one attacker) on the set's Wi-Fi
cannot use up the server's file descriptors, so /healthz, sign-in and a pause still answer.

- At start the process raises its own file-descriptor soft limit to the hard limit
  (or to FD_LIMIT when set, which the tests use to make the budget small).
- Long-lived sockets (Engine.IO connections: a phone's live channel, two descriptors each
  under gevent) may use the limit minus FD_RESERVE; the reserve is for short HTTP
  requests. Beyond, a new socket is refused. TCP connections stop being accepted
  FLOOR + ACCEPT_BURST descriptors before the limit, so accept() itself never fails.
- One address may hold at most SOCKETS_PER_ADDRESS sockets (a whole set behind one NAT
  fits the default) and, under `ictool serve`, CONNECTIONS_PER_ADDRESS TCP connections.
- A socket that has not signed in within SOCKET_SIGN_IN_SECONDS is closed; every
  TOKEN_CHECK_SECONDS the tokens of the signed-in ones are checked again (an expired or
  revoked token, or a deactivated person, is disconnected even if nobody asked).
- Under `ictool serve`, a TCP connection that sends no request line within
  HTTP_IDLE_SECONDS is closed (a keep-alive connection left idle, or one never used).

Counted in this process's memory; behind a proxy (PROXY_HOPS) the per-address counts use
the forwarded address and the TCP-level count per address is left to the proxy.
"""

import logging
import resource
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)

FLOOR = 64  # descriptors never handed to connections: database, logs, queue, thread pools
ACCEPT_BURST = 100  # gevent accepts up to this many connections before any is looked at
FDS_PER_SOCKET = 2  # under gevent, simple-websocket works on a duplicate of the connection
SWEEP_SECONDS = 0.5


class Budget:
    """Engine.IO sockets by address, and those still waiting to sign in."""

    def __init__(self, per_address: int, limit: int, sign_in_seconds: float) -> None:
        self.per_address, self.limit, self.sign_in_seconds = per_address, limit, sign_in_seconds
        self.by_address: dict[str, int] = {}
        self.address_of: dict[str, str] = {}
        self.waiting: dict[str, float] = {}  # eio sid -> when it must have signed in
        self.lock = threading.Lock()

    def admit(self, eio_sid: str, address: str) -> bool:
        with self.lock:
            if len(self.address_of) >= self.limit:
                return False
            if self.by_address.get(address, 0) >= self.per_address:
                return False
            self.by_address[address] = self.by_address.get(address, 0) + 1
            self.address_of[eio_sid] = address
            self.waiting[eio_sid] = time.monotonic() + self.sign_in_seconds
            return True

    def signed_in(self, eio_sid: str) -> None:
        with self.lock:
            self.waiting.pop(eio_sid, None)

    def gone(self, eio_sid: str) -> None:
        with self.lock:
            self.waiting.pop(eio_sid, None)
            address = self.address_of.pop(eio_sid, None)
            if address is not None:
                left = self.by_address.get(address, 1) - 1
                if left > 0:
                    self.by_address[address] = left
                else:
                    self.by_address.pop(address, None)

    def later(self, eio_sid: str, seconds: float) -> None:
        with self.lock:
            if eio_sid in self.waiting:
                self.waiting[eio_sid] = time.monotonic() + seconds

    def overdue(self) -> list[str]:
        now = time.monotonic()
        with self.lock:
            return [sid for sid, deadline in self.waiting.items() if deadline < now]


def raise_fd_limit(wanted: int | None = None) -> int:
    """Raise this process's descriptor soft limit to the hard limit (or to `wanted`, never
    above the hard limit); return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = hard if hard != resource.RLIM_INFINITY else 1_048_576
    target = min(int(wanted), ceiling) if wanted else ceiling
    if target != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as error:
            log.warning("could not set the file-descriptor limit to %s: %s", target, error)
    return soft


def fd_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def address_of(environ: dict, hops: int) -> str:
    """The client's address: the socket's peer, or the address a trusted proxy forwarded."""
    if hops:
        forwarded = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return environ.get("REMOTE_ADDR") or "unknown"


class TcpCount:
    """TCP connections open now, in all and by address (for `ictool serve`'s handler)."""

    def __init__(self, per_address: int, limit: int) -> None:
        self.per_address, self.limit = per_address, limit
        self.total, self.by_address = 0, {}
        self.lock = threading.Lock()

    def admit(self, address: str | None) -> bool:
        with self.lock:
            if self.total >= self.limit:
                return False
            if address is not None and self.by_address.get(address, 0) >= self.per_address:
                return False
            self.total += 1
            if address is not None:
                self.by_address[address] = self.by_address.get(address, 0) + 1
            return True

    def release(self, address: str | None) -> None:
        with self.lock:
            self.total -= 1
            if address is not None:
                left = self.by_address.get(address, 1) - 1
                if left > 0:
                    self.by_address[address] = left
                else:
                    self.by_address.pop(address, None)


def budgeted_handler(app: Flask, base: type) -> type:
    """A gevent pywsgi handler class that counts TCP connections (refusing one beyond the
    limits at once) and closes a connection that sends no request line in time."""

    hops = int(app.config["PROXY_HOPS"])
    # every connection holds one descriptor, and each live socket one more (its duplicate)
    tcp_limit = max(1, fd_limit() - FLOOR - ACCEPT_BURST - budget(app).limit)
    count = TcpCount(int(app.config["CONNECTIONS_PER_ADDRESS"]), tcp_limit)
    idle = float(app.config["HTTP_IDLE_SECONDS"])

    class BudgetedHandler(base):
        def handle(self):
            address = None if hops else (self.client_address or ("unknown",))[0]
            if not count.admit(address):
                try:
                    self.socket.close()
                finally:
                    self.__dict__.pop("socket", None)
                return
            try:
                super().handle()
            finally:
                count.release(address)

        def handle_one_request(self):
            result = super().handle_one_request()
            environ = getattr(self, "environ", None) or {}
            if result is True and environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                return None  # the WebSocket has ended: close the connection, free its fd
            return result

        def read_requestline(self):
            self.socket.settimeout(idle)  # an idle or silent connection is let go
            try:
                return super().read_requestline()
            except TimeoutError:
                return None
            finally:
                if getattr(self, "socket", None) is not None:
                    self.socket.settimeout(None)

    return BudgetedHandler


def budget(app: Flask) -> Budget:
    return app.extensions["ictool.connections"]


def init_app(app: Flask) -> None:
    """Count the app's sockets: wrap Engine.IO's connect and disconnect, and start the
    sweep that closes sockets that never signed in (call after realtime.init_app)."""
    from ictool.realtime import socketio

    limit = raise_fd_limit(app.config["FD_LIMIT"])
    reserve = int(app.config["FD_RESERVE"])
    app.extensions["ictool.connections"] = counts = Budget(
        int(app.config["SOCKETS_PER_ADDRESS"]),
        max(1, (limit - reserve) // FDS_PER_SOCKET),
        float(app.config["SOCKET_SIGN_IN_SECONDS"]),
    )
    hops = int(app.config["PROXY_HOPS"])
    eio = socketio.server.eio
    on_connect, on_disconnect = eio.handlers["connect"], eio.handlers["disconnect"]

    def connect(eio_sid, environ):
        if not counts.admit(eio_sid, address_of(environ, hops)):
            return False  # Engine.IO answers 401 and closes it
        return on_connect(eio_sid, environ)

    def disconnect(eio_sid, *reason):
        counts.gone(eio_sid)
        return on_disconnect(eio_sid, *reason)

    eio.on("connect", connect)
    eio.on("disconnect", disconnect)
    if sweep_enabled(app):
        socketio.start_background_task(_sweep, app)


def sweep_enabled(app: Flask) -> bool:
    """On under `ictool serve` (gevent); in-process test apps call `sweep_once`."""
    import os

    flag = app.config.get("CONNECTION_SWEEP")
    if flag is None:
        return os.environ.get("ICTOOL_GEVENT") == "1"
    return flag not in (False, 0, "0", "false", "no", "")


def sweep_once(app: Flask, check_tokens: bool) -> None:
    """Close the sockets past their sign-in time; with `check_tokens`, also those whose
    token is no longer live."""
    from ictool import sockets
    from ictool.realtime import close_transport, socketio

    counts = budget(app)
    for eio_sid in counts.overdue():
        transport = socketio.server.eio.sockets.get(eio_sid)
        if transport is None:  # gone without a word
            counts.gone(eio_sid)
        elif not transport.connected:  # still opening: closing now would leave it running
            counts.later(eio_sid, SWEEP_SECONDS)
        else:
            counts.signed_in(eio_sid)  # asked once; Engine.IO's disconnect forgets it
            close_transport(eio_sid)
    if check_tokens:
        with app.app_context():
            sockets.drop_dead_tokens()


def _sweep(app: Flask) -> None:
    from ictool.realtime import socketio

    every = float(app.config["TOKEN_CHECK_SECONDS"])
    checked = time.monotonic()
    while True:
        try:
            due = time.monotonic() - checked >= every
            sweep_once(app, due)
            if due:
                checked = time.monotonic()
        except Exception as error:  # keep sweeping whatever one round hit
            log.error("connection sweep failed: %s", type(error).__name__)
        socketio.sleep(SWEEP_SECONDS)
