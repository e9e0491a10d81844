"""Scale-out: two `ictool serve` processes on one database and one Redis message queue.
A pause raised on A reaches the AD on B; escalation fires once; when Redis restarts,
phones catch up from the database by seq and live delivery comes back."""

import shutil
import threading
import time
import uuid

import pytest
import socketio
from serverproc import ServerProcess, demo_database

from ictool.db import connect
from ictool_load.loadkit import RedisServer


class Phone:
    """A real Socket.IO client keeping every alert event it receives."""

    def __init__(self, server: ServerProcess, name: str, reconnection: bool = False) -> None:
        self.events: list[tuple[str, dict]] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2)
        self.sio.on("*", self._got)
        self.sio.connect(
            server.url,
            auth={"token": server.people[name]["token"]},
            transports=["websocket"],
            wait_timeout=10,
        )

    def _got(self, event: str, data: dict) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def wait_for(self, event: str, match, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for e, data in self.events:
                    if e == event and match(data):
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"no matching {event}; got {[e for e, _ in self.events]}"
                self.changed.wait(left)

    def count(self, event: str, match) -> int:
        with self.changed:
            return sum(1 for e, d in self.events if e == event and match(d))

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server (apt-get install -y redis-server)")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def pair(tmp_path, redis_server):
    """Processes A and B: one database, one Redis, escalation every second."""
    db_path = tmp_path / "shared.db"
    cast = demo_database(db_path)
    env = {"ICTOOL_MESSAGE_QUEUE": redis_server.url, "ICTOOL_ESCALATION_SECONDS": "1"}
    a = ServerProcess(db_path, tmp_path / "a", env=env)
    b = ServerProcess(db_path, tmp_path / "b", env=env)
    for server in (a, b):
        server.people = cast
        server.start()
    yield a, b
    for server in (a, b):
        server.stop()


def pause() -> dict:
    return {"kind": "pause", "client_id": f"scale-{uuid.uuid4().hex}"}


def concern() -> dict:
    """A new concern each time (a second pause while the first is open is the same alert)."""
    return {"kind": "concern", "client_id": f"scale-{uuid.uuid4().hex}", "text": uuid.uuid4().hex}


def test_a_pause_raised_on_a_reaches_the_ad_on_b(pair):
    a, b = pair
    ad = Phone(b, "Tom Brennan")
    performer = Phone(a, "Alex Rivera")
    try:
        sent = pause()
        ack = performer.sio.call("alert:raise", sent, timeout=10)
        assert ack["status"] == 201
        got = ad.wait_for("alert:new", lambda v: v["client_id"] == sent["client_id"])
        assert got["seq"] == ack["alert"]["seq"] and got["kind"] == "pause"
        acked = ad.sio.call("alert:ack", {"id": got["id"]}, timeout=10)
        assert acked["status"] == 200
        performer.wait_for("alert:update", lambda v: v["state"] == "acknowledged")
    finally:
        performer.close()
        ad.close()


def test_escalation_fires_once_across_processes(pair):
    a, b = pair
    second_ad_on_a, second_ad_on_b = Phone(a, "Priya Shah"), Phone(b, "Priya Shah")
    director = Phone(b, "Lena Voss")
    performer = Phone(a, "Alex Rivera")
    try:
        ack = performer.sio.call("alert:raise", pause(), timeout=10)
        alert_id = ack["alert"]["id"]
        director.wait_for(
            "alert:update", lambda v: v["id"] == alert_id and v["escalation_level"] == 2
        )
        time.sleep(2)  # both processes' loops keep running: a repeat would show now

        def level(n):
            return lambda v: v["id"] == alert_id and v["escalation_level"] == n and v["alarm"]

        for phone in (second_ad_on_a, second_ad_on_b):
            assert phone.count("alert:update", level(1)) == 1
        assert director.count("alert:update", level(2)) == 1
        db = connect(str(a.db), migrate=False)
        escalated = db.execute(
            "SELECT COUNT(*) FROM audit WHERE action = 'alert.escalated' AND subject = ?",
            [f"alert:{alert_id}"],
        ).fetchone()[0]
        db.close()
        assert escalated == 2
    finally:
        for phone in (second_ad_on_a, second_ad_on_b, director, performer):
            phone.close()


def test_when_redis_restarts_phones_catch_up_from_the_database(pair, redis_server):
    a, b = pair
    ad = Phone(b, "Tom Brennan", reconnection=True)
    performer = Phone(a, "Alex Rivera", reconnection=True)
    try:
        first = pause()
        performer.sio.call("alert:raise", first, timeout=10)
        seen = ad.wait_for("alert:new", lambda v: v["client_id"] == first["client_id"])["seq"]

        redis_server.stop()  # the queue is gone: commits go on, live delivery cannot
        during = concern()
        ack = performer.sio.call("alert:raise", during, timeout=15)
        assert ack["status"] == 201  # committed, and the sender is told so
        redis_server.start()  # same port, empty

        caught_up = ad.sio.call("alert:sync", {"since": seen}, timeout=10)
        assert caught_up["status"] == 200
        assert during["client_id"] in [v["client_id"] for v in caught_up["alerts"]]
        assert caught_up["seq"] >= ack["alert"]["seq"]

        # live delivery comes back once both processes have reconnected to Redis
        deadline = time.monotonic() + 60
        while True:
            after = concern()
            performer.sio.call("alert:raise", after, timeout=15)
            try:
                ad.wait_for("alert:new", lambda v, c=after["client_id"]: v["client_id"] == c, 3)
                break
            except AssertionError:
                assert time.monotonic() < deadline, "live delivery did not come back"
    finally:
        performer.close()
        ad.close()
