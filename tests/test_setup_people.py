"""A real production from an empty database: the one-time setup link, the people page and
the people API. Everything starts from an empty SQLite file, never the demo."""

import re

import pytest
from conftest import csrf

from ictool import audit, create_app, people, people_records, scenes, setup
from ictool.db import connect
from ictool.realtime import socketio

PRODUCTION = {
    "title": "Blue Hour",
    "company": "Lark Films",
    "jurisdiction": "equity_uk",
    "timezone": "Europe/London",
    "starts": "2027-03-01",
    "ends": "2027-04-30",
    "ic_engaged": "2027-01-10",
}


@pytest.fixture
def app(tmp_path):
    """The set server on an empty database (overrides conftest's demo app)."""
    return create_app(
        {
            "TESTING": True,
            "DB": str(tmp_path / "empty.db"),
            "SECRET_KEY": "test",
            "SERVER_NAME": "set.local",
        },
        instance_path=str(tmp_path / "instance"),
    )


@pytest.fixture
def db(app):
    conn = connect(app.config["DB"])
    yield conn
    conn.close()


def _alert(html: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', html)
    return found.group(1) if found else ""


def _set_up(app, db, name="Ruth Adeyemi", role="producer"):
    """Open a setup link in a fresh browser and create the production; the signed-in client."""
    c = app.test_client()
    token = setup.issue(db)
    response = c.post(f"/setup/{token}", data=dict(PRODUCTION, name=name, role=role))
    assert response.status_code == 302, _alert(response.text)
    return c, token


def _form(client, **fields) -> dict:
    return {"csrf_token": csrf(client), **fields}


def test_the_welcome_page_of_an_empty_server_says_how_to_start(client):
    page = client.get("/").text
    assert "holds no production yet" in page
    assert "ictool serve" in page and "ictool setup-link" in page
    assert "ictool production create" in page


def test_a_setup_link_creates_the_production_and_signs_the_producer_in(app, db):
    c = app.test_client()
    token = setup.issue(db)
    page = c.get(f"/setup/{token}")
    assert page.status_code == 200 and "New production" in page.text
    assert "Equity / Bectu (United Kingdom)" in page.text  # chosen by name
    assert "Europe/London" in page.text  # the time zone list

    response = c.post(
        f"/setup/{token}", data=dict(PRODUCTION, name="Ruth Adeyemi", role="producer")
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    assert c.get("/home").headers["Location"].endswith("/producer")
    assert c.get("/producer").status_code == 200
    production = c.get("/api/production").get_json()
    assert production["title"] == "Blue Hour" and production["company"] == "Lark Films"
    assert production["timezone"] == "Europe/London"
    assert production["ic_engaged_on"] == "2027-01-10"
    assert production["rider_notice_hours"] == 48
    assert c.get("/api/me").get_json()["name"] == "Ruth Adeyemi"
    actions = [e["action"] for e in audit.entries(db)]
    assert {"setup.link_issued", "production.created", "person.added"} <= set(actions)
    assert "setup.link_used" in actions


def test_an_ic_can_set_up_too_and_lands_on_the_ic_screen(app, db):
    c, _token = _set_up(app, db, name="Maya Okafor", role="coordinator")
    assert c.get("/home").headers["Location"].endswith("/ic")


def test_an_ic_who_set_up_the_production_adds_the_ads_until_there_is_a_producer(app, db):
    """With no producer, nobody but the IC could add the 1st AD who closes the set."""
    ic, _token = _set_up(app, db, name="Maya Okafor", role="coordinator")
    page = ic.get("/people").text
    assert '<option value="first_ad"' in page and '<option value="producer"' in page
    added = ic.post("/people", data=_form(ic, name="Tom Brennan", role="first_ad"))
    assert added.status_code == 302, _alert(added.text)
    tom = next(p for p in people.in_production(db, 1) if p["name"] == "Tom Brennan")
    assert ic.post(f"/people/{tom['id']}/link", data=_form(ic)).status_code == 200
    headers = {"X-CSRF-Token": csrf(ic)}
    ruth = ic.post(
        "/api/people", json={"name": "Ruth Adeyemi", "role": "producer"}, headers=headers
    )
    assert ruth.status_code == 201

    # a producer now: the IC manages performers and crew again, as the producer does the rest
    assert (
        ic.patch(f"/api/people/{tom['id']}", json={"name": "T"}, headers=headers).status_code == 403
    )
    assert '<option value="first_ad"' not in ic.get("/people").text
    lena = ic.post("/api/people", json={"name": "Lena Voss", "role": "director"}, headers=headers)
    assert lena.status_code == 422 and "performer (Performer)" in lena.get_json()["error"]


def test_bad_setup_fields_are_named_and_nothing_is_written(app, db):
    c = app.test_client()
    token = setup.issue(db)
    cases = {
        "title": "",
        "jurisdiction": "mars",
        "timezone": "Mars/Olympus",
        "starts": "01/03/2027",
        "ends": "2027-02-01",
    }
    for field, value in cases.items():
        response = c.post(
            f"/setup/{token}", data=dict(PRODUCTION, name="Ruth", role="producer", **{field: value})
        )
        assert response.status_code == 422, field
        assert f'id="f-{field}" name="{field}"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert _alert(response.text), field
    refused = c.post(f"/setup/{token}", data=dict(PRODUCTION, name="Ruth", role="performer"))
    assert refused.status_code == 422 and "producer (Producer)" in _alert(refused.text)
    nameless = c.post(f"/setup/{token}", data=dict(PRODUCTION, name="  ", role="producer"))
    assert nameless.status_code == 422 and "name" in _alert(nameless.text)  # after the
    # production was checked and inserted: the whole transaction is rolled back
    assert db["productions"].count == 0 and db["people"].count == 0
    assert setup.state(db, token).status == "open"  # a mistake does not use the link up


def test_a_setup_link_used_twice_says_by_whom_and_when(app, db):
    _c, token = _set_up(app, db)
    again = app.test_client()
    page = again.get(f"/setup/{token}")
    assert page.status_code == 410
    assert "already used" in page.text and "Ruth Adeyemi" in page.text and "Blue Hour" in page.text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d Europe/London", page.text)  # local time
    posted = again.post(f"/setup/{token}", data=dict(PRODUCTION, name="Eve", role="producer"))
    assert posted.status_code == 410 and "Ruth Adeyemi" in posted.text
    assert db["productions"].count == 1


def test_an_expired_or_replaced_setup_link_says_so(app, db):
    old = setup.issue(db)
    db.execute("UPDATE setup_tokens SET expires_at = '2000-01-01T00:00:00.000+00:00'")
    db.conn.commit()
    page = app.test_client().get(f"/setup/{old}")
    assert page.status_code == 410 and "expired" in page.text
    lost = setup.issue(db)
    fresh = setup.issue(db)  # a fresh link replaces the one that was lost
    assert setup.state(db, lost).status == "expired"
    assert setup.state(db, fresh).status == "open"
    assert app.test_client().get("/setup/not-a-link").status_code == 404


def test_only_a_hash_of_the_setup_link_is_stored(app, db):
    token = setup.issue(db)
    stored = next(db["setup_tokens"].rows)
    assert token not in str(stored) and len(stored["token_hash"]) == 64


def test_a_studio_makes_a_second_production_from_a_new_setup_link(app, db):
    first, _ = _set_up(app, db)
    second, _ = _set_up(app, db, name="Ines Roy")
    assert (
        first.get("/api/production").get_json()["id"]
        != (second.get("/api/production").get_json()["id"])
    )
    assert [p["name"] for p in second.get("/api/people").get_json()] == ["Ines Roy"]


def test_the_producer_adds_edits_deactivates_and_reactivates_a_person(app, db):
    c, _ = _set_up(app, db)
    added = c.post(
        "/people",
        data=_form(c, name="Alex Rivera", role="performer", character_name="Juno", language="fr"),
    )
    assert added.status_code == 302
    person_id = int(added.headers["Location"].rsplit("/", 1)[1])
    edit_page = c.get(f"/people/{person_id}").text
    assert "Juno" in edit_page and "Revoke link" in edit_page and "Deactivate" in edit_page

    token = people.issue_token(db, person_id)
    alex = app.test_client()
    assert alex.get(f"/join/{token}").status_code == 302

    saved = c.post(
        f"/people/{person_id}",
        data=_form(c, name="Alex Rivera", role="performer", character_name="June", language="de"),
    )
    assert saved.status_code == 302
    assert people.get(db, person_id)["character_name"] == "June"
    assert alex.get("/api/me").get_json()["language"] == "de"

    c.post(f"/people/{person_id}/deactivate", data=_form(c))
    assert alex.get("/api/me").status_code == 401  # at once, on the next request
    assert app.test_client().get(f"/join/{token}").status_code == 403
    listed = c.get("/people").text
    assert "Deactivated" in listed and "deactivated" in listed
    assert "Alex Rivera" not in [p["name"] for p in c.get("/api/people").get_json()]

    c.post(f"/people/{person_id}/reactivate", data=_form(c))
    assert alex.get("/api/me").status_code == 200
    actions = [e["action"] for e in audit.entries(db, subject=f"person:{person_id}")]
    assert actions[-3:] == ["person.updated", "person.deactivated", "person.reactivated"]
    assert "June" not in str(audit.entries(db))  # codes and ids, never what was typed


def test_bad_person_fields_are_named(app, db):
    c, _ = _set_up(app, db)
    crew = c.post("/people", data=_form(c, name="Kenji Mori", role="crew"))
    assert crew.status_code == 422 and "department" in _alert(crew.text)
    role = c.post("/people", data=_form(c, name="Kenji Mori", role="boss"))
    assert role.status_code == 422 and "first_ad (1st AD)" in _alert(role.text)
    twice = c.post("/people", data=_form(c, name="ruth adeyemi", role="producer"))
    assert twice.status_code == 422 and "already on this production" in _alert(twice.text)
    assert c.post("/people", data={"name": "X", "role": "crew"}).status_code == 403  # no CSRF


def test_revoke_link_signs_a_lost_phone_out(app, db):
    c, _ = _set_up(app, db)
    person_id = people.create(db, 1, {"name": "Kenji Mori", "role": "crew", "department": "camera"})
    phone = app.test_client()
    phone.get(f"/join/{people.issue_token(db, person_id)}")
    assert phone.get("/api/me").status_code == 200
    c.post(f"/people/{person_id}/revoke", data=_form(c))
    assert phone.get("/api/me").status_code == 401
    shown = c.post(f"/people/{person_id}/link", data=_form(c))  # a new code for the new phone
    assert shown.status_code == 200 and "<svg" in shown.text


def test_who_manages_whom_is_enforced_on_every_route(app, db):
    producer, _ = _set_up(app, db)
    ids = {
        role: people.create(db, 1, {"name": name, "role": role, "department": dept})
        for role, name, dept in [
            ("coordinator", "Maya Okafor", None),
            ("first_ad", "Tom Brennan", None),
            ("performer", "Alex Rivera", None),
            ("crew", "Kenji Mori", "camera"),
            ("director", "Lena Voss", None),
        ]
    }

    def signed_in(role):
        c = app.test_client()
        c.get(f"/join/{people.issue_token(db, ids[role])}")
        return c

    ic, ad = signed_in("coordinator"), signed_in("first_ad")
    headers = {"X-CSRF-Token": csrf(ic)}
    assert (
        ic.patch(
            f"/api/people/{ids['performer']}", json={"name": "Alex R."}, headers=headers
        ).status_code
        == 200
    )
    assert (
        ic.patch(f"/api/people/{ids['director']}", json={"name": "L"}, headers=headers).status_code
        == 403
    )
    assert (
        ic.patch(
            f"/api/people/{ids['crew']}", json={"role": "producer"}, headers=headers
        ).status_code
        == 403
    )
    assert ic.post(f"/people/{ids['first_ad']}/deactivate", data=_form(ic)).status_code == 403
    ad_headers = {"X-CSRF-Token": csrf(ad)}
    assert ad.post(f"/api/people/{ids['crew']}/deactivate", headers=ad_headers).status_code == 200
    assert (
        ad.post(f"/api/people/{ids['performer']}/deactivate", headers=ad_headers).status_code == 403
    )
    assert ad.get(f"/people/{ids['performer']}").status_code == 403
    added = ad.post("/api/people", json={"name": "Ana", "role": "performer"}, headers=ad_headers)
    assert added.status_code == 422 and "crew (Crew)" in added.get_json()["error"]
    performer = signed_in("performer")
    assert (
        performer.post(
            "/api/people",
            json={"name": "X", "role": "crew", "department": "a"},
            headers={"X-CSRF-Token": csrf(performer)},
        ).status_code
        == 403
    )
    # nobody deactivates themselves
    me_id = producer.get("/api/me").get_json()["id"]
    assert (
        producer.post(
            f"/api/people/{me_id}/deactivate", headers={"X-CSRF-Token": csrf(producer)}
        ).status_code
        == 403
    )


def test_the_people_api_adds_edits_and_refuses_bad_fields(app, db):
    c, _ = _set_up(app, db)
    h = {"X-CSRF-Token": csrf(c)}
    made = c.post(
        "/api/people",
        json={"name": "Sam Lindqvist", "role": "performer", "language": "sv"},
        headers=h,
    )
    assert made.status_code == 201
    sam = made.get_json()
    assert sam["active"] is True and sam["language"] == "sv"
    for bad in (
        {"name": ""},
        {"language": "xx"},
        {"role": ["crew"]},
        {"nickname": "S"},
        {"language": ["en"]},
    ):
        response = c.patch(f"/api/people/{sam['id']}", json=bad, headers=h)
        assert response.status_code == 422, bad
        assert response.get_json()["field"] == next(iter(bad)), bad
    assert c.patch(f"/api/people/{sam['id']}", json=[1], headers=h).status_code == 400
    assert c.patch("/api/people/999", json={}, headers=h).status_code == 404
    changed = c.patch(f"/api/people/{sam['id']}", json={"character_name": "Juno"}, headers=h)
    assert changed.get_json()["character_name"] == "Juno"


def _scene_with(db, *performer_ids, closed=True):
    day = scenes.add_day(db, 1, "2027-03-02", "Studio 2", "07:00")
    return scenes.add_scene(
        db,
        1,
        day,
        "31",
        "Bedroom",
        "partial_nudity",
        closed_set=closed,
        performers=dict.fromkeys(performer_ids),
        roster=dict.fromkeys(performer_ids, "performer"),
    )


def test_a_person_added_by_mistake_is_deleted_but_one_with_records_is_not(app, db):
    c, _ = _set_up(app, db)
    h = {"X-CSRF-Token": csrf(c)}
    typo = people.create(db, 1, {"name": "Alex Riviera", "role": "performer"})
    people.issue_token(db, typo)  # a link made but never opened
    assert "Delete" in c.get(f"/people/{typo}").text
    assert c.delete(f"/api/people/{typo}", headers=h).status_code == 200
    assert people.get(db, typo) is None

    cast = people.create(db, 1, {"name": "Alex Rivera", "role": "performer"})
    _scene_with(db, cast)
    refused = c.delete(f"/api/people/{cast}", headers=h)
    assert refused.status_code == 409 and "merge" in refused.get_json()["error"]
    signed = people.create(db, 1, {"name": "Jordan Blake", "role": "performer"})
    app.test_client().get(f"/join/{people.issue_token(db, signed)}")
    assert c.delete(f"/api/people/{signed}", headers=h).status_code == 409
    assert people.get(db, cast) and people.get(db, signed)


def test_a_duplicate_is_merged_into_the_right_person(app, db):
    c, _ = _set_up(app, db)
    right = people.create(db, 1, {"name": "Alex Rivera", "role": "performer"})
    typo = people.create(db, 1, {"name": "Alex Riviera", "role": "performer"})
    scene_id = _scene_with(db, typo)
    db.execute(
        "UPDATE scene_performers SET rider_signed_on = '2027-02-20' WHERE person_id = ?", [typo]
    )
    db.conn.commit()
    phone = app.test_client()
    phone.get(f"/join/{people.issue_token(db, typo)}")

    merged = c.post(f"/people/{typo}/merge", data=_form(c, into=str(right), confirm="1"))

    assert merged.status_code == 302 and merged.headers["Location"].endswith(f"/people/{right}")
    assert scenes.performer_ids(db, scene_id) == [right]
    rider = db.execute("SELECT rider_signed_on FROM scene_performers WHERE person_id = ?", [right])
    assert rider.fetchone()[0] == "2027-02-20"
    assert people.get(db, typo) is None
    assert phone.get("/api/me").status_code == 401  # the duplicate's link stops
    assert audit.entries(db)[-1]["action"] == "person.merged"


def test_a_merge_that_would_change_consent_is_refused_with_nothing_changed(app, db):
    c, _ = _set_up(app, db)
    h = {"X-CSRF-Token": csrf(c)}
    right = people.create(db, 1, {"name": "Alex Rivera", "role": "performer"})
    typo = people.create(db, 1, {"name": "Alex Riviera", "role": "performer"})
    scene_id = _scene_with(db, right, typo)
    for person_id, action in ((right, "confirmed"), (typo, "withdrawn")):
        db.execute(
            "INSERT INTO consent_events (scene_id, person_id, action, version, at) "
            "VALUES (?, ?, ?, 1, '2027-03-02T07:00:00')",
            [scene_id, person_id, action],
        )
    db.conn.commit()
    refused = c.post(f"/api/people/{typo}/merge", json={"into": right}, headers=h)
    assert refused.status_code == 409 and "consent" in refused.get_json()["error"]
    assert people.get(db, typo) and sorted(scenes.performer_ids(db, scene_id)) == sorted(
        [right, typo]
    )
    wrong_role = people.create(
        db, 1, {"name": "Kenji Mori", "role": "crew", "department": "camera"}
    )
    assert (
        c.post(f"/api/people/{typo}/merge", json={"into": wrong_role}, headers=h).status_code == 409
    )
    assert c.post(f"/api/people/{typo}/merge", json={"into": "x"}, headers=h).status_code == 422
    assert people_records.records(db, typo)


def test_an_open_socket_of_a_deactivated_person_stops_on_its_next_event(app, db):
    _set_up(app, db)
    person_id = people.create(db, 1, {"name": "Tom Brennan", "role": "first_ad"})
    sock = socketio.test_client(app, auth={"token": people.issue_token(db, person_id)})
    assert sock.is_connected()
    assert sock.emit("alert:sync", {"since": 0}, callback=True)["status"] == 200
    people.set_active(db, person_id, False)
    assert sock.emit("alert:sync", {"since": 0}, callback=True)["status"] == 401
    sock.disconnect()


def test_a_merge_combines_shared_rows_and_refuses_different_rider_dates(app, db):
    _set_up(app, db)
    right = people.create(db, 1, {"name": "Alex Rivera", "role": "performer"})
    typo = people.create(db, 1, {"name": "Alex Riviera", "role": "performer"})
    scene_id = _scene_with(db, right, typo)
    db.execute("UPDATE scene_roster SET purpose = NULL WHERE person_id = ?", [right])
    db.execute("UPDATE scene_roster SET purpose = 'stand-in' WHERE person_id = ?", [typo])
    signed = "UPDATE scene_performers SET rider_signed_on = ? WHERE person_id = ?"
    db.execute(signed, ["2027-02-20", right])
    db.execute(signed, ["2027-02-21", typo])
    db.conn.commit()
    with pytest.raises(people_records.Conflict, match="different rider date for scene 31"):
        people_records.merge(db, typo, right)
    assert people.get(db, typo) is not None  # nothing changed
    assert sorted(scenes.performer_ids(db, scene_id)) == sorted([right, typo])

    db.execute(signed, ["2027-02-20", typo])
    db.conn.commit()
    moved = people_records.merge(db, typo, right)

    assert scenes.performer_ids(db, scene_id) == [right]
    roster = db.execute(
        "SELECT person_id, purpose FROM scene_roster WHERE scene_id = ?", [scene_id]
    )
    assert roster.fetchall() == [(right, "stand-in")]  # the blank filled from the duplicate
    assert moved == {}  # both rows were shared: combined, none moved
    assert audit.entries(db)[-1]["detail"] == {"merged": typo, "moved": {}}


def test_a_merge_keeps_one_briefing_acknowledgement_whatever_its_language(app, db):
    _set_up(app, db)
    right = people.create(db, 1, {"name": "Kenji Mori", "role": "crew", "department": "camera"})
    typo = people.create(db, 1, {"name": "Kenji Moro", "role": "crew", "department": "camera"})
    for person_id, lang in ((right, "en"), (typo, "de")):
        db["briefing_acks"].insert(
            {"production_id": 1, "person_id": person_id, "version": 1, "language": lang,
             "acknowledged_at": "2027-02-01T10:00:00"}
        )  # fmt: skip
    people_records.merge(db, typo, right)
    acks = db.execute("SELECT person_id, language FROM briefing_acks").fetchall()
    assert acks == [(right, "en")]
