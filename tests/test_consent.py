"""Consent to a blocking version: a change makes it stale, a withdrawal alerts the IC and the
1st AD at once, and only the performers in a scene may give or withdraw it."""

import pytest
from conftest import csrf

from ictool import alerts, audit, blocking, consent, scenes


@pytest.fixture
def scene_of(db):
    def find(number: str) -> dict:
        return next(s for s in db["scenes"].rows if s["number"] == number)

    return find


def _post(client, path: str, body: dict | None = None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": csrf(client)})


def test_a_blocking_change_after_consent_names_who_must_agree_again(db, person, scene_of):
    bed, alex, sam = scene_of("15"), person("Alex Rivera"), person("Sam Lindqvist")
    consent.confirm(db, bed, alex, 1)
    consent.confirm(db, bed, sam, 1)
    assert {s["state"] for s in consent.states(db, bed["id"])} == {"confirmed"}

    beats = blocking.current(db, bed["id"])["beats"]
    blocking.save(db, bed["id"], [*beats[:2], "Sam's hand on Alex's chest.", *beats[2:]], None)

    states = {s["name"]: s for s in consent.states(db, bed["id"])}
    assert states["Alex Rivera"]["state"] == "pending"
    assert states["Alex Rivera"]["confirmed_version"] == 1
    mine = consent.state_for(db, bed["id"], alex["id"])
    assert mine["must_confirm"] and mine["current_version"] == 2
    added = [c["beat"] for c in mine["changes"] if c["change"] == "added"]
    assert added == ["Sam's hand on Alex's chest."]


def test_consent_to_an_old_version_is_refused_and_says_which_is_current(db, person, scene_of):
    bed = scene_of("15")
    blocking.save(db, bed["id"], ["New beat."], None)
    with pytest.raises(consent.StaleVersion, match="version 2 is current"):
        consent.confirm(db, bed, person("Alex Rivera"), 1)
    with pytest.raises(ValueError, match="version must be"):
        consent.confirm(db, bed, person("Alex Rivera"), "2")


def test_withdrawal_raises_an_alert_for_the_ic_and_ad_and_stands_until_confirmed(
    db, person, scene_of
):
    bed, sam = scene_of("15"), person("Sam Lindqvist")
    consent.confirm(db, bed, sam, 1)
    alert, created = consent.withdraw(db, bed, sam, "withdraw-0001")
    assert created and alert["kind"] == "withdrawal" and alert["audience"] == "ic_and_ad"
    assert alert["scene_id"] == bed["id"]
    again, created_again = consent.withdraw(db, bed, sam, "withdraw-0001")
    assert not created_again and again["id"] == alert["id"]
    assert (
        db.execute("SELECT COUNT(*) FROM consent_events WHERE action='withdrawn'").fetchone()[0]
        == 1
    )
    told = {p["role"] for p in alerts.recipients(db, alert)}
    assert {"coordinator", "first_ad"} <= told
    assert consent.state_for(db, bed["id"], sam["id"])["state"] == "withdrawn"
    consent.confirm(db, bed, sam, 1)
    assert consent.state_for(db, bed["id"], sam["id"])["state"] == "confirmed"
    actions = [e["action"] for e in audit.entries(db, subject=f"scene:{bed['id']}")]
    assert actions.count("consent.withdrawn") == 1
    assert actions.count("consent.confirmed") == 2


def test_the_api_confirms_withdraws_and_refuses_others(login, db, scene_of, person):
    bed = scene_of("15")
    alex = login("Alex Rivera")
    path = f"/api/scenes/{bed['id']}/consent"
    assert _post(alex, path, {"version": 1}).get_json()["state"] == "confirmed"
    assert _post(alex, path, {"version": 7}).status_code == 409
    assert _post(alex, path, {"version": "one"}).status_code == 422
    assert _post(alex, path, {}).status_code == 422
    bad = alex.post(path, data="[", headers={"X-CSRF-Token": csrf(alex), **_json_type()})
    assert bad.status_code == 400
    assert alex.post(path, json={"version": 1}).status_code == 403  # no CSRF token

    jordan = login("Jordan Blake")  # not in scene 15
    assert _post(jordan, path, {"version": 1}).status_code == 403
    assert _post(jordan, path + "/withdraw").status_code == 403
    assert _post(login("Tom Brennan"), path, {"version": 1}).status_code == 403
    assert _post(alex, "/api/scenes/99999/consent", {"version": 1}).status_code == 404
    twelve = scene_of("12")  # no intimate content: nothing to consent to
    assert _post(alex, f"/api/scenes/{twelve['id']}/consent", {"version": 1}).status_code == 422

    withdrawn = _post(alex, path + "/withdraw")
    assert withdrawn.status_code == 201
    assert withdrawn.get_json()["state"] == "withdrawn"
    assert (
        alerts.get(db, withdrawn.get_json()["alert_id"])["raised_by"] == person("Alex Rivera")["id"]
    )
    retry = _post(alex, path + "/withdraw", {"client_id": "retry-from-phone-1"})
    assert retry.status_code == 201
    assert _post(alex, path + "/withdraw", {"client_id": "retry-from-phone-1"}).status_code == 200
    assert _post(alex, path + "/withdraw", {"client_id": 5}).status_code == 422


def test_the_ic_sees_everyones_consent_and_a_performer_only_their_own(login, scene_of):
    bed = scene_of("15")
    path = f"/api/scenes/{bed['id']}/consent"
    ic = login("Maya Okafor").get(path).get_json()
    assert {p["name"] for p in ic["performers"]} == {"Alex Rivera", "Sam Lindqvist"}
    assert "mine" not in ic
    mine = login("Sam Lindqvist").get(path).get_json()
    assert "performers" not in mine and mine["mine"]["must_confirm"]
    assert login("Kenji Mori").get(path).status_code == 403


def test_a_blocking_diff_between_versions_for_those_who_may_read_blocking(login, db, scene_of):
    bed = scene_of("15")
    blocking.save(db, bed["id"], ["Only one beat now."], None)
    ic = login("Maya Okafor")
    diff = ic.get(f"/api/scenes/{bed['id']}/blocking/diff").get_json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert {"change": "added", "beat": "Only one beat now."} in diff["changes"]
    assert sum(c["change"] == "removed" for c in diff["changes"]) == 5
    whole = ic.get(f"/api/scenes/{bed['id']}/blocking/diff?from=0&to=1").get_json()
    assert all(c["change"] == "added" for c in whole["changes"])
    assert ic.get(f"/api/scenes/{bed['id']}/blocking/diff?from=x").status_code == 422
    assert ic.get(f"/api/scenes/{bed['id']}/blocking/diff?to=9").status_code == 422
    assert login("Alex Rivera").get(f"/api/scenes/{bed['id']}/blocking/diff").status_code == 200
    assert login("Jordan Blake").get(f"/api/scenes/{bed['id']}/blocking/diff").status_code == 403
    assert login("Tom Brennan").get(f"/api/scenes/{bed['id']}/blocking/diff").status_code == 403
    twelve = scene_of("12")
    assert ic.get(f"/api/scenes/{twelve['id']}/blocking/diff").status_code == 422


def test_the_scene_page_shows_the_diff_and_the_edit_form_to_the_ic(login, db, scene_of):
    bed = scene_of("15")
    blocking.save(db, bed["id"], ["Only one beat now."], None)
    page = login("Maya Okafor").get(f"/scenes/{bed['id']}").get_data(as_text=True)
    assert "What changed in the blocking" in page and "Only one beat now." in page
    assert 'data-type="lines"' in page
    performer = login("Alex Rivera").get(f"/scenes/{bed['id']}").get_data(as_text=True)
    assert "Edit the blocking" not in performer
    assert "I agree to version 2" in performer and "Withdraw my consent" in performer
    assert scenes.performer_ids(db, bed["id"])


def _json_type() -> dict:
    return {"Content-Type": "application/json"}
