"""Issue 16 as attacks from an insider with one phone on the set's Wi-Fi: a closure answer
read by colleagues, one bad character breaking pages, a rewritten record, and the smaller
leaks (the producer's report, calendar.ics, push endpoints, a copied cookie).

Each test is the attack, against a real `ictool serve` process with real clients."""

import sqlite3
import time

import requests
import socketio


def _bearer(live, name: str) -> dict:
    return {"Authorization": f"Bearer {live.people[name]['token']}"}


def _cookie(live, name: str) -> requests.Session:
    """A browser-like session signed in through the person's join link."""
    s = requests.Session()
    r = s.get(f"{live.url}/join/{live.people[name]['token']}", allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return s


def _scene_id(live, number: str) -> int:
    with sqlite3.connect(live.db) as conn:
        return conn.execute("SELECT id FROM scenes WHERE number = ?", [number]).fetchone()[0]


def _socket(live, name: str, events: list) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: events.append((event, data)))
    client.connect(live.url, auth={"token": live.people[name]["token"]}, transports=["websocket"])
    return client


# --- finding 4: a closure answer is the IC's and its author's only -------------------------


def test_a_performers_wish_to_talk_is_read_by_the_ic_alone(live):
    bed = _scene_id(live, "15")
    api = f"{live.url}/api/scenes/{bed}"
    r = requests.post(f"{api}/wrap", headers=_bearer(live, "Tom Brennan"), json={})
    assert r.status_code == 201
    heard: dict[str, list] = {}
    watchers = {
        name: _socket(live, name, heard.setdefault(name, []))
        for name in ("Tom Brennan", "Lena Voss", "Sam Lindqvist", "Maya Okafor")
    }
    try:
        r = requests.post(
            f"{api}/closure", headers=_bearer(live, "Alex Rivera"), json={"status": "talk"}
        )
        assert r.status_code == 200
        alex = live.people["Alex Rivera"]["id"]

        def alex_closure(name: str) -> str:
            r = requests.get(f"{api}/closed-set", headers=_bearer(live, name))
            assert r.status_code == 200, (name, r.status_code)
            return next(c["status"] for c in r.json()["closure"] if c["person_id"] == alex)

        for name in ("Sam Lindqvist", "Lena Voss", "Tom Brennan", "Priya Shah"):
            assert alex_closure(name) == "answered", name
        assert alex_closure("Maya Okafor") == "talk"
        assert alex_closure("Alex Rivera") == "talk"
        for name, page in (("Tom Brennan", "/ad"), ("Sam Lindqvist", "/me")):
            html = _cookie(live, name).get(f"{live.url}{page}").text
            assert "Alex Rivera: would like to talk" not in html, name
            assert "Alex Rivera: answered" in html, name
        assert (
            "Alex Rivera: would like to talk"
            in _cookie(live, "Maya Okafor").get(f"{live.url}/ic").text
        )
        time.sleep(1)
        for name in ("Tom Brennan", "Lena Voss", "Sam Lindqvist"):
            said = [d for e, d in heard[name] if isinstance(d, dict) and d.get("status") == "talk"]
            assert not said, name
            assert "scene:closure" not in [e for e, _d in heard[name]], name
        assert any(e == "scene:closure" for e, _d in heard["Maya Okafor"])
    finally:
        for w in watchers.values():
            w.disconnect()
