"""The one clearance rule, its codes and texts, which checks apply to which scene, the
closed-set and take API (validated, permission-checked, never a 500), audit and live events."""

import pytest
from conftest import csrf

from ictool import audit, blocking, clearance, closedset, consent, takes
from ictool.realtime import socketio


@pytest.fixture
def scene_of(db):
    def find(number: str) -> dict:
        return next(s for s in db["scenes"].rows if s["number"] == number)

    return find


def codes(db, scene: dict) -> list[str]:
    return [r["code"] for r in clearance.clearance(db, scene["id"])["reasons"]]


def _post(client, path: str, body: dict | None = None, method: str = "post"):
    return getattr(client, method)(path, json=body or {}, headers={"X-CSRF-Token": csrf(client)})


def clear_scene_15(db, person, bed: dict) -> None:
    """Everything scene 15 needs, done by the people who do it."""
    ic, ad, costume = person("Maya Okafor"), person("Tom Brennan"), person("Marta Nowak")
    for name in ("Alex Rivera", "Sam Lindqvist"):
        consent.confirm(db, bed, person(name), blocking.current(db, bed["id"])["version"])
        takes.good_to_go(db, bed, person(name), takes.current_take(db, bed["id"]), True)
    item = closedset.add_garment(db, bed, "Modesty garments, both", None, ic["id"])
    closedset.confirm_garment(db, bed, item["id"], ic)
    closedset.confirm_garment(db, bed, item["id"], costume)
    closedset.close_set(db, bed, ad["id"])


def test_a_scene_without_intimacy_or_closed_set_is_cleared(app, db, scene_of):
    with app.app_context():
        assert clearance.clearance(db, scene_of("12")["id"]) == {
            "scene_id": scene_of("12")["id"],
            "cleared": True,
            "reasons": [],
        }


def test_each_check_applies_where_it_should(app, db, scene_of):
    with app.app_context():
        kiss, bed, lake = scene_of("14"), scene_of("15"), scene_of("22")
        assert codes(db, kiss) == ["consent_pending", "not_good_to_go"]
        assert codes(db, bed) == [
            "rider_late",
            "consent_pending",
            "set_not_closed",
            "garments_unconfirmed",
            "not_good_to_go",
        ]
        assert codes(db, lake)[0] == "rider_missing"
        assert "set_not_closed" in codes(db, lake)


def test_a_late_rider_is_flagged_but_does_not_stop_the_scene(app, db, person, scene_of):
    bed = scene_of("15")
    with app.app_context():
        clear_scene_15(db, person, bed)
        result = clearance.clearance(db, bed["id"])
    assert result["cleared"] is True
    [late] = result["reasons"]
    assert late["code"] == "rider_late" and late["blocking"] is False
    assert "Sam Lindqvist" in late["text"] and "48 hours" in late["text"]


def test_missing_rider_and_missing_blocking_stop_the_scene(app, db, person, scene_of):
    lake = scene_of("22")
    with app.app_context():
        result = clearance.clearance(db, lake["id"])
        missing = next(r for r in result["reasons"] if r["code"] == "rider_missing")
        assert "Jordan Blake" in missing["text"] and missing["blocking"]
        db.execute("DELETE FROM blocking_versions WHERE scene_id = ?", [lake["id"]])
        db.conn.commit()
        assert "blocking_missing" in codes(db, lake)
        assert "consent_pending" not in codes(db, lake)


def test_closed_set_reasons_name_the_people(app, db, person, scene_of):
    bed = scene_of("15")
    with app.app_context():
        clear_scene_15(db, person, bed)
        closedset.check_in(db, bed, person("Kenji Mori")["id"], person("Priya Shah")["id"])
        assert codes(db, bed) == ["rider_late", "photo_ack_missing"]
        closedset.check_in(db, bed, person("Dev Malhotra")["id"], person("Dev Malhotra")["id"])
        reasons = clearance.clearance(db, bed["id"])["reasons"]
        off = next(r for r in reasons if r["code"] == "off_roster_present")
        assert off["text"] == "Checked in but not on the roster: Dev Malhotra."
        assert off["people"] == [person("Dev Malhotra")["id"]]
        closedset.check_out(db, bed, person("Dev Malhotra")["id"], person("Priya Shah")["id"])
        closedset.acknowledge_no_photos(db, bed, person("Kenji Mori")["id"])
        assert codes(db, bed) == ["rider_late"]
        closedset.reopen_set(db, bed, person("Tom Brennan")["id"])
        assert "set_not_closed" in codes(db, bed)


def test_silence_is_not_a_yes_and_each_take_asks_again(app, db, person, scene_of):
    bed = scene_of("15")
    with app.app_context():
        clear_scene_15(db, person, bed)
        assert takes.call_next_take(db, bed, person("Tom Brennan")["id"]) == 2
        reason = clearance.clearance(db, bed["id"])["reasons"][-1]
        assert reason["code"] == "not_good_to_go" and reason["text"].startswith("Take 2")
        takes.good_to_go(db, bed, person("Alex Rivera"), 2, True)
        takes.good_to_go(db, bed, person("Sam Lindqvist"), 2, False)
        assert "Sam Lindqvist" in clearance.clearance(db, bed["id"])["reasons"][-1]["text"]
        with pytest.raises(ValueError, match="Take 2 is being prepared"):
            takes.good_to_go(db, bed, person("Sam Lindqvist"), 1, True)


def test_garments_need_both_costume_and_the_ic(app, db, person, scene_of):
    bed = scene_of("15")
    with app.app_context():
        item = closedset.add_garment(db, bed, "Barrier cushion", None, person("Maya Okafor")["id"])
        closedset.confirm_garment(db, bed, item["id"], person("Maya Okafor"))
        text = next(
            r["text"]
            for r in clearance.clearance(db, bed["id"])["reasons"]
            if r["code"] == "garments_unconfirmed"
        )
        assert text == "1 garment or barrier item not confirmed by costume and the IC."
        closedset.confirm_garment(db, bed, item["id"], person("Marta Nowak"))
        assert "garments_unconfirmed" not in codes(db, bed)


def test_a_performer_sees_colleagues_private_reasons_unnamed(login, scene_of):
    bed = scene_of("15")
    sam = login("Sam Lindqvist").get(f"/api/scenes/{bed['id']}/clearance").get_json()
    late = next(r for r in sam["reasons"] if r["code"] == "rider_late")
    assert late["text"].endswith(": you.")
    alex = login("Alex Rivera").get(f"/api/scenes/{bed['id']}/clearance").get_json()
    late = next(r for r in alex["reasons"] if r["code"] == "rider_late")
    assert "Sam" not in late["text"] and "1 other performer" in late["text"]
    ad = login("Tom Brennan").get(f"/api/scenes/{bed['id']}/clearance").get_json()
    assert "Sam Lindqvist" in next(r for r in ad["reasons"] if r["code"] == "rider_late")["text"]


def test_reason_codes_stay_the_same_in_every_language(login, scene_of):
    ad = login("Tom Brennan")
    ad.post("/api/me/language", json={"language": "fr"}, headers={"X-CSRF-Token": csrf(ad)})
    body = ad.get(f"/api/scenes/{scene_of('15')['id']}/clearance").get_json()
    assert {r["code"] for r in body["reasons"]} >= {"set_not_closed"}


def test_who_may_do_what(login, person, scene_of):
    bed, twelve = scene_of("15"), scene_of("12")
    base = f"/api/scenes/{bed['id']}"
    crew, performer, ad2, ad1 = (
        login("Kenji Mori"),
        login("Alex Rivera"),
        login("Priya Shah"),
        login("Tom Brennan"),
    )
    assert crew.get(base + "/clearance").status_code == 403
    assert login("Jordan Blake").get(base + "/clearance").status_code == 403
    assert login("Ruth Adeyemi").get(base + "/clearance").status_code == 200
    assert _post(ad2, base + "/set-closed").status_code == 403
    assert _post(login("Maya Okafor"), base + "/set-closed").status_code == 403
    assert _post(ad1, base + "/set-closed").status_code == 201
    assert _post(ad1, base + "/set-closed").status_code == 200
    kenji = person("Kenji Mori")["id"]
    assert _post(performer, base + "/checkins", {"person_id": kenji}).status_code == 403
    assert _post(ad1, base + "/checkins", {"person_id": kenji}).status_code == 403
    assert _post(ad2, base + "/checkins", {"person_id": kenji}).status_code == 201
    assert _post(crew, base + "/checkins").status_code == 200  # already checked in
    assert _post(crew, base + "/garments", {"item": "x"}).status_code == 403
    assert _post(login("Marta Nowak"), base + "/garments", {"item": "Robe"}).status_code == 201
    assert _post(performer, base + "/takes").status_code == 403
    assert _post(ad2, base + "/good-to-go", {"take": 1}).status_code == 403
    assert _post(performer, base + "/good-to-go", {"take": 1}).status_code == 200
    assert _post(performer, base + "/wrap").status_code == 403
    assert _post(crew, f"/api/scenes/{twelve['id']}/checkins").status_code == 422
    assert _post(ad1, base + "/monitors", {"label": "Video village"}).status_code == 201
    assert _post(performer, base + "/monitors", {"label": "x"}).status_code == 403
    assert login("Kenji Mori").get(base + "/closed-set").status_code == 403
    state = ad1.get(base + "/closed-set").get_json()
    assert state["headcount"] == 1 and state["monitors"][0]["label"] == "Video village"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/checkins", {"person_id": "me"}),
        ("/checkins", {"person_id": -5}),
        ("/checkins", {"no_photo_ack": "yes"}),
        ("/monitors", {"label": ""}),
        ("/monitors", {"label": "x" * 500}),
        ("/garments", {"item": ["a"]}),
        ("/garments", {"item": "Robe", "person_id": 1}),
        ("/good-to-go", {"take": "1"}),
        ("/good-to-go", {"take": 1, "ok": "yes"}),
        ("/good-to-go", {"take": 99}),
        ("/closure", {"status": "ok"}),
        ("/consent", {"version": None}),
    ],
)
def test_bad_input_is_a_422_with_words(login, scene_of, path, body):
    who = "Maya Okafor" if path in ("/checkins", "/monitors", "/garments") else "Alex Rivera"
    client = login(who)
    response = _post(client, f"/api/scenes/{scene_of('15')['id']}{path}", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]


def test_junk_never_makes_a_500(login, scene_of):
    client = login("Maya Okafor")
    base = f"/api/scenes/{scene_of('15')['id']}"
    junk = ["[1]", "null", '"x"', "{", '{"person_id": {}}', '{"label": 1}', '{"person_id": 1e400}']
    junk.append('{"person_id": ' + "9" * 40 + "}")
    paths = ["/checkins", "/checkouts", "/monitors", "/garments", "/closure", "/set-closed"]
    for path in [*paths, "/takes", "/wrap", "/garments/999/confirm", "/no-photo-ack"]:
        for body in junk:
            response = client.post(
                base + path,
                data=body,
                headers={"X-CSRF-Token": csrf(client), "Content-Type": "application/json"},
            )
            assert response.status_code < 500, (path, body, response.get_json())
    assert (
        client.delete(base + "/monitors/999", headers={"X-CSRF-Token": csrf(client)}).status_code
        == 404
    )


def test_wrap_prompts_closure_and_every_change_is_audited(app, login, db, scene_of):
    bed = scene_of("15")
    base = f"/api/scenes/{bed['id']}"
    alex, ic, ad = login("Alex Rivera"), login("Maya Okafor"), login("Tom Brennan")
    assert _post(alex, base + "/closure", {"status": "ok"}).status_code == 422  # not wrapped
    listener = socketio.test_client(app, flask_test_client=login("Sam Lindqvist"))
    ic_socket = socketio.test_client(app, flask_test_client=ic)
    assert _post(ad, base + "/wrap").status_code == 201
    assert _post(ad, base + "/wrap").status_code == 200
    assert any(e["name"] == "scene:closure_prompt" for e in listener.get_received())
    assert any(e["name"] == "scene:closure_prompt" for e in ic_socket.get_received())
    assert _post(alex, base + "/closure", {"status": "talk"}).status_code == 200
    talk = [e for e in ic_socket.get_received() if e["name"] == "scene:closure"]
    assert talk[0]["args"][0]["status"] == "talk" and talk[0]["args"][0]["name"] == "Alex Rivera"
    assert _post(ic, base + "/closure", {"status": "ok"}).status_code == 200
    actions = {e["action"] for e in audit.entries(db, subject=f"scene:{bed['id']}")}
    assert {"scene.wrapped", "scene.closure"} <= actions
    for entry in audit.entries(db, subject=f"scene:{bed['id']}"):
        assert set(entry["detail"]) <= {"version", "person_id", "on_roster", "monitor_id"} | {
            "garment_id",
            "side",
            "take",
            "ok",
            "status",
            "alert_id",
        }
    listener.disconnect()
    ic_socket.disconnect()


def test_each_change_is_published_to_the_right_people(app, login, person, scene_of):
    bed = scene_of("15")
    sockets = {
        name: socketio.test_client(app, flask_test_client=login(name))
        for name in ("Tom Brennan", "Sam Lindqvist", "Jordan Blake", "Kenji Mori", "Lena Voss")
    }
    for s in sockets.values():
        s.get_received()
    _post(login("Dev Malhotra"), f"/api/scenes/{bed['id']}/checkins", {"no_photo_ack": True})

    def got(name: str, event: str) -> list[dict]:
        return [e["args"][0] for e in sockets[name].get_received() if e["name"] == event]

    ad_events = sockets["Tom Brennan"].get_received()
    flags = [e["args"][0] for e in ad_events if e["name"] == "scene:off_roster"]
    assert flags == [
        {
            "scene_id": bed["id"],
            "scene_number": "15",
            "person_id": person("Dev Malhotra")["id"],
            "name": "Dev Malhotra",
        }
    ]
    [update] = [e["args"][0] for e in ad_events if e["name"] == "scene:clearance"]
    assert update["scene_id"] == bed["id"] and update["cleared"] is False
    assert "off_roster_present" in {r["code"] for r in update["reasons"]}
    [mine] = got("Sam Lindqvist", "scene:clearance")
    late = next(r for r in mine["reasons"] if r["code"] == "rider_late")
    assert late["text"].endswith("you.")
    assert got("Lena Voss", "scene:clearance")
    assert not sockets["Jordan Blake"].get_received()
    assert not sockets["Kenji Mori"].get_received()
    for s in sockets.values():
        s.disconnect()


def test_the_screens_show_the_badge_reasons_and_actions(login, scene_of):
    bed = scene_of("15")
    ad = login("Tom Brennan").get("/ad").get_data(as_text=True)
    assert "Not cleared" in ad and 'data-code="set_not_closed"' in ad
    assert "Confirm: the set is closed" in ad
    ic = login("Maya Okafor").get("/ic").get_data(as_text=True)
    assert "Consent to the blocking" in ic and "Modesty garments and barriers" in ic
    me = login("Alex Rivera").get("/me").get_data(as_text=True)
    assert "I agree to version 1" in me and "Good to go" in me and "Check me in" in me
    page = login("Priya Shah").get(f"/scenes/{bed['id']}").get_data(as_text=True)
    assert "Check someone in" in page and "Add monitor" in page
    crew = login("Kenji Mori").get(f"/scenes/{bed['id']}/checkin")
    assert crew.status_code == 200 and "Check me in" in crew.get_data(as_text=True)
    costume = login("Marta Nowak").get(f"/scenes/{bed['id']}/checkin").get_data(as_text=True)
    assert "Add item" in costume
    assert login("Kenji Mori").get(f"/scenes/{scene_of('12')['id']}/checkin").status_code == 404
