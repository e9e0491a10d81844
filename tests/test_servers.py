"""The set's servers, in process: the addresses and the failover ticket a phone is given,
what the ticket is good for (and what it is not), and the IC's copy line when no copy is kept."""

from ictool import create_app, people


def test_a_phone_learns_the_set_and_its_ticket_signs_it_in_on_the_other_server(
    app, login, client, db, person
):
    app.config["PEERS"] = "http://10.0.0.6:5000, http://10.0.0.7:5000/"
    alex = login("Alex Rivera")
    known = alex.get("/api/servers").get_json()
    assert known["servers"][1:] == ["http://10.0.0.6:5000", "http://10.0.0.7:5000"]
    assert known["servers"][0] == known["this"] and known["ticket"]
    assert client.get("/api/servers").status_code == 401

    other = app.test_client()  # the same phone arriving on the promoted standby
    signed = other.post("/api/failover", json={"ticket": known["ticket"]})
    assert signed.status_code == 200 and signed.get_json()["person"]["name"] == "Alex Rivera"
    assert other.get("/api/me").get_json()["name"] == "Alex Rivera"


def test_a_forged_or_revoked_ticket_signs_nobody_in(app, login, db, person):
    ticket = login("Alex Rivera").get("/api/servers").get_json()["ticket"]
    forged = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    c = app.test_client()
    refused = c.post("/api/failover", json={"ticket": forged})
    assert refused.status_code == 403 and "join link" in refused.get_json()["error"]
    assert c.post("/api/failover", json={"ticket": 7}).status_code == 403
    assert c.post("/api/failover", data="x").status_code == 400
    # another set (another secret key) does not accept this set's tickets
    stranger = create_app(
        {"TESTING": True, "DB": app.config["DB"], "SECRET_KEY": "another-set-entirely"},
        instance_path=app.instance_path,
    )
    assert stranger.test_client().post("/api/failover", json={"ticket": ticket}).status_code == 403
    # the IC revokes the phone's link: its ticket is dead too
    people.revoke_tokens(db, person("Alex Rivera")["id"])
    assert c.post("/api/failover", json={"ticket": ticket}).status_code == 403


def test_alive_answers_any_origin_and_pages_may_ask_the_peers(app, client, login):
    r = client.get("/api/alive")
    assert r.get_json()["mode"] == "live" and r.headers["Access-Control-Allow-Origin"] == "*"
    peered = create_app(
        {"TESTING": True, "DB": app.config["DB"], "SECRET_KEY": "test",
         "PEERS": "http://10.0.0.6:5000"},
        instance_path=app.instance_path,
    )  # fmt: skip
    policy = peered.test_client().get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' http://10.0.0.6:5000;" in policy
    assert "connect-src 'self';" in client.get("/").headers["Content-Security-Policy"]


def test_without_a_replica_the_ic_sees_no_copy_line(login):
    ic = login("Maya Okafor")
    assert ic.get("/api/replica").get_json() == {"state": "off", "age": None, "text": ""}
    assert 'id="replica"' not in ic.get("/ic").get_data(as_text=True)
    assert login("Tom Brennan").get("/api/replica").status_code == 403
