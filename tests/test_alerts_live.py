"""The alert channel end to end: a real `ictool serve` process, real Socket.IO clients
(join token, session cookie, Bearer header), SIGKILL, escalation on the clock, web push."""

import shutil
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import socketio
from fake_push_service import FakePushService, make_subscription
from serverproc import ServerProcess, demo_database

SECRET = "my partner keeps improvising the kiss"


class Phone:
    """A real Socket.IO client that keeps every event it receives."""

    def __init__(self, url: str, **connect: object) -> None:
        self.events: list[tuple[str, dict]] = []
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._got)
        self.sio.connect(url, transports=["websocket"], wait_timeout=5, **connect)

    def _got(self, event: str, data: dict) -> None:
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def of(self, event: str, alert_id: int | None = None) -> list[dict]:
        with self._changed:
            return [
                d
                for e, d in self.events
                if e == event and (alert_id is None or d.get("id") == alert_id)
            ]

    def wait_for(self, event: str, match=lambda data: True, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for e, data in self.events:
                    if e == event and match(data):
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"no {event} matching; got {[e for e, _ in self.events]}"
                self._changed.wait(left)

    def call(self, event: str, data: object) -> dict:
        return self.sio.call(event, data, timeout=10)

    def close(self) -> None:
        if not self.sio.connected:
            return
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:  # websocket-client waits up to 3 s for the close frame: don't
            close_socket = ws.close
            ws.close = lambda *args, **kwargs: close_socket(timeout=0.2)
        self.sio.disconnect()


@pytest.fixture
def phones():
    """Open phones on a server: by join token (default), `cookie=` or `bearer=`."""
    opened: list[Phone] = []

    def open_phone(server, name: str, how: str = "token") -> Phone:
        token = server.people[name]["token"]
        if how == "token":
            phone = Phone(server.url, auth={"token": token})
        elif how == "bearer":
            phone = Phone(server.url, headers={"Authorization": f"Bearer {token}"})
        else:
            browser = requests.Session()
            assert browser.get(f"{server.url}/join/{token}", timeout=5).ok
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            phone = Phone(server.url, headers={"Cookie": cookie})
        opened.append(phone)
        return phone

    yield open_phone
    with ThreadPoolExecutor(max(1, len(opened))) as pool:
        list(pool.map(Phone.close, opened))


def bearer(server, name: str) -> dict:
    return {"Authorization": f"Bearer {server.people[name]['token']}"}


def api(server, method: str, path: str, name: str, body=None) -> requests.Response:
    return requests.request(
        method, f"{server.url}{path}", json=body, headers=bearer(server, name), timeout=10
    )


def pause(**extra) -> dict:
    return {"kind": "pause", "client_id": str(uuid.uuid4()), **extra}


def scene_id(server, number: str) -> int:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT id FROM scenes WHERE number = ?", [number]).fetchone()[0]


def audit_actions(server, alert_id: int) -> list[str]:
    with sqlite3.connect(server.db) as db:
        rows = db.execute(
            "SELECT action FROM audit WHERE subject = ? ORDER BY id", [f"alert:{alert_id}"]
        )
        return [r[0] for r in rows]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, dict]:
    """The demo database and its join links, made once per module and copied per test."""
    path = tmp_path_factory.mktemp("seed") / "demo.db"
    return path, demo_database(path)


def serve_copy(seeded, folder: Path, **env: str):
    """A real `ictool serve` on a fresh copy of the demo database."""
    template, cast = seeded
    folder.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{template}{suffix}").exists():
            shutil.copy(f"{template}{suffix}", folder / f"live.db{suffix}")
    server = ServerProcess(folder / "live.db", folder / "instance", env=env)
    server.people = cast
    return server.start()


@pytest.fixture
def live(seeded, tmp_path):
    """conftest's `live`, without seeding the demo again for every test."""
    server = serve_copy(seeded, tmp_path / "live")
    yield server
    server.stop()


@pytest.fixture
def fast(seeded, tmp_path):
    """A server whose alerts escalate after 1 s without acknowledgement."""
    server = serve_copy(seeded, tmp_path / "fast", ICTOOL_ESCALATION_SECONDS="1")
    yield server
    server.stop()


def test_a_performers_pause_reaches_the_ad_and_the_sender_watches_it_land(live, phones):
    tom = phones(live, "Tom Brennan")  # join token in the Socket.IO auth
    alex = phones(live, "Alex Rivera", "cookie")  # the /join session cookie
    maya = phones(live, "Maya Okafor", "bearer")  # Authorization: Bearer

    sent = alex.call("alert:raise", pause(scene_id=scene_id(live, "15")))

    assert sent["status"] == 201
    alert_id = sent["alert"]["id"]
    shown = tom.wait_for("alert:new", lambda a: a["id"] == alert_id)
    assert shown["alarm"] is True and shown["kind"] == "pause"
    assert shown["scene"]["number"] == "15" and shown["sender"]["name"] == "Alex Rivera"
    assert maya.wait_for("alert:new")["id"] == alert_id
    assert alex.wait_for("alert:new")["alarm"] is False  # the sender's phone shows status

    assert tom.call("alert:received", {"id": alert_id}) == {"status": 200}
    delivered = alex.wait_for("alert:update", lambda a: a["delivered_to_ad"] is not None)
    assert delivered["state"] == "open" and delivered["seq"] > sent["alert"]["seq"]

    acked = api(live, "POST", f"/api/alerts/{alert_id}/ack", "Tom Brennan")
    assert acked.status_code == 200
    seen = alex.wait_for("alert:update", lambda a: a["state"] == "acknowledged")
    assert seen["acknowledged_by"] == "Tom Brennan"
    done = tom.call("alert:resolve", {"id": alert_id, "note": "Reset, going again"})
    assert done["status"] == 200 and done["alert"]["state"] == "resolved"
    assert alex.wait_for("alert:update", lambda a: a["state"] == "resolved")["resolved_by"]
    assert audit_actions(live, alert_id) == [
        "alert.raised",
        "alert.committed",
        "alert.delivered",
        "alert.acknowledged",
        "alert.resolved",
    ]


def test_the_ads_phone_was_offline_and_syncs_what_it_missed(live, phones):
    sent = api(live, "POST", "/api/alerts", "Sam Lindqvist", pause())
    assert sent.status_code == 201

    tom = phones(live, "Tom Brennan", "bearer")  # back in signal
    synced = tom.call("alert:sync", {"since": 0})

    assert [a["id"] for a in synced["alerts"]] == [sent.json()["id"]]
    assert synced["alerts"][0]["sender"]["name"] == "Sam Lindqvist"
    assert synced["seq"] >= sent.json()["seq"]
    assert tom.call("alert:sync", {"since": synced["seq"]})["alerts"] == []
    assert tom.of("alert:new") == []


def test_a_pause_answered_201_survives_a_crash_and_is_delivered_after_restart(live, phones):
    body = pause()
    sent = api(live, "POST", "/api/alerts", "Alex Rivera", body)
    assert sent.status_code == 201
    live.kill()  # SIGKILL the moment the phone was told "sent"
    live.start()

    listed = api(live, "GET", "/api/alerts?state=open", "Tom Brennan").json()
    assert [a["id"] for a in listed["alerts"]] == [sent.json()["id"]]
    tom = phones(live, "Tom Brennan")
    assert [a["id"] for a in tom.call("alert:sync", {"since": 0})["alerts"]] == [sent.json()["id"]]
    assert tom.call("alert:received", {"id": sent.json()["id"]})["status"] == 200
    again = api(live, "POST", "/api/alerts", "Alex Rivera", body)  # the phone retries
    assert again.status_code == 200 and again.json()["delivered_to_ad"]


def test_five_retries_of_one_client_id_make_one_alert(live, phones):
    body = pause()
    with ThreadPoolExecutor(5) as pool:
        answers = list(
            pool.map(lambda _: api(live, "POST", "/api/alerts", "Jordan Blake", body), range(5))
        )
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1

    sam = phones(live, "Sam Lindqvist")
    again = pause()
    acks = [sam.call("alert:raise", again) for _ in range(5)]
    assert [a["status"] for a in acks] == [201, 200, 200, 200, 200]
    assert len({a["alert"]["id"] for a in acks}) == 1
    with sqlite3.connect(live.db) as db:
        assert db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 2


def test_crew_see_nothing_of_others_alerts_over_socket_or_http(live, phones):
    kenji = phones(live, "Kenji Mori")
    tom = phones(live, "Tom Brennan")
    api(live, "POST", "/api/alerts", "Alex Rivera", pause())
    api(live, "POST", "/api/alerts", "Sam Lindqvist", {**pause(), "kind": "concern"})
    api(
        live,
        "POST",
        "/api/alerts",
        "Sam Lindqvist",
        {**pause(), "kind": "concern"}
        | {
            "text": SECRET,
            "audience": "ic_and_ad",
        },
    )
    tom.wait_for("alert:new", lambda a: a["text"] == SECRET)

    assert kenji.of("alert:new") == [] and kenji.of("alert:update") == []
    assert kenji.call("alert:sync", {"since": 0})["alerts"] == []
    for path in ("/api/alerts", "/api/alerts?state=all", "/api/alerts?since=0"):
        assert api(live, "GET", path, "Kenji Mori").status_code == 403
    assert api(live, "POST", "/api/alerts/1/ack", "Kenji Mori").status_code == 403

    own = kenji.call("alert:raise", pause())  # crew may raise, and follow their own alert
    assert own["status"] == 201
    kenji.wait_for("alert:new", lambda a: a["id"] == own["alert"]["id"])
    assert {a["id"] for a in kenji.of("alert:new")} == {own["alert"]["id"]}


def test_a_private_concern_reaches_the_ad_masked_and_its_text_stays_out_of_logs(live, phones):
    tom, maya = phones(live, "Tom Brennan"), phones(live, "Maya Okafor")
    sam = phones(live, "Sam Lindqvist")
    sent = sam.call("alert:raise", {**pause(), "kind": "concern", "text": SECRET})
    assert sent["status"] == 201 and sent["alert"]["text"] == SECRET

    masked = tom.wait_for("alert:new")
    assert masked["restricted"] is True and masked["label"] == "Concern raised — IC attending"
    assert masked["text"] is None and masked["sender"] is None and masked["scene"] is None
    assert maya.wait_for("alert:new")["text"] == SECRET
    listed = api(live, "GET", "/api/alerts", "Tom Brennan").json()
    assert SECRET not in str(listed) and SECRET not in str(tom.events)
    assert tom.call("alert:ack", {"id": sent["alert"]["id"]})["status"] == 403
    assert maya.call("alert:ack", {"id": sent["alert"]["id"]})["status"] == 200
    assert SECRET not in live.log_text()


def alarms(phone: Phone, level: int) -> list[dict]:
    return [a for a in phone.of("alert:update") if a["alarm"] and a["escalation_level"] == level]


def test_unacknowledged_pause_reaches_the_2nd_ad_then_everyone(fast, phones):
    maya, priya = phones(fast, "Maya Okafor"), phones(fast, "Priya Shah")
    lena, ruth = phones(fast, "Lena Voss"), phones(fast, "Ruth Adeyemi")
    sent = api(fast, "POST", "/api/alerts", "Alex Rivera", pause()).json()
    assert maya.wait_for("alert:new")["escalation_level"] == 0
    assert priya.of("alert:new") == [] and lena.of("alert:update") == []

    reached = priya.wait_for("alert:update", lambda a: a["escalation_level"] == 1)
    assert reached["alarm"] is True and reached["id"] == sent["id"]
    assert ruth.wait_for("alert:update", lambda a: a["escalation_level"] >= 1)["alarm"]
    assert maya.wait_for("alert:update", lambda a: a["escalation_level"] == 1)["alarm"]
    assert lena.of("alert:update") == []  # the director only at level 2
    assert lena.wait_for("alert:update", lambda a: a["escalation_level"] == 2)["alarm"]
    time.sleep(1.0)  # give a repeat every chance to (wrongly) happen
    assert len(alarms(maya, 1)) == 1 and len(alarms(maya, 2)) == 1
    assert audit_actions(fast, sent["id"]).count("alert.escalated") == 2


def test_two_server_processes_on_one_database_escalate_once(fast, phones, tmp_path):
    twin = ServerProcess(fast.db, tmp_path / "twin", env={"ICTOOL_ESCALATION_SECONDS": "1"})
    twin.start()
    try:
        twin.people = fast.people
        on_fast, on_twin = phones(fast, "Maya Okafor"), phones(twin, "Maya Okafor")
        sent = api(twin, "POST", "/api/alerts", "Alex Rivera", pause()).json()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if alarms(on_fast, 2) or alarms(on_twin, 2):
                break
            time.sleep(0.05)
        time.sleep(1.0)  # the other process's loop is still running: no repeat
    finally:
        twin.stop()
    both = [len(alarms(on_fast, n)) + len(alarms(on_twin, n)) for n in (1, 2)]
    assert both == [1, 1]
    assert audit_actions(fast, sent["id"]).count("alert.escalated") == 2


def test_an_acknowledged_pause_does_not_escalate(fast, phones):
    priya = phones(fast, "Priya Shah")
    sent = api(fast, "POST", "/api/alerts", "Alex Rivera", pause()).json()
    assert api(fast, "POST", f"/api/alerts/{sent['id']}/ack", "Tom Brennan").status_code == 200
    time.sleep(2.5)
    assert priya.of("alert:update") == [] and priya.of("alert:new") == []
    assert "alert.escalated" not in audit_actions(fast, sent["id"])


@pytest.fixture
def pushing(seeded, tmp_path):
    """A server that may push to the local fake push service (loopback, http)."""
    server = serve_copy(seeded, tmp_path / "push", ICTOOL_PUSH_ALLOW_PRIVATE="1")
    yield server
    server.stop()


def test_web_push_reaches_the_ads_phone_without_the_concern_text_and_410_forgets_it(
    pushing, phones
):
    live = pushing
    key = api(live, "GET", "/api/push/key", "Tom Brennan").json()["applicationServerKey"]
    assert len(key) > 80
    with FakePushService() as service:
        subscription = make_subscription(service, "tom-phone")
        subscribed = api(live, "POST", "/api/push/subscribe", "Tom Brennan", subscription)
        assert subscribed.status_code == 201
        french = api(live, "POST", "/api/me/language", "Tom Brennan", {"language": "fr"})
        assert french.status_code == 200
        api(
            live,
            "POST",
            "/api/alerts",
            "Sam Lindqvist",
            {**pause(), "kind": "concern"} | {"text": SECRET},
        )
        deadline = time.monotonic() + 10
        while not service.messages_for("tom-phone") and time.monotonic() < deadline:
            time.sleep(0.05)
        (message,) = service.messages_for("tom-phone")
        # in the language Tom chose, and without the words of the concern
        assert message.payload["title"] == "Signalement"
        assert message.payload["body"] == "Signalement envoyé — l'IC arrive"
        assert SECRET not in str(message.payload)
        assert message.headers["urgency"] == "high" and int(message.headers["ttl"]) >= 300

        service.answer("tom-phone", 410)
        api(live, "POST", "/api/alerts", "Alex Rivera", pause())
        while not service.rejected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.status for r in service.rejected] == [410]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with sqlite3.connect(live.db) as db:
                if db.execute("SELECT COUNT(*) FROM push_subscriptions").fetchone()[0] == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the gone subscription was not deleted")
    gone = api(live, "POST", "/api/push/unsubscribe", "Tom Brennan", {"endpoint": "x"})
    assert gone.json() == {"removed": False}
    assert SECRET not in live.log_text()


def test_the_ic_sees_the_ad_come_and_go(live, phones):
    maya = phones(live, "Maya Okafor")
    tom = phones(live, "Tom Brennan")
    online = maya.wait_for("presence:update", lambda p: p["online"])
    assert online == {
        "person_id": live.people["Tom Brennan"]["id"],
        "role": "first_ad",
        "online": True,
    }
    listed = {
        p["name"]: p["online"] for p in api(live, "GET", "/api/presence", "Maya Okafor").json()
    }
    assert listed["Tom Brennan"] is True and listed["Priya Shah"] is False
    tom.close()
    maya.wait_for("presence:update", lambda p: not p["online"])
    assert api(live, "GET", "/api/presence", "Alex Rivera").status_code == 403
