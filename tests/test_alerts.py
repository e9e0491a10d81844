"""The alert channel's rules, in process: who sees what, idempotent raising, escalation
from the database, and every refusal in plain words. The real-server stories are in
test_alerts_live.py."""

import uuid
from datetime import datetime, timedelta

import pytest
from conftest import csrf

from ictool import alerts, audit, escalation, people
from ictool.alerts import AlertError

SECRET = "I was not told about the second take"


def cid() -> str:
    return str(uuid.uuid4())


def scene_id(db, number: str) -> int:
    return next(db["scenes"].rows_where("number = ?", [number]))["id"]


def post(client, url: str, body=None, **kwargs):
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf(client)}, **kwargs)


@pytest.fixture
def raised(db, person):
    """Raise an alert straight through the domain, as `name`."""

    def make(name: str, **payload) -> dict:
        payload.setdefault("client_id", cid())
        alert, created = alerts.raise_alert(db, person(name), payload)
        assert created
        return alert

    return make


def test_a_pause_is_saved_once_however_often_the_phone_retries(login, db):
    alex = login("Alex Rivera")
    body = {"kind": "pause", "client_id": cid(), "scene_id": scene_id(db, "15")}
    first = post(alex, "/api/alerts", body)
    assert first.status_code == 201
    again = [post(alex, "/api/alerts", body) for _ in range(4)]
    assert {r.status_code for r in again} == {200}
    assert {r.get_json()["id"] for r in again} == {first.get_json()["id"]}
    assert db["alerts"].count == 1
    view = first.get_json()
    assert view["scene"] == {"id": body["scene_id"], "number": "15"}
    assert view["mine"] is True and view["state"] == "open" and view["seq"] >= 1


def test_a_stale_scene_does_not_stop_a_pause(login):
    body = {"kind": "pause", "client_id": cid(), "scene_id": 99999}
    response = post(login("Alex Rivera"), "/api/alerts", body)
    assert response.status_code == 201 and response.get_json()["scene"] is None


def test_someone_elses_client_id_is_a_conflict(login):
    body = {"kind": "pause", "client_id": cid()}
    assert post(login("Alex Rivera"), "/api/alerts", body).status_code == 201
    conflict = post(login("Sam Lindqvist"), "/api/alerts", body)
    assert conflict.status_code == 409
    assert "another alert" in conflict.get_json()["error"]


C = "device-made-id-0001"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"kind": "withdrawal", "client_id": C}, "kind must be one of pause, concern"),
        ({"kind": "shout", "client_id": C}, "kind must be"),
        ({"kind": "pause", "client_id": "short"}, "client_id"),
        ({"kind": "pause", "client_id": 12345678}, "client_id"),
        ({"kind": "pause"}, "client_id"),
        ({"kind": "concern", "client_id": C, "text": "x" * 1001}, "at most 1000"),
        ({"kind": "concern", "client_id": C, "text": ["a list"]}, "text must be"),
        ({"kind": "pause", "client_id": C, "text": "why"}, "carries no text"),
        ({"kind": "concern", "client_id": C, "preset": "Not A Code!"}, "preset"),
        ({"kind": "concern", "client_id": C, "audience": "everyone"}, "audience"),
        ({"kind": "concern", "client_id": C, "anonymous": "yes"}, "anonymous"),
        ({"kind": "pause", "client_id": C, "scene_id": "15"}, "scene_id"),
        ({"kind": "pause", "client_id": C, "scene_id": True}, "scene_id"),
    ],
)
def test_a_bad_raise_is_refused_in_plain_words(login, db, body, words):
    response = post(login("Alex Rivera"), "/api/alerts", body)
    assert response.status_code == 422, response.get_json()
    assert words in response.get_json()["error"]
    assert db["alerts"].count == 0


def test_something_that_is_not_json_is_a_400(login):
    alex = login("Alex Rivera")
    response = alex.post("/api/alerts", data="pause!", headers={"X-CSRF-Token": csrf(alex)})
    assert response.status_code == 400


def test_withdrawal_is_raised_by_the_server_without_a_client_id(db, person):
    alex = person("Alex Rivera")
    alert, created = alerts.raise_alert(
        db, alex, {"kind": "withdrawal", "scene_id": scene_id(db, "15")}
    )
    assert created and alert["client_id"].startswith("server-")
    seen = alerts.view_for(db, alert, person("Tom Brennan"))
    assert seen["label"] == "Consent withdrawn" and seen["sender"]["name"] == "Alex Rivera"
    with pytest.raises(AlertError) as refused:
        alerts.raise_alert(db, alex, {"kind": "withdrawal"}, kinds=alerts.PUBLIC_KINDS)
    assert refused.value.status == 422


def test_an_ic_only_concern_is_masked_for_everyone_but_the_ic_and_its_sender(db, person, raised):
    alert = raised("Sam Lindqvist", kind="concern", text=SECRET, scene_id=scene_id(db, "15"))
    ic = alerts.view_for(db, alert, person("Maya Okafor"))
    assert ic["text"] == SECRET and ic["sender"]["name"] == "Sam Lindqvist"
    own = alerts.view_for(db, alert, person("Sam Lindqvist"))
    assert own["text"] == SECRET and own["mine"]
    ad = alerts.view_for(db, alert, person("Tom Brennan"))
    assert ad["restricted"] is True
    assert ad["label"] == "Concern raised — IC attending"
    assert (ad["text"], ad["preset"], ad["sender"], ad["scene"]) == (None, None, None, None)
    assert SECRET not in str(ad)
    for outsider in ("Priya Shah", "Ruth Adeyemi", "Lena Voss", "Alex Rivera", "Kenji Mori"):
        assert alerts.view_for(db, alert, person(outsider)) is None, outsider


def test_a_concern_for_the_ic_and_ad_shows_its_text_to_the_ads_only(db, person, raised):
    alert = raised("Sam Lindqvist", kind="concern", text=SECRET, audience="ic_and_ad")
    assert alerts.view_for(db, alert, person("Tom Brennan"))["text"] == SECRET
    db.execute("UPDATE alerts SET escalation_level = 2 WHERE id = ?", [alert["id"]])
    alert = alerts.get(db, alert["id"])
    assert alerts.view_for(db, alert, person("Priya Shah"))["text"] == SECRET
    for masked in ("Ruth Adeyemi", "Lena Voss"):
        assert alerts.view_for(db, alert, person(masked))["restricted"] is True
    assert alerts.view_for(db, alert, person("Alex Rivera")) is None


def test_an_anonymous_pause_hides_the_name_from_all_but_the_ic(db, person, raised):
    alert = raised("Jordan Blake", kind="pause", anonymous=True)
    assert alerts.view_for(db, alert, person("Tom Brennan"))["sender"] is None
    assert alerts.view_for(db, alert, person("Maya Okafor"))["sender"]["name"] == "Jordan Blake"
    assert alerts.view_for(db, alert, person("Jordan Blake"))["sender"]["name"] == "Jordan Blake"
    entries = audit.entries(db, subject=f"alert:{alert['id']}")
    assert {e["actor_id"] for e in entries} == {None}  # the audit does not name them either


def test_crew_may_raise_but_never_list_alerts(login, db):
    kenji = login("Kenji Mori")
    assert kenji.get("/api/alerts").status_code == 403
    assert kenji.get("/api/alerts?state=all").status_code == 403
    assert post(kenji, "/api/alerts", {"kind": "pause", "client_id": cid()}).status_code == 201
    assert post(kenji, "/api/alerts/1/ack").status_code == 403


def test_a_performer_lists_only_their_own_alerts(login):
    alex, sam = login("Alex Rivera"), login("Sam Lindqvist")
    mine = post(alex, "/api/alerts", {"kind": "pause", "client_id": cid()}).get_json()
    post(sam, "/api/alerts", {"kind": "concern", "client_id": cid(), "text": SECRET})
    listed = alex.get("/api/alerts").get_json()
    assert [a["id"] for a in listed["alerts"]] == [mine["id"]]
    assert SECRET not in str(listed)


def test_acknowledge_then_resolve_and_who_may(login, db):
    alex, tom, maya = login("Alex Rivera"), login("Tom Brennan"), login("Maya Okafor")
    pause = post(alex, "/api/alerts", {"kind": "pause", "client_id": cid()}).get_json()
    concern = post(alex, "/api/alerts", {"kind": "concern", "client_id": cid()}).get_json()
    assert post(alex, f"/api/alerts/{pause['id']}/ack").status_code == 403
    acked = post(tom, f"/api/alerts/{pause['id']}/ack").get_json()
    assert (acked["state"], acked["acknowledged_by"]) == ("acknowledged", "Tom Brennan")
    assert post(tom, f"/api/alerts/{pause['id']}/ack").status_code == 200  # again: no change
    assert post(tom, f"/api/alerts/{concern['id']}/ack").status_code == 403
    assert post(tom, f"/api/alerts/{concern['id']}/resolve").status_code == 403
    done = post(maya, f"/api/alerts/{concern['id']}/resolve", {"note": "Talked it through"})
    view = done.get_json()
    assert (view["state"], view["resolved_by"], view["acknowledged_by"]) == (
        "resolved",
        "Maya Okafor",
        "Maya Okafor",
    )
    assert view["resolution_note"] == "Talked it through"
    assert post(tom, f"/api/alerts/{pause['id']}/resolve").get_json()["state"] == "resolved"
    assert post(tom, "/api/alerts/999/ack").status_code == 404
    assert post(maya, f"/api/alerts/{pause['id']}/resolve", {"note": 5}).status_code == 422
    assert tom.get("/api/alerts").get_json()["alerts"] == []
    assert len(tom.get("/api/alerts?state=all").get_json()["alerts"]) == 2


def test_since_returns_what_changed_after_a_seq(login):
    alex, tom, sam = login("Alex Rivera"), login("Tom Brennan"), login("Sam Lindqvist")
    first = post(alex, "/api/alerts", {"kind": "pause", "client_id": cid()}).get_json()
    mark = tom.get("/api/alerts").get_json()["seq"]
    assert mark == first["seq"]
    second = post(sam, "/api/alerts", {"kind": "pause", "client_id": cid()}).get_json()
    post(tom, f"/api/alerts/{first['id']}/ack")
    changed = tom.get(f"/api/alerts?since={mark}").get_json()
    assert [a["id"] for a in changed["alerts"]] == [second["id"], first["id"]]
    assert changed["seq"] > second["seq"] > mark
    assert tom.get(f"/api/alerts?since={changed['seq']}").get_json()["alerts"] == []
    assert tom.get("/api/alerts?since=-1").status_code == 422
    assert tom.get(f"/api/alerts?since={2**64}").status_code == 422
    assert tom.get(f"/api/alerts?since={'9' * 5000}").status_code == 422
    assert tom.get("/api/alerts?state=closed").status_code == 422


def at(alert: dict, seconds: float) -> datetime:
    return datetime.fromisoformat(alert["raised_at"]) + timedelta(seconds=seconds)


def test_escalation_follows_the_clock_in_the_database_and_fires_once(db, person, raised):
    alert = raised("Alex Rivera", kind="pause")
    assert alerts.escalate_due(db, at(alert, 14.9)) == []
    assert alerts.escalate_due(db, at(alert, 15.1)) == [alert["id"]]
    assert alerts.escalate_due(db, at(alert, 16)) == []  # once per level
    assert alerts.view_for(db, alerts.get(db, alert["id"]), person("Priya Shah"))
    assert alerts.view_for(db, alerts.get(db, alert["id"]), person("Lena Voss")) is None
    assert alerts.escalate_due(db, at(alert, 30.1)) == [alert["id"]]
    assert alerts.escalate_due(db, at(alert, 300)) == []  # 2 is the top
    assert alerts.view_for(db, alerts.get(db, alert["id"]), person("Lena Voss"))
    levels = [
        e["detail"]["level"]
        for e in audit.entries(db, subject=f"alert:{alert['id']}")
        if e["action"] == "alert.escalated"
    ]
    assert levels == [1, 2]


def test_a_burst_coming_due_escalates_in_short_batches_each_alert_once(app, db, person, raised):
    """Hundreds of pauses coming due at once must not hold the write lock for the whole
    burst while a new pause waits: each call writes one short batch, oldest first."""
    production_id = person("Alex Rivera")["production_id"]
    names = [f"Extra {n}" for n in range(2 * alerts.ESCALATION_BATCH + 3)]
    for name in names:
        people.add(db, production_id, name, "performer")
    burst = [raised(name, kind="pause") for name in names]
    later = at(burst[-1], 16)
    first = alerts.escalate_due(db, later)
    assert first == [a["id"] for a in burst[: alerts.ESCALATION_BATCH]]
    rest = alerts.escalate_due(db, later) + alerts.escalate_due(db, later)
    assert first + rest == [a["id"] for a in burst]
    assert alerts.escalate_due(db, later) == []
    db.execute("UPDATE alerts SET raised_at = ?", ["2026-01-01T00:00:00.000+00:00"])
    db.conn.commit()
    with app.app_context():  # the loop's tick takes the whole burst, batch after batch
        assert escalation.tick(app, db) == [a["id"] for a in burst]
        assert escalation.tick(app, db) == []
    assert {alerts.get(db, a["id"])["escalation_level"] for a in burst} == {2}


def test_an_acknowledged_alert_stops_escalating(db, person, raised):
    alert = raised("Alex Rivera", kind="pause")
    alerts.acknowledge(db, alert["id"], person("Tom Brennan"))
    assert alerts.escalate_due(db, at(alert, 100)) == []


def test_a_production_sets_its_own_escalation_time(db, raised):
    alert = raised("Alex Rivera", kind="pause")
    db.execute("UPDATE productions SET escalation_seconds = 5")
    assert alerts.escalate_due(db, at(alert, 4), default_seconds=60) == []
    assert alerts.escalate_due(db, at(alert, 11), default_seconds=60) == [alert["id"]]
    assert alerts.get(db, alert["id"])["escalation_level"] == 2  # long overdue: straight up


def test_one_process_holds_the_escalation_lease_at_a_time(db):
    assert escalation.take_lease(db, "escalation", "a", 3, at=100.0)
    assert not escalation.take_lease(db, "escalation", "b", 3, at=101.0)
    assert escalation.take_lease(db, "escalation", "a", 3, at=102.0)  # renewal
    assert escalation.take_lease(db, "escalation", "b", 3, at=105.1)  # a's expired
    escalation.release_lease(db, "escalation", "b")
    assert escalation.take_lease(db, "escalation", "a", 3, at=105.2)


def test_the_audit_has_the_alerts_life_without_its_text(db, person, raised):
    alert = raised("Sam Lindqvist", kind="concern", text=SECRET)
    alerts.mark_delivered(db, alert["id"], person("Maya Okafor"))
    alerts.mark_delivered(db, alert["id"], person("Maya Okafor"))  # once per person
    alerts.escalate_due(db, at(alert, 16))
    alerts.acknowledge(db, alert["id"], person("Maya Okafor"))
    alerts.resolve(db, alert["id"], person("Maya Okafor"), "note")
    entries = audit.entries(db, subject=f"alert:{alert['id']}")
    assert [e["action"] for e in entries] == [
        "alert.raised",
        "alert.committed",
        "alert.delivered",
        "alert.escalated",
        "alert.acknowledged",
        "alert.resolved",
    ]
    assert SECRET not in str(entries) and "note" not in str([e["detail"] for e in entries])
    assert audit.verify(db) is None


def test_a_push_never_carries_the_concerns_text(db, person, raised):
    concern = raised("Sam Lindqvist", kind="concern", text=SECRET, scene_id=scene_id(db, "15"))
    for name in ("Maya Okafor", "Tom Brennan"):
        payload = alerts.push_payload(alerts.view_for(db, concern, person(name)))
        assert SECRET not in str(payload)
    masked = alerts.push_payload(alerts.view_for(db, concern, person("Tom Brennan")))
    assert (masked["title"], masked["body"]) == ("Concern", "Concern raised — IC attending")
    pause = raised("Alex Rivera", kind="pause", scene_id=scene_id(db, "15"))
    shown = alerts.push_payload(alerts.view_for(db, pause, person("Tom Brennan")))
    assert (shown["title"], shown["body"]) == ("PAUSE — Scene 15", "Alex Rivera")


def test_a_push_speaks_the_recipients_language(app, db, person, raised):
    concern = raised("Sam Lindqvist", kind="concern", text=SECRET, scene_id=scene_id(db, "15"))
    pause = raised("Alex Rivera", kind="pause", scene_id=scene_id(db, "15"))
    with app.app_context():  # as when an alert is announced
        masked = alerts.push_payload(alerts.view_for(db, concern, person("Tom Brennan")), "fr")
        shown = alerts.push_payload(alerts.view_for(db, pause, person("Tom Brennan")), "de")
    assert (masked["title"], masked["body"]) == ("Signalement", "Signalement envoyé — l'IC arrive")
    assert shown["title"].endswith("Szene 15") and shown["body"] == "Alex Rivera"


# Socket events in process (threading mode): payload checking answers, never raises.


@pytest.mark.parametrize(
    ("event", "payload", "status"),
    [
        ("alert:raise", "pause", 422),
        ("alert:raise", None, 422),
        ("alert:raise", [1, 2], 422),
        ("alert:raise", {"kind": "concern", "client_id": "c" * 20, "text": "x" * 5000}, 422),
        ("alert:raise", {"kind": "withdrawal", "client_id": "c" * 20}, 422),
        ("alert:ack", {"id": "1"}, 422),
        ("alert:ack", "1", 422),
        ("alert:ack", {"id": 424242}, 404),
        ("alert:resolve", {"id": 424242, "note": ["x"]}, 422),
        ("alert:received", {}, 422),
        ("alert:sync", {"since": "yesterday"}, 422),
        ("alert:sync", {"since": -4}, 422),
    ],
)
def test_a_bad_socket_payload_gets_an_error_in_its_ack(sock, event, payload, status):
    answer = sock("Tom Brennan").emit(event, payload, callback=True)
    assert answer["status"] == status and answer["error"]


def test_a_raise_over_the_socket_reaches_the_ad_and_the_sender_only(sock):
    tom, alex, kenji = sock("Tom Brennan"), sock("Alex Rivera"), sock("Kenji Mori")
    for client in (tom, alex, kenji):
        client.get_received()
    payload = {"kind": "pause", "client_id": cid()}
    first = alex.emit("alert:raise", payload, callback=True)
    assert first["status"] == 201
    assert alex.emit("alert:raise", payload, callback=True)["status"] == 200
    got = [m for m in tom.get_received() if m["name"] == "alert:new"]
    assert len(got) == 1 and got[0]["args"][0]["alarm"] is True
    mine = [m for m in alex.get_received() if m["name"] == "alert:new"]
    assert mine[0]["args"][0]["alarm"] is False and mine[0]["args"][0]["mine"] is True
    assert kenji.get_received() == []
    synced = kenji.emit("alert:sync", {"since": 0}, callback=True)
    assert synced["alerts"] == [] and synced["seq"] == 0
    assert tom.emit("alert:received", {"id": first["alert"]["id"]}, callback=True)["status"] == 200
    update = [m for m in alex.get_received() if m["name"] == "alert:update"]
    assert update[0]["args"][0]["delivered_to_ad"]


RECEIPTS = [
    # kind, audience, anonymous: whose receipt the sender hears of
    ("pause", "ic_and_ad", False, {"ic", "ad"}),
    ("pause", "ic_and_ad", True, {"ic", "ad"}),
    ("concern", "ic", False, {"ic"}),
    ("concern", "ic", True, {"ic"}),
    ("concern", "ic_and_ad", False, {"ic", "ad"}),
    ("concern", "ic_and_ad", True, {"ic", "ad"}),
    ("withdrawal", "ic_and_ad", False, {"ic", "ad"}),
]


@pytest.mark.parametrize(("kind", "audience", "anonymous", "readers"), RECEIPTS)
def test_the_sender_hears_only_of_devices_that_may_read_it(
    db, person, raised, kind, audience, anonymous, readers
):
    """A concern for the IC only reaches the AD's phone as a masked notice: that is never
    reported to its sender as 'delivered to the AD'; the IC's receipt and reading are."""
    alex, tom, maya = person("Alex Rivera"), person("Tom Brennan"), person("Maya Okafor")
    extra = {} if kind == "pause" else {"preset": "need_moment"}
    alert = raised("Alex Rivera", kind=kind, audience=audience, anonymous=anonymous, **extra)

    _, tells_ad = alerts.mark_delivered(db, alert["id"], tom)
    assert tells_ad == ("ad" in readers)
    after_ad = alerts.view_for(db, alerts.get(db, alert["id"]), alex)
    assert bool(after_ad["delivered_to_ad"]) == ("ad" in readers)
    assert after_ad["delivered_to_ic"] is None

    _, tells_ic = alerts.mark_delivered(db, alert["id"], maya)
    assert tells_ic
    seen = alerts.view_for(db, alerts.get(db, alert["id"]), alex)
    assert seen["delivered_to_ic"] and bool(seen["delivered_to_ad"]) == ("ad" in readers)
    assert (seen["audience"], seen["anonymous"]) == (audience, anonymous)

    alerts.acknowledge(db, alert["id"], maya)
    seen = alerts.view_for(db, alerts.get(db, alert["id"]), alex)
    assert (seen["acknowledged_by"], seen["acknowledged_by_role"]) == ("Maya Okafor", "coordinator")
    if "ad" not in readers:
        with pytest.raises(AlertError):
            alerts.acknowledge(db, alert["id"], tom)  # the AD cannot claim to have read it
