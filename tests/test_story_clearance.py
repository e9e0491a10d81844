"""The story of issue 4, told by the people on set: the IC changes the blocking after both
performers agreed, the scene stops being cleared and says why, both read what changed and
agree again, it is cleared; a withdrawal reaches the 1st AD and un-clears it; someone off
the roster checks in and is flagged; Sam's late rider is flagged all along. Then the same
live: a real server and a real Socket.IO client on the 1st AD's phone."""

import threading
import time

import requests
import socketio
from conftest import csrf


def _post(client, path: str, body: dict | None = None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": csrf(client)})


def _codes(clearance: dict) -> list[str]:
    return [r["code"] for r in clearance["reasons"]]


def test_the_scene_is_cleared_only_with_consent_to_what_will_be_shot(login, db):
    bed = next(s for s in db["scenes"].rows if s["number"] == "15")
    base = f"/api/scenes/{bed['id']}"
    ic, ad, costume = login("Maya Okafor"), login("Tom Brennan"), login("Marta Nowak")
    alex, sam, dev = login("Alex Rivera"), login("Sam Lindqvist"), login("Dev Malhotra")

    # The day starts: both performers agree to version 1, the set is prepared and closed.
    for performer in (alex, sam):
        assert _post(performer, base + "/consent", {"version": 1}).status_code == 200
        assert _post(performer, base + "/good-to-go", {"take": 1, "ok": True}).status_code == 200
    item = _post(ic, base + "/garments", {"item": "Modesty garments and barrier cushion"})
    for confirmer in (ic, costume):
        assert (
            _post(confirmer, f"{base}/garments/{item.get_json()['id']}/confirm").status_code == 200
        )
    assert _post(ad, base + "/set-closed").status_code == 201
    cleared = ad.get(base + "/clearance").get_json()
    assert cleared["cleared"] is True
    assert _codes(cleared) == ["rider_late"]  # flagged, not stopping the scene
    assert "Sam Lindqvist" in cleared["reasons"][0]["text"]

    # On the day, the IC changes the blocking after both agreed.
    v1 = ic.get(base + "/blocking").get_json()[0]["beats"]
    changed = [*v1[:3], "Alex kisses Sam's shoulder; Sam's hand stays on Alex's back.", *v1[3:]]
    assert _post(ic, base + "/blocking", {"beats": changed}).status_code == 201
    now = ad.get(base + "/clearance").get_json()
    assert now["cleared"] is False
    pending = next(r for r in now["reasons"] if r["code"] == "consent_pending")
    assert pending["text"] == (
        "Waiting for consent to blocking version 2: Alex Rivera, Sam Lindqvist."
    )

    # Each performer sees exactly what changed, on their phone, then agrees to version 2.
    for performer in (alex, sam):
        mine = performer.get(base + "/consent").get_json()["mine"]
        assert mine["must_confirm"] and mine["confirmed_version"] == 1
        assert [c for c in mine["changes"] if c["change"] != "same"] == [
            {"change": "added", "beat": changed[3]}
        ]
        page = performer.get("/me").get_data(as_text=True)
        assert changed[3].replace("'", "&#39;") in page and "I agree to version 2" in page
        assert _post(performer, base + "/consent", {"version": 2}).status_code == 200
    assert ad.get(base + "/clearance").get_json()["cleared"] is True

    # Sam withdraws, in one tap: the 1st AD is alerted and the scene is not cleared.
    assert _post(sam, base + "/consent/withdraw").status_code == 201
    open_alerts = ad.get("/api/alerts?state=open").get_json()
    alerts_list = open_alerts["alerts"] if isinstance(open_alerts, dict) else open_alerts
    withdrawal = next(a for a in alerts_list if a["kind"] == "withdrawal")
    assert withdrawal["scene"]["id"] == bed["id"]
    assert withdrawal["sender"]["name"] == "Sam Lindqvist"
    now = ad.get(base + "/clearance").get_json()
    assert now["cleared"] is False
    assert next(r for r in now["reasons"] if r["code"] == "consent_withdrawn")["text"] == (
        "Consent withdrawn: Sam Lindqvist."
    )
    assert "Consent withdrawn" in ic.get("/ic").get_data(as_text=True)

    # Sam agrees again later; then the grip, who is not on the roster, checks in.
    assert _post(sam, base + "/consent", {"version": 2}).status_code == 200
    assert ad.get(base + "/clearance").get_json()["cleared"] is True
    checked = _post(dev, base + "/checkins", {"no_photo_ack": True})
    assert checked.status_code == 201 and checked.get_json()["on_roster"] is False
    now = ad.get(base + "/clearance").get_json()
    assert now["cleared"] is False and "off_roster_present" in _codes(now)
    board = ad.get("/ad").get_data(as_text=True)
    assert "Dev Malhotra" in board and "not on the roster" in board
    assert (
        _post(
            login("Priya Shah"), base + "/checkouts", {"person_id": checked.get_json()["person_id"]}
        ).status_code
        == 200
    )
    assert ad.get(base + "/clearance").get_json()["cleared"] is True


class Phone:
    """A real Socket.IO client that keeps what it receives."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[tuple[str, dict]] = []
        self._cv = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._got)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=5)

    def _got(self, event: str, data: dict) -> None:
        with self._cv:
            self.events.append((event, data))
            self._cv.notify_all()

    def wait_for(self, event: str, match, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for name, data in self.events:
                    if name == event and match(data):
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"no matching {event}; got {[n for n, _ in self.events]}"
                self._cv.wait(left)


def test_the_1st_ads_phone_sees_clearance_change_live(live):
    def api(name: str, method: str, path: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {live.people[name]['token']}"}
        return requests.request(method, live.url + path, json=body, headers=headers, timeout=10)

    bed = next(s for s in api("Tom Brennan", "GET", "/api/scenes").json() if s["number"] == "15")
    base = f"/api/scenes/{bed['id']}"
    ad = Phone(live.url, live.people["Tom Brennan"]["token"])
    try:
        assert api("Alex Rivera", "POST", base + "/consent", {"version": 1}).status_code == 200
        sam_id = live.people["Sam Lindqvist"]["id"]
        ad.wait_for(
            "scene:clearance",
            lambda d: (
                d["scene_id"] == bed["id"]
                and any(
                    r["code"] == "consent_pending" and r["people"] == [sam_id] for r in d["reasons"]
                )
            ),
        )
        beats = api("Maya Okafor", "GET", base + "/blocking").json()[0]["beats"]
        assert api("Maya Okafor", "POST", base + "/blocking", {"beats": beats + ["Cut."]}).ok
        update = ad.wait_for(
            "scene:clearance",
            lambda d: any("version 2" in r["text"] for r in d["reasons"]),
        )
        assert update["cleared"] is False
        assert "Alex Rivera, Sam Lindqvist" in next(
            r["text"] for r in update["reasons"] if r["code"] == "consent_pending"
        )

        assert api("Sam Lindqvist", "POST", base + "/consent/withdraw").status_code == 201
        alarm = ad.wait_for("alert:new", lambda d: d["kind"] == "withdrawal")
        assert alarm["scene"]["id"] == bed["id"]
        ad.wait_for(
            "scene:clearance",
            lambda d: "consent_withdrawn" in {r["code"] for r in d["reasons"]},
        )

        assert api("Dev Malhotra", "POST", base + "/checkins", {}).status_code == 201
        flag = ad.wait_for("scene:off_roster", lambda d: d["scene_id"] == bed["id"])
        assert flag["name"] == "Dev Malhotra"
    finally:
        ad.sio.disconnect()
