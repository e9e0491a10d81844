"""Closed-set rosters edited where they are used, and riders recorded by the IC, on a new
production built here (not the demo): the camera operator checked in off the roster is
told so on their phone and cleared by being added; the essential crew go on in one step;
the 1st AD closing the set is warned by name; a kiss needs no nudity rider; every bad date
is a 4xx naming its field; and a roster change reaches the open screens live."""

import json
import threading
import time

import pytest
import requests
import socketio
from empty_production import build
from serverproc import ServerProcess

from ictool import audit, create_app
from ictool.db import connect


@pytest.fixture
def show(tmp_path):
    return build(tmp_path / "show.db")


@pytest.fixture
def app(show, tmp_path):
    return create_app(
        {"TESTING": True, "DB": str(show.path), "SECRET_KEY": "test", "RATE_LIMITS": False},
        instance_path=str(tmp_path / "instance"),
    )


@pytest.fixture
def api(app, show):
    """`api(name, method, path, body)`: a request as that person (Bearer join token)."""
    client = app.test_client()

    def call(name: str, method: str, path: str, body: object = None):
        headers = {"Authorization": f"Bearer {show.tokens[name]}"}
        return client.open(path, method=method.upper(), json=body, headers=headers)

    return call


@pytest.fixture
def page(app, show):
    """`page(name, path)`: the HTML a person's phone shows (signed in by join link)."""

    def get(name: str, path: str) -> str:
        client = app.test_client()
        assert client.get(f"/join/{show.tokens[name]}").status_code == 302
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    return get


def codes(api, scene_id: int) -> list[str]:
    reasons = api("Iris Novak", "get", f"/api/scenes/{scene_id}/clearance").get_json()["reasons"]
    return [r["code"] for r in reasons]


def roster_names(api, scene_id: int) -> dict[str, str | None]:
    body = api("Iris Novak", "get", f"/api/scenes/{scene_id}/roster").get_json()
    return {p["name"]: p["purpose"] for p in body["roster"]}


# --- the roster ------------------------------------------------------------------------------


def test_a_new_scene_has_only_its_performers_on_the_roster_and_they_cannot_be_taken_off(api, show):
    bed = show.scenes["31"]
    assert roster_names(api, bed) == {"Ana Lopes": None, "Ben Okoro": None}
    listed = api("Ade Mensah", "get", f"/api/scenes/{bed}/roster").get_json()["roster"]
    assert all(p["performer"] for p in listed)
    refused = api("Iris Novak", "delete", f"/api/scenes/{bed}/roster/{show.ids['Ana Lopes']}")
    assert refused.status_code == 422
    assert "always on its roster" in refused.get_json()["error"]


def test_the_ic_and_the_1st_ad_add_people_with_a_purpose_and_take_them_off(api, show):
    bed, sonny = show.scenes["31"], show.ids["Sonny Vale"]
    added = api("Ade Mensah", "post", f"/api/scenes/{bed}/roster", {"person_id": sonny})
    assert added.status_code == 201 and added.get_json()["purpose"] is None
    changed = api(
        "Iris Novak",
        "post",
        f"/api/scenes/{bed}/roster",
        {"person_id": sonny, "purpose": " boom operator "},
    )
    assert changed.status_code == 200 and changed.get_json()["purpose"] == "boom operator"
    assert roster_names(api, bed)["Sonny Vale"] == "boom operator"

    assert api("Ade Mensah", "delete", f"/api/scenes/{bed}/roster/{sonny}").status_code == 200
    assert "Sonny Vale" not in roster_names(api, bed)
    again = api("Ade Mensah", "delete", f"/api/scenes/{bed}/roster/{sonny}")
    assert again.status_code == 404 and "Sonny Vale" in again.get_json()["error"]

    db = connect(str(show.path))
    entries = audit.entries(db, subject=f"scene:{bed}")
    assert [e["action"] for e in entries] == [
        "roster.added",
        "roster.purpose_changed",
        "roster.removed",
    ]
    assert all(e["detail"] == {"person_id": sonny} for e in entries)  # ids only, no words
    assert "boom" not in json.dumps([dict(e) for e in entries])
    assert audit.verify(db) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "person_id"),
        ({"person_id": "7"}, "person_id"),
        ({"person_id": -1}, "person_id"),
        ({"person_id": 999999}, "person_id"),
        ({"person_id": None, "purpose": "x"}, "person_id"),
        ({"person_id": "CAM", "purpose": 5}, "person_id"),
    ],
)
def test_a_bad_roster_entry_is_a_422_naming_the_field(api, show, body, field):
    response = api("Iris Novak", "post", f"/api/scenes/{show.scenes['31']}/roster", body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]


def test_a_bad_purpose_is_refused_and_nothing_is_written(api, show):
    bed, cam = show.scenes["31"], show.ids["Cam Berg"]
    for purpose in [7, "x" * 121, ["camera"]]:
        response = api(
            "Iris Novak",
            "post",
            f"/api/scenes/{bed}/roster",
            {"person_id": cam, "purpose": purpose},
        )
        assert response.status_code == 422 and "purpose" in response.get_json()["error"]
    assert "Cam Berg" not in roster_names(api, bed)
    not_json = api("Iris Novak", "post", f"/api/scenes/{bed}/roster", ["x"])
    assert not_json.status_code == 400


def test_only_a_closed_set_has_a_roster_to_edit(api, show):
    kiss = show.scenes["32"]
    response = api(
        "Iris Novak", "post", f"/api/scenes/{kiss}/roster", {"person_id": show.ids["Cam Berg"]}
    )
    assert response.status_code == 422 and "not a closed set" in response.get_json()["error"]


@pytest.mark.parametrize(
    "name", ["Sol Ortega", "Dara Quinn", "Ana Lopes", "Pat Reyes", "Cam Berg", "Cora Finch"]
)
def test_only_the_ic_and_the_1st_ad_edit_a_roster(api, show, name):
    bed, gus = show.scenes["31"], show.ids["Gus Hale"]
    add = api(name, "post", f"/api/scenes/{bed}/roster", {"person_id": gus, "purpose": "grip"})
    assert add.status_code == 403
    assert api(name, "post", f"/api/scenes/{bed}/roster/essential").status_code == 403
    assert api(name, "delete", f"/api/scenes/{bed}/roster/{gus}").status_code == 403
    assert "Gus Hale" not in roster_names(api, bed)


def test_the_essential_crew_go_on_in_one_step(api, show):
    bed = show.scenes["31"]
    response = api("Ade Mensah", "post", f"/api/scenes/{bed}/roster/essential")
    assert response.status_code == 200
    added = {p["name"] for p in response.get_json()["added"]}
    # director, camera, sound, IC and 1st AD: not the grip, costume, 2nd AD or producer
    assert added == {"Dara Quinn", "Cam Berg", "Sonny Vale", "Iris Novak", "Ade Mensah"}
    again = api("Ade Mensah", "post", f"/api/scenes/{bed}/roster/essential").get_json()
    assert again["added"] == [] and len(again["roster"]) == 7


def test_the_producer_names_who_is_essential_and_the_ic_can_too(api, show):
    bed = show.scenes["31"]
    got = api("Pat Reyes", "get", "/api/production/essential-roles").get_json()
    assert got["roles"] == ["director", "camera", "sound", "coordinator", "first_ad"]
    assert {"costume", "grip", "second_ad"} <= set(got["choices"])

    chosen = ["coordinator", "First_AD", "Costume", "costume"]
    response = api("Pat Reyes", "post", "/api/production/essential-roles", {"roles": chosen})
    assert response.status_code == 200
    assert response.get_json()["roles"] == ["coordinator", "first_ad", "costume"]
    added = api("Iris Novak", "post", f"/api/scenes/{bed}/roster/essential").get_json()["added"]
    assert {p["name"] for p in added} == {"Iris Novak", "Ade Mensah", "Cora Finch"}

    ic = api("Iris Novak", "post", "/api/production/essential-roles", {"roles": ["sound"]})
    assert ic.status_code == 200
    for name in ("Ade Mensah", "Ana Lopes", "Cam Berg"):
        assert api(name, "get", "/api/production/essential-roles").status_code == 403
        refused = api(name, "post", "/api/production/essential-roles", {"roles": ["camera"]})
        assert refused.status_code == 403


def test_a_production_may_name_no_essential_crew(api, page, show):
    response = api("Pat Reyes", "post", "/api/production/essential-roles", {"roles": []})
    assert response.status_code == 200 and response.get_json()["roles"] == []
    bed = show.scenes["31"]
    assert "This production names no essential crew." in page("Iris Novak", f"/scenes/{bed}")
    added = api("Iris Novak", "post", f"/api/scenes/{bed}/roster/essential").get_json()["added"]
    assert added == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"roles": "camera"},
        {"roles": [1]},
        {"roles": [""]},
        {"roles": ["x" * 41]},
        {"roles": ["performer"]},
        {"roles": ["camera"] * 31},
    ],
)
def test_a_bad_essential_list_is_a_422_naming_roles(api, body):
    response = api("Pat Reyes", "post", "/api/production/essential-roles", body)
    assert response.status_code == 422 and "roles" in response.get_json()["error"]


# --- checking in off the roster ----------------------------------------------------------------


def test_the_camera_operator_checked_in_off_the_roster_is_told_and_adding_them_clears_it(
    api, page, show
):
    bed, cam = show.scenes["31"], show.ids["Cam Berg"]
    checkin = api("Cam Berg", "post", f"/api/scenes/{bed}/checkins", {"no_photo_ack": True})
    assert checkin.status_code == 201
    body = checkin.get_json()
    assert body["on_roster"] is False
    assert body["message"] == (
        "You are not on the closed-set roster for scene 31 — speak to the 1st AD."
    )
    assert "You are not on the closed-set roster for scene 31" in page(
        "Cam Berg", f"/scenes/{bed}/checkin"
    )
    assert "off_roster_present" in codes(api, bed)

    api(
        "Iris Novak", "post", f"/api/scenes/{bed}/roster", {"person_id": cam, "purpose": "A camera"}
    )

    assert "off_roster_present" not in codes(api, bed)
    assert "not on the closed-set roster" not in page("Cam Berg", f"/scenes/{bed}/checkin")
    again = api("Cam Berg", "post", f"/api/scenes/{bed}/checkins").get_json()
    assert again["on_roster"] is True and "message" not in again

    api("Ade Mensah", "delete", f"/api/scenes/{bed}/roster/{cam}")
    assert "off_roster_present" in codes(api, bed)  # taken off while on set: flagged again


def test_someone_checked_in_by_the_ic_off_the_roster_is_named(api, show):
    bed = show.scenes["31"]
    body = api(
        "Iris Novak", "post", f"/api/scenes/{bed}/checkins", {"person_id": show.ids["Gus Hale"]}
    ).get_json()
    assert body["message"] == "Gus Hale is not on the closed-set roster for scene 31."


def test_the_off_roster_message_is_in_the_persons_language(api, show):
    assert api("Cam Berg", "post", "/api/me/language", {"language": "fr"}).status_code == 200
    bed = show.scenes["31"]
    body = api("Cam Berg", "post", f"/api/scenes/{bed}/checkins").get_json()
    assert body["message"].startswith("Vous n'êtes pas sur la liste du plateau fermé")


def test_the_1st_ad_closing_the_set_is_warned_by_name_and_asked_again(api, show):
    bed, gus, cora = show.scenes["31"], show.ids["Gus Hale"], show.ids["Cora Finch"]
    api("Gus Hale", "post", f"/api/scenes/{bed}/checkins")

    warned = api("Ade Mensah", "post", f"/api/scenes/{bed}/set-closed")
    assert warned.status_code == 409
    assert "Gus Hale" in warned.get_json()["error"]
    assert [p["id"] for p in warned.get_json()["off_roster"]] == [gus]
    assert "set_not_closed" in codes(api, bed)

    api("Cora Finch", "post", f"/api/scenes/{bed}/checkins")  # arrives while they decide
    named_one = api("Ade Mensah", "post", f"/api/scenes/{bed}/set-closed", {"off_roster_ok": [gus]})
    assert named_one.status_code == 409
    assert "Cora Finch" in named_one.get_json()["error"]
    assert "Gus Hale" not in named_one.get_json()["error"]

    bad = api("Ade Mensah", "post", f"/api/scenes/{bed}/set-closed", {"off_roster_ok": "all"})
    assert bad.status_code == 422 and "off_roster_ok" in bad.get_json()["error"]

    closed = api(
        "Ade Mensah", "post", f"/api/scenes/{bed}/set-closed", {"off_roster_ok": [gus, cora]}
    )
    assert closed.status_code == 201
    reasons = codes(api, bed)
    assert "set_not_closed" not in reasons and "off_roster_present" in reasons
    db = connect(str(show.path))
    [entry] = [e for e in audit.entries(db) if e["action"] == "closedset.set_closed"]
    assert entry["detail"] == {"off_roster": [gus, cora]}


def test_a_closed_set_with_everyone_on_the_roster_closes_at_once(api, show):
    bed = show.scenes["31"]
    api("Ana Lopes", "post", f"/api/scenes/{bed}/checkins")
    assert api("Ade Mensah", "post", f"/api/scenes/{bed}/set-closed").status_code == 201


# --- riders ----------------------------------------------------------------------------------


def test_the_ic_records_sent_then_signed_and_the_rule_follows_the_notice(api, show):
    bed, ana, ben = show.scenes["31"], show.ids["Ana Lopes"], show.ids["Ben Okoro"]
    path = f"/api/scenes/{bed}/riders/{ana}"
    assert "rider_missing" in codes(api, bed)

    sent = api("Iris Novak", "post", path, {"sent_on": show.day(-6)}).get_json()
    assert sent["sent_on"] == show.day(-6) and sent["status"] == "missing"
    assert sent["shown"] == "sent"
    signed = api("Iris Novak", "post", path, {"signed_on": show.day(-5)}).get_json()
    assert signed == {
        "person_id": ana,
        "name": "Ana Lopes",
        "sent_on": show.day(-6),
        "signed_on": show.day(-5),
        "status": "signed",
        "shown": "signed",
    }
    missing = next(
        r
        for r in api("Iris Novak", "get", f"/api/scenes/{bed}/clearance").get_json()["reasons"]
        if r["code"] == "rider_missing"
    )
    assert missing["people"] == [ben]

    # signed today for a 07:00 call tomorrow: less than the 48 hours' notice, a flag
    late = api("Iris Novak", "post", f"/api/scenes/{bed}/riders/{ben}", {"signed_on": show.day(0)})
    assert late.get_json()["status"] == "late"
    reasons = codes(api, bed)
    assert "rider_missing" not in reasons and "rider_late" in reasons

    readiness = api("Pat Reyes", "get", "/api/readiness").get_json()
    riders = next(i for i in readiness["items"] if i["code"] == "riders")
    assert riders["status"] == "warn"

    cleared = api("Iris Novak", "post", path, {"signed_on": None}).get_json()
    assert cleared["signed_on"] is None and cleared["sent_on"] == show.day(-6)
    assert "rider_missing" in codes(api, bed)

    db = connect(str(show.path))
    recorded = [e for e in audit.entries(db) if e["action"] == "rider.recorded"]
    assert [e["detail"]["fields"] for e in recorded] == [
        ["sent_on"],
        ["signed_on"],
        ["signed_on"],
        ["signed_on"],
    ]
    assert show.day(-6) not in json.dumps([e["detail"] for e in recorded])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sent_on": "2026-13-01"}, "sent_on"),
        ({"sent_on": "02/12/2026"}, "sent_on"),
        ({"signed_on": "20261202"}, "signed_on"),
        ({"signed_on": 20261202}, "signed_on"),
        ({"signed_on": "2026-02-30"}, "signed_on"),
        ({"sent_on": "2999-01-01"}, "sent_on"),
        ({"terms": "topless"}, "terms"),
    ],
)
def test_a_bad_rider_date_is_a_422_naming_the_field_and_nothing_is_written(api, show, body, field):
    path = f"/api/scenes/{show.scenes['31']}/riders/{show.ids['Ana Lopes']}"
    response = api("Iris Novak", "post", path, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]
    db = connect(str(show.path))
    row = db.execute("SELECT rider_sent_on, rider_signed_on FROM scene_performers").fetchall()
    assert set(row) == {(None, None)}


def test_a_rider_cannot_be_signed_before_it_was_sent(api, show):
    path = f"/api/scenes/{show.scenes['31']}/riders/{show.ids['Ana Lopes']}"
    api("Iris Novak", "post", path, {"sent_on": show.day(-3)})
    response = api("Iris Novak", "post", path, {"signed_on": show.day(-4)})
    assert response.status_code == 422
    assert response.get_json()["error"] == (f"signed_on cannot be before sent_on ({show.day(-3)})")
    both = api("Iris Novak", "post", path, {"sent_on": show.day(-2), "signed_on": show.day(-4)})
    assert both.status_code == 422


def test_the_date_error_is_in_the_ics_language(api, show):
    api("Iris Novak", "post", "/api/me/language", {"language": "de"})
    path = f"/api/scenes/{show.scenes['31']}/riders/{show.ids['Ana Lopes']}"
    error = api("Iris Novak", "post", path, {"sent_on": "morgen"}).get_json()["error"]
    assert error == "sent_on muss ein Datum im Format JJJJ-MM-TT sein"


def test_only_the_ic_records_riders_and_only_for_the_scenes_performers(api, show):
    bed = show.scenes["31"]
    body = {"signed_on": show.day(-5)}
    for name in ("Ade Mensah", "Pat Reyes", "Ana Lopes", "Dara Quinn", "Cam Berg"):
        path = f"/api/scenes/{bed}/riders/{show.ids['Ana Lopes']}"
        assert api(name, "post", path, body).status_code == 403, name
    stranger = api("Iris Novak", "post", f"/api/scenes/{bed}/riders/{show.ids['Cam Berg']}", body)
    assert stranger.status_code == 404 and "person_id" in stranger.get_json()["error"]


def test_a_kiss_needs_no_nudity_rider_and_a_scene_without_intimacy_shows_no_rider_line(
    api, page, show
):
    kiss, talk = show.scenes["32"], show.scenes["33"]
    assert "rider_missing" not in codes(api, kiss)
    refused = api(
        "Iris Novak",
        "post",
        f"/api/scenes/{kiss}/riders/{show.ids['Ana Lopes']}",
        {"signed_on": show.day(-5)},
    )
    assert refused.status_code == 422 and "needs no nudity rider" in refused.get_json()["error"]
    for scene_id in (kiss, talk):
        detail = api("Iris Novak", "get", f"/api/scenes/{scene_id}").get_json()
        assert "riders" not in detail and detail["needs_rider"] is False
    assert "A kiss needs no nudity rider." in page("Iris Novak", f"/scenes/{kiss}")
    talk_page = page("Iris Novak", f"/scenes/{talk}")
    assert "rider" not in talk_page.lower()
    producer = page("Pat Reyes", "/producer")
    assert producer.count("rider-missing") == 2  # Ana and Ben in scene 31 only
    readiness = api("Pat Reyes", "get", "/api/readiness").get_json()
    riders = next(i for i in readiness["items"] if i["code"] == "riders")
    assert all("scene 31" in line for line in riders["missing"])


def test_who_sees_riders(api, show):
    bed, ana = show.scenes["31"], show.ids["Ana Lopes"]
    api("Iris Novak", "post", f"/api/scenes/{bed}/riders/{ana}", {"signed_on": show.day(-5)})
    seen = {
        name: api(name, "get", f"/api/scenes/{bed}").get_json().get("riders")
        for name in ("Iris Novak", "Pat Reyes", "Ana Lopes", "Ade Mensah", "Dara Quinn")
    }
    assert [r["name"] for r in seen["Iris Novak"]] == ["Ana Lopes", "Ben Okoro"]
    assert [r["status"] for r in seen["Pat Reyes"]] == ["signed", "missing"]
    assert seen["Ana Lopes"] == [
        {
            "person_id": ana,
            "name": "Ana Lopes",
            "sent_on": None,
            "signed_on": show.day(-5),
            "status": "signed",
            "shown": "signed",
        }
    ]
    assert seen["Ade Mensah"] is None and seen["Dara Quinn"] is None
    assert api("Cam Berg", "get", f"/api/scenes/{bed}").status_code == 403


def test_the_scene_page_offers_the_ic_and_the_1st_ad_what_each_may_do(page, show):
    bed = show.scenes["31"]
    ic = page("Iris Novak", f"/scenes/{bed}")
    assert f'action="/api/scenes/{bed}/roster"' in ic
    assert "Add the essential crew" in ic and "Save dates" in ic
    assert "Who is essential crew on this production" in ic
    ad = page("Ade Mensah", f"/scenes/{bed}")
    assert "Add the essential crew" in ad
    assert "Save dates" not in ad and "Who is essential crew" not in ad
    second = page("Sol Ortega", f"/scenes/{bed}")
    assert "Closed-set roster" in second and "Add to the roster" not in second
    producer = page("Pat Reyes", f"/scenes/{bed}")
    assert "Who is essential crew on this production" in producer
    assert "Add to the roster" not in producer


# --- live -------------------------------------------------------------------------------------


class Phone:
    """A real Socket.IO client signed in by join token, keeping every event it receives."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[tuple[str, dict]] = []
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._got)
        self.sio.connect(url, transports=["websocket"], auth={"token": token}, wait_timeout=5)

    def _got(self, event: str, data: dict) -> None:
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def wait_for(self, event: str, match=lambda data: True, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for name, data in self.events:
                    if name == event and match(data):
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"no {event} matching; got {[e for e, _ in self.events]}"
                self._changed.wait(left)


def test_a_roster_change_is_announced_live_after_it_is_saved(show, tmp_path):
    server = ServerProcess(show.path, tmp_path / "instance").start()
    phones = []
    try:
        bed, cam = show.scenes["31"], show.ids["Cam Berg"]

        def post(name: str, path: str, body: dict | None = None) -> requests.Response:
            headers = {"Authorization": f"Bearer {show.tokens[name]}"}
            return requests.post(server.url + path, json=body, headers=headers, timeout=10)

        post("Cam Berg", f"/api/scenes/{bed}/checkins", {"no_photo_ack": True})
        ic, ad, camera = (
            Phone(server.url, show.tokens[n]) for n in ("Iris Novak", "Ade Mensah", "Cam Berg")
        )
        phones += [ic, ad, camera]

        post("Iris Novak", f"/api/scenes/{bed}/roster", {"person_id": cam, "purpose": "A camera"})

        def without_off_roster(data: dict) -> bool:
            return data["scene_id"] == bed and all(
                r["code"] != "off_roster_present" for r in data["reasons"]
            )

        for phone in (ic, ad):
            phone.wait_for("scene:clearance", without_off_roster)
        told = camera.wait_for("scene:roster")
        assert told == {"scene_id": bed, "scene_number": "31", "on_roster": True, "person_id": cam}

        requests.delete(
            f"{server.url}/api/scenes/{bed}/roster/{cam}",
            headers={"Authorization": f"Bearer {show.tokens['Ade Mensah']}"},
            timeout=10,
        )
        flagged = ic.wait_for("scene:off_roster")
        assert flagged == {
            "scene_id": bed,
            "scene_number": "31",
            "person_id": cam,
            "name": "Cam Berg",
        }
        assert camera.wait_for("scene:roster", lambda d: d["on_roster"] is False)
    finally:
        for phone in phones:
            phone.sio.disconnect()
        server.stop()


def test_costume_finds_and_confirms_the_garments_of_a_nudity_scene_without_a_closed_set(
    app, api, page, show
):
    """Clearance asks costume to confirm the garments of every nudity scene; a scene that is
    not a closed set had no page where costume could (the check-in page was a 404)."""
    bed = show.scenes["31"]
    assert (
        api("Ade Mensah", "PATCH", f"/api/scenes/{bed}", {"closed_set": False}).status_code == 200
    )
    item = api("Iris Novak", "POST", f"/api/scenes/{bed}/garments", {"item": "Modesty garments"})
    assert item.status_code == 201

    home = page("Cora Finch", "/crew")
    assert f'<a href="/scenes/{bed}/checkin">Scene 31</a>' in home  # from costume's own screen
    checklist = page("Cora Finch", f"/scenes/{bed}/checkin")
    assert f"/garments/{item.get_json()['id']}/confirm" in checklist
    assert "Check me in" not in checklist and "This is a closed set." not in checklist
    confirmed = api(
        "Cora Finch", "POST", f"/api/scenes/{bed}/garments/{item.get_json()['id']}/confirm"
    )
    assert confirmed.status_code == 200

    grip = app.test_client()  # anyone else: still no such page for a scene that is not closed
    grip.get(f"/join/{show.tokens['Gus Hale']}")
    assert grip.get(f"/scenes/{bed}/checkin").status_code == 404
    assert f"/scenes/{bed}/checkin" not in grip.get("/crew").get_data(as_text=True)
