"""Editing the schedule of a real production, from an empty database: shoot days and scenes
added, edited, moved, reordered and deleted on the Schedule page and in the API; a move
re-evaluates rider notice and clearance and reaches the open screens live."""

import json

import pytest
from conftest import csrf

from ictool import audit, blocking, clearance, consent, create_app, people, productions, scenes
from ictool.db import connect
from ictool.realtime import socketio

TEAM = {
    "producer": ("Ruth Adeyemi", "producer"),
    "ad": ("Tom Brennan", "first_ad"),
    "second_ad": ("Priya Shah", "second_ad"),
    "ic": ("Maya Okafor", "coordinator"),
    "director": ("Lena Voss", "director"),
    "alex": ("Alex Rivera", "performer"),
    "jordan": ("Jordan Blake", "performer"),
    "crew": ("Kenji Mori", "crew"),
}


@pytest.fixture
def show(tmp_path):
    """An app on an empty database, then one production (March 2027) and its team, made with
    the domain functions a setup page or the CLI uses; no demo data."""
    app = create_app(
        {"TESTING": True, "DB": str(tmp_path / "show.db"), "SECRET_KEY": "t"},
        instance_path=str(tmp_path / "instance"),
    )
    db = connect(app.config["DB"])
    assert db["scenes"].count == 0 and db["productions"].count == 0
    pid = productions.create(
        db, "Harbour Lights", "equity_uk", starts_on="2027-03-01", ends_on="2027-03-31"
    )
    ids = {
        key: people.add(db, pid, name, role, department="camera" if role == "crew" else None)
        for key, (name, role) in TEAM.items()
    }

    def login(key: str):
        client = app.test_client()
        assert client.get(f"/join/{people.issue_token(db, ids[key])}").status_code == 302
        client.headers = {"X-CSRF-Token": csrf(client)}
        return client

    yield type("Show", (), {"app": app, "db": db, "pid": pid, "ids": ids, "login": login})
    db.close()


def call(client, method: str, url: str, body: dict | None = None):
    return client.open(url, method=method, json=body, headers=client.headers)


def _day(client, date: str, call_time: str = "07:00", location: str = "Studio 1") -> int:
    answer = call(
        client, "POST", "/api/days", {"date": date, "location": location, "call_time": call_time}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def _scene(client, number: str, day_id: int | None, **fields) -> dict:
    body = {"number": number, "description": f"Scene {number}", "day_id": day_id, **fields}
    answer = call(client, "POST", "/api/scenes", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_the_producer_builds_a_schedule_from_nothing_and_reorders_it(show):
    producer = show.login("producer")
    first, second = _day(producer, "2027-03-08"), _day(producer, "2027-03-09", "06:30")
    cast = [show.ids["alex"], show.ids["jordan"]]
    bed = _scene(producer, "40", first, intimacy="simulated_sex", closed_set=True, cast=cast)
    kiss = _scene(producer, "32", first, intimacy="kiss", cast=[show.ids["alex"]])
    office = _scene(producer, "31", None)
    assert {p["name"] for p in bed["cast"]} == {"Alex Rivera", "Jordan Blake"}
    roster = {p["name"]: p["purpose"] for p in scenes.roster(show.db, bed["id"])}
    assert roster == {
        "Alex Rivera": "performer",
        "Jordan Blake": "performer",
        "Maya Okafor": "coordinator",
        "Lena Voss": "director",
        "Tom Brennan": "first_ad",
    }, "a closed set starts with the essential crew and its cast"

    moved = call(
        producer, "POST", f"/api/scenes/{office['id']}/move", {"day_id": first, "position": 0}
    )
    assert moved.status_code == 200 and moved.get_json()["shoot_day_id"] == first
    order = call(
        producer,
        "POST",
        f"/api/days/{first}/order",
        {"scene_ids": [kiss["id"], office["id"], bed["id"]]},
    )
    assert [s["number"] for s in order.get_json()] == ["32", "31", "40"]
    call(producer, "POST", f"/api/scenes/{bed['id']}/move", {"day_id": second})
    schedule = call(producer, "GET", "/api/schedule").get_json()
    assert [[s["number"] for s in d["scenes"]] for d in schedule["days"]] == [["32", "31"], ["40"]]
    assert schedule["unscheduled"] == []

    edited = call(
        producer,
        "PATCH",
        f"/api/days/{second}",
        {"call_time": "05:45", "location": "Seafront flat"},
    )
    assert edited.get_json()["call_time"] == "05:45"
    refused = call(producer, "DELETE", f"/api/days/{first}")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == (
        "2027-03-08 still has scenes 32, 31: move them to another day or to Unscheduled first"
    )
    for scene_id in (kiss["id"], office["id"]):
        call(producer, "POST", f"/api/scenes/{scene_id}/move", {"day_id": None})
    assert call(producer, "DELETE", f"/api/days/{first}").status_code == 200
    assert [d["date"] for d in scenes.days(show.db, show.pid)] == ["2027-03-09"]
    assert call(producer, "DELETE", f"/api/scenes/{office['id']}").status_code == 200

    entries = audit.entries(show.db, show.pid)
    actions = [e["action"] for e in entries]
    for action in ("day.added", "scene.added", "scene.moved", "day.reordered", "day.edited"):
        assert action in actions
    assert {"day.deleted", "scene.deleted"} <= set(actions)
    text = json.dumps([e["detail"] for e in entries])
    assert "Seafront" not in text and "Scene 40" not in text, "the audit holds ids and codes"
    assert audit.verify(show.db) is None


def test_bad_input_names_the_field_and_what_is_allowed_and_writes_nothing(show):
    ad = show.login("ad")
    day = _day(ad, "2027-03-10")
    before = show.db["audit"].count
    cases = [
        ("POST", "/api/days", {"date": "2027-04-02", "location": "S", "call_time": "07:00"}, 422,
         "date: 2027-04-02 is outside the production's shoot dates (2027-03-01 to 2027-03-31)"),
        ("POST", "/api/days", {"date": "2027-03-10", "location": "S", "call_time": "07:00"}, 409,
         "2027-03-10 is already a shoot day"),
        ("POST", "/api/days", {"date": "2027-03-11", "location": "S", "call_time": "7.30"}, 422,
         "call_time: '7.30' is not a time like 07:30"),
        ("POST", "/api/days", {"date": "2027-03-11", "location": "", "call_time": "07:30"}, 422,
         "location must be non-empty text"),
        ("POST", "/api/scenes", {"number": "1", "description": "D", "intimacy": "hug"}, 422,
         "intimacy must be one of none, kiss, simulated_sex, partial_nudity, full_nudity"),
        ("POST", "/api/scenes", {"number": "1", "description": "D", "cast": [show.ids["ad"]]}, 422,
         f"cast: {show.ids['ad']} is not a performer of this production"),
        ("POST", "/api/scenes", {"number": "1", "description": "D", "day_id": 999}, 422,
         "day_id must be a shoot day id"),
        ("POST", "/api/scenes", {"number": "1", "description": "D", "colour": "red"}, 422,
         "colour is not a field here; send only cast, closed_set, day_id, description, intimacy,"
         " number"),
        ("POST", "/api/scenes", {"number": "x" * 13, "description": "D"}, 422,
         "number must be at most 12 characters"),
        ("POST", f"/api/days/{day}/order", {"scene_ids": [1, 2]}, 422,
         "scene_ids must list every scene of the day once, in the new order"),
    ]  # fmt: skip
    for method, url, body, status, words in cases:
        answer = call(ad, method, url, body)
        assert (answer.status_code, answer.get_json()["error"]) == (status, words), body
    assert show.db["audit"].count == before and show.db["scenes"].count == 0

    with ad.session_transaction() as s:
        s["lang"] = "fr"
    french = call(
        ad, "POST", "/api/scenes", {"number": "1", "description": "D", "closed_set": "oui"}
    )
    assert french.status_code == 422 and french.get_json()["error"] == (
        "closed_set doit valoir true ou false"
    )


def test_who_may_edit_what_is_data_in_permissions(show):
    producer = show.login("producer")
    day = _day(producer, "2027-03-12")
    scene = _scene(producer, "50", day, cast=[show.ids["alex"]])
    url = f"/api/scenes/{scene['id']}"
    ic = show.login("ic")
    assert (
        call(ic, "PATCH", url, {"intimacy": "partial_nudity", "closed_set": True}).status_code
        == 200
    )
    assert scenes.get(show.db, scene["id"])["intimacy"] == "partial_nudity"
    renumber = call(ic, "PATCH", url, {"number": "51"})
    assert (
        renumber.status_code == 422
        and "send only closed_set, intimacy" in renumber.get_json()["error"]
    )
    assert call(ic, "POST", url + "/move", {"day_id": None}).status_code == 403
    for who in ("director", "alex", "crew"):
        client = show.login(who)
        assert call(client, "PATCH", url, {"intimacy": "none"}).status_code == 403, who
        assert call(client, "POST", "/api/days", {}).status_code == 403, who
        assert client.get("/schedule").status_code == 403, who
    for who in ("producer", "ad", "second_ad", "ic"):
        assert show.login(who).get("/schedule").status_code == 200, who


def test_a_move_keeps_the_scenes_records_and_re_evaluates_rider_notice_live(show):
    producer = show.login("producer")
    late_day = _day(producer, "2027-03-20", "07:00")
    early_day = _day(producer, "2027-03-11", "07:00")
    bed = _scene(
        producer,
        "40",
        late_day,
        intimacy="partial_nudity",  # a kiss needs no nudity rider, so is never late for one
        closed_set=True,
        cast=[show.ids["alex"]],
    )
    db, scene_id = show.db, bed["id"]
    scenes.set_rider(db, scene_id, show.ids["alex"], "2027-03-10")
    blocking.save(db, scene_id, ["They kiss by the window."], show.ids["ic"])
    consent.confirm(db, scenes.get(db, scene_id), people.get(db, show.ids["alex"]), 1)
    assert "rider_late" not in {r["code"] for r in clearance.clearance(db, scene_id)["reasons"]}

    ic_socket = socketio.test_client(show.app, flask_test_client=show.login("ic"))
    alex_socket = socketio.test_client(show.app, flask_test_client=show.login("alex"))
    crew_socket = socketio.test_client(show.app, flask_test_client=show.login("crew"))
    for s in (ic_socket, alex_socket, crew_socket):
        s.get_received()
    assert (
        call(producer, "POST", f"/api/scenes/{scene_id}/move", {"day_id": early_day}).status_code
        == 200
    )

    reasons = {r["code"] for r in clearance.clearance(db, scene_id)["reasons"]}
    assert "rider_late" in reasons, "signed 31 hours before the new call: less than 48 hours"
    assert scenes.performers(db, scene_id)[0]["rider_signed_on"] == "2027-03-10"
    assert blocking.current(db, scene_id)["version"] == 1
    assert consent.state_for(db, scene_id, show.ids["alex"])["state"] == "confirmed"
    assert scenes.on_roster(db, scene_id, show.ids["ic"])
    got = {e["name"]: e["args"][0] for e in ic_socket.get_received()}
    assert got["schedule:changed"]["scene_ids"] == [scene_id]
    assert "rider_late" in {r["code"] for r in got["scene:clearance"]["reasons"]}
    assert "schedule:changed" in {e["name"] for e in alex_socket.get_received()}
    assert crew_socket.get_received() == [], "crew hear nothing of scenes they are not in"
    for s in (ic_socket, alex_socket, crew_socket):
        s.disconnect()


def test_editing_the_cast_keeps_the_riders_of_those_who_stay(show):
    producer = show.login("producer")
    day = _day(producer, "2027-03-15")
    scene = _scene(
        producer, "60", day, intimacy="full_nudity", closed_set=True, cast=[show.ids["alex"]]
    )
    scenes.set_rider(show.db, scene["id"], show.ids["alex"], "2027-03-01")
    both = [show.ids["alex"], show.ids["jordan"]]
    edited = call(
        producer, "PATCH", f"/api/scenes/{scene['id']}", {"cast": both, "description": "New words"}
    )
    assert edited.status_code == 200
    riders = {p["name"]: p["rider_signed_on"] for p in scenes.performers(show.db, scene["id"])}
    assert riders == {"Alex Rivera": "2027-03-01", "Jordan Blake": None}
    assert scenes.on_roster(show.db, scene["id"], show.ids["jordan"])
    call(producer, "PATCH", f"/api/scenes/{scene['id']}", {"cast": [show.ids["jordan"]]})
    assert not scenes.on_roster(show.db, scene["id"], show.ids["alex"])
    last = audit.entries(show.db, subject=f"scene:{scene['id']}")[-1]
    assert last["detail"] == {
        "cast_added": [],
        "cast_removed": [show.ids["alex"]],
        "fields": ["cast"],
    }


def test_the_schedule_page_edits_with_plain_forms(show):
    ad = show.login("ad")
    form = {"csrf_token": csrf(ad)}
    added = ad.post(
        "/schedule/days",
        data={**form, "date": "2027-03-08", "call_time": "07:00", "location": "Studio 1"},
    )
    assert added.status_code == 302
    day = scenes.days(show.db, show.pid)[0]["id"]
    for number in ("31", "32"):
        ad.post(
            "/schedule/scenes",
            data={
                **form,
                "day_id": str(day),
                "number": number,
                "description": "D",
                "intimacy": "kiss",
                "cast": [str(show.ids["alex"])],
            },
        )
    page = ad.get("/schedule").get_data(as_text=True)
    assert "Shoot dates 2027-03-01 to 2027-03-31" in page and "Scene 32" in page
    second = next(s for s in scenes.of_day(show.db, day) if s["number"] == "32")
    ad.post(f"/schedule/scenes/{second['id']}/up", data=form)
    assert [s["number"] for s in scenes.of_day(show.db, day)] == ["32", "31"]
    ad.post(f"/schedule/scenes/{second['id']}/move", data={**form, "day_id": ""})
    assert scenes.get(show.db, second["id"])["shoot_day_id"] is None
    refused = ad.post(f"/schedule/days/{day}/delete", data=form, follow_redirects=True)
    assert "still has scenes 31" in refused.get_data(as_text=True)
    outside = ad.post(
        f"/schedule/days/{day}",
        data={**form, "date": "2027-05-01", "call_time": "07:00", "location": "Studio 1"},
        follow_redirects=True,
    )
    assert "outside the production&#39;s shoot dates" in outside.get_data(as_text=True)

    ic = show.login("ic")
    ic_page = ic.get("/schedule").get_data(as_text=True)
    assert 'name="intimacy"' in ic_page and 'name="number"' not in ic_page
    ic.post(
        f"/schedule/scenes/{second['id']}",
        data={
            "csrf_token": csrf(ic),
            "intimacy": "partial_nudity",
            "closed_set": "1",
            "number": "99",
        },
    )
    saved = scenes.get(show.db, second["id"])
    assert (saved["intimacy"], saved["closed_set"], saved["number"]) == ("partial_nudity", 1, "32")
    assert 'href="/schedule"' in ic.get("/ic").get_data(as_text=True)
    assert 'href="/schedule"' in ad.get("/ad").get_data(as_text=True)
    assert 'href="/schedule"' not in show.login("director").get("/ad").get_data(as_text=True)
    ad_import = ad.get("/producer/import").get_data(as_text=True)
    assert 'href="/schedule"' in ad_import and "/producer/budget" not in ad_import


def test_a_scene_with_records_is_never_deleted(show):
    producer = show.login("producer")
    scene = _scene(producer, "70", None, intimacy="kiss", cast=[show.ids["alex"]])
    blocking.save(show.db, scene["id"], ["A kiss."], show.ids["ic"])
    refused = call(producer, "DELETE", f"/api/scenes/{scene['id']}")
    assert refused.status_code == 409 and "has records" in refused.get_json()["error"]
    assert scenes.get(show.db, scene["id"]) is not None
