"""Rider terms (issue 13): the IC records what each performer agreed to, the performer signs
it, and every blocking beat is held against it, live. Scene 15 of the demo: Alex Rivera and
Sam Lindqvist, simulated sex, five beats."""

import pytest
from conftest import csrf

from ictool import audit, clearance, lifecycle

ROLES = {
    "coordinator": "Maya Okafor",
    "first_ad": "Tom Brennan",
    "second_ad": "Priya Shah",
    "director": "Lena Voss",
    "performer": "Alex Rivera",
    "colleague": "Sam Lindqvist",  # in scene 15 too
    "other_performer": "Jordan Blake",  # not in scene 15
    "producer": "Ruth Adeyemi",
    "crew": "Kenji Mori",
}
TERMS = {
    "nudity": ["back"],
    "acts": ["simulated_intercourse"],
    "no_touch": ["breasts", "inner_thighs"],
    "body_double": False,
    "stills": False,
    "other": "No improvised kissing; closed-mouth only.",
}


@pytest.fixture
def scene15(db):
    return next(db["scenes"].rows_where("number = '15'"))


@pytest.fixture
def as_(login):
    signed_in = {}

    def client(who: str):
        if who not in signed_in:
            signed_in[who] = login(ROLES[who])
        return signed_in[who]

    return client


def post(c, url: str, body: dict):
    return c.post(url, json=body, headers={"X-CSRF-Token": csrf(c)})


def codes(db, scene_id: int) -> list[str]:
    return [r["code"] for r in clearance.clearance(db, scene_id)["reasons"]]


def beat_codes(alex: int, **beat3) -> list[dict]:
    """Codes for the five beats of scene 15: Alex in every beat; beat 3 asks `beat3`."""
    out = [{"performers": [alex]} for _ in range(5)]
    out[2].update(beat3)
    return out


def test_a_beat_within_the_signed_rider_clears_and_one_beyond_it_does_not(as_, db, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    sent = post(ic, f"{base}/rider-terms/{alex}", TERMS)
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["current"]["version"] == 1 and sent.get_json()["must_sign"]
    assert "rider_missing" in codes(db, scene15["id"])  # sent, not signed: not cleared
    assert post(ic, f"{base}/rider-terms/{alex}", TERMS).status_code == 200  # same terms
    signed = post(as_("performer"), f"{base}/rider-terms/{alex}/sign", {"version": 1})
    assert signed.status_code == 201 and not signed.get_json()["must_sign"]

    blocking = ic.get(f"{base}/blocking").get_json()[0]
    within = post(
        ic,
        f"{base}/blocking/codes",
        {"version": blocking["version"], "codes": beat_codes(alex, nudity=["back"])},
    )
    assert within.status_code == 201, within.get_json()
    assert "rider_exceeded" not in codes(db, scene15["id"])

    beyond = beat_codes(alex, nudity=["back", "buttocks"], contact=["inner_thighs"])
    post(ic, f"{base}/blocking/codes", {"version": within.get_json()["version"], "codes": beyond})
    reasons = clearance.clearance(db, scene15["id"])["reasons"]
    exceeded = [r for r in reasons if r["code"] == "rider_exceeded"]
    assert len(exceeded) == 1 and exceeded[0]["blocking"] and exceeded[0]["people"] == [alex]
    assert "beat 3" in exceeded[0]["text"] and "Alex Rivera" in exceeded[0]["text"]
    over = ic.get(f"{base}/rider-check").get_json()
    assert over["over"][0]["over"][str(alex)] == ["nudity:buttocks", "touch:inner_thighs"]
    assert [b["within"] for b in over["beats"]] == [True, True, False, True, True]


def test_an_amendment_needs_a_new_signature_and_a_stale_one_changes_nothing(
    as_, db, scene15, person
):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    version = ic.get(f"{base}/blocking").get_json()[0]["version"]
    post(
        ic,
        f"{base}/blocking/codes",
        {"version": version, "codes": beat_codes(alex, nudity=["buttocks"])},
    )
    assert "rider_exceeded" in codes(db, scene15["id"])

    amended = post(ic, f"{base}/rider-terms/{alex}", {"nudity": ["back", "buttocks"]})
    assert amended.status_code == 201
    rider = amended.get_json()
    assert rider["current"]["version"] == 2 and rider["must_sign"]
    assert {"term": "nudity:buttocks", "change": "added"} in rider["changes"]
    assert rider["current"]["no_touch"] == TERMS["no_touch"]  # left out: kept
    now = codes(db, scene15["id"])
    assert "rider_exceeded" in now and "rider_missing" in now  # v1 is still the ceiling

    stale = post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    assert stale.status_code == 409 and "version" in stale.get_json()["error"]
    assert me.get(f"{base}/rider-terms/{alex}").get_json()["must_sign"]  # nothing changed

    assert post(me, f"{base}/rider-terms/{alex}/sign", {"version": 2}).status_code == 201
    now = codes(db, scene15["id"])
    assert "rider_exceeded" not in now and "rider_missing" not in now


def test_withdrawing_a_term_alerts_the_ic_and_the_1st_ad_and_the_beat_is_exceeded_again(
    as_, db, scene15, person
):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    version = ic.get(f"{base}/blocking").get_json()[0]["version"]
    post(
        ic,
        f"{base}/blocking/codes",
        {"version": version, "codes": beat_codes(alex, nudity=["back"])},
    )
    assert "rider_exceeded" not in codes(db, scene15["id"])

    body = {"term": "nudity:back", "client_id": "withdraw-back-0001"}
    withdrawn = post(me, f"{base}/rider-terms/{alex}/withdraw", body)
    assert withdrawn.status_code == 201, withdrawn.get_json()
    assert withdrawn.get_json()["withdrawn"] == ["nudity:back"]
    again = post(me, f"{base}/rider-terms/{alex}/withdraw", body)  # a retry: the same alert
    assert (
        again.status_code == 200
        and again.get_json()["alert_id"] == withdrawn.get_json()["alert_id"]
    )
    assert "rider_exceeded" in codes(db, scene15["id"])
    for who in ("coordinator", "first_ad"):
        kinds = [a["kind"] for a in as_(who).get("/api/alerts").get_json()["alerts"]]
        assert "withdrawal" in kinds, who
    status = ic.get(f"{base}/rider-status").get_json()["performers"]
    assert {r["name"]: r["status"] for r in status}["Alex Rivera"] == "withdrawn"


def test_bad_input_names_the_field_and_changes_nothing(as_, db, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    jordan = person("Jordan Blake")["id"]
    base = f"/api/scenes/{scene15['id']}"
    held = db["rider_versions"].count
    unknown = post(ic, f"{base}/rider-terms/{alex}", {"nudity": ["everything"]})
    assert unknown.status_code == 422
    assert "nudity" in unknown.get_json()["error"] and "buttocks" in unknown.get_json()["error"]
    assert db["rider_versions"].count == held
    before = ic.get(f"{base}/blocking").get_json()
    stranger = post(
        ic,
        f"{base}/blocking/codes",
        {"version": before[0]["version"], "codes": beat_codes(jordan)},
    )
    assert stranger.status_code == 422 and "performers" in stranger.get_json()["error"]
    assert ic.get(f"{base}/blocking").get_json() == before
    nobody = post(ic, f"{base}/rider-terms/{jordan}", TERMS)
    assert nobody.status_code == 404 and "person_id" in nobody.get_json()["error"]
    unsigned = post(as_("performer"), f"{base}/rider-terms/{alex}/sign", {"version": 1})
    assert unsigned.status_code == 422 and "nothing to sign" in unsigned.get_json()["error"]


# Need to know: terms for the IC and that performer; yes/no per beat for the director and
# the IC; statuses for the ADs, the director and the producer.
TERMS_OK = {"coordinator", "performer"}
CHECK_OK = {"coordinator", "director"}
STATUS_OK = {"coordinator", "first_ad", "second_ad", "director", "producer"}


def test_each_role_sees_only_what_it_needs(as_, db, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    for who in ROLES:
        c = as_(who)
        terms = c.get(f"{base}/rider-terms/{alex}")
        assert terms.status_code == (200 if who in TERMS_OK else 403), who
        every = c.get(f"{base}/rider-terms").status_code
        assert every == (200 if who == "coordinator" else 403), who
        check = c.get(f"{base}/rider-check")
        assert check.status_code == (200 if who in CHECK_OK else 403), who
        if who == "director":
            assert "over" not in check.get_json()
        status = c.get(f"{base}/rider-status")
        assert status.status_code == (200 if who in STATUS_OK else 403), who
        if status.status_code == 200:
            text = str(status.get_json())
            assert "simulated_intercourse" not in text and "closed-mouth" not in text
        matrix = c.get("/api/riders/matrix").status_code
        assert matrix == (200 if who == "coordinator" else 403), who
        for kind in ("csv", "pdf"):
            got = c.get(f"/api/riders/matrix.{kind}").status_code
            assert got == (200 if who == "coordinator" else 403), (who, kind)
    sam = as_("colleague")
    assert sam.get(f"{base}/rider-terms/{alex}").status_code == 403
    sign = post(sam, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    assert sign.status_code == 403
    assert post(sam, f"{base}/rider-terms/{alex}/withdraw", {"term": "acts:x"}).status_code == 403


def test_the_audit_log_records_each_step_by_code_never_the_terms(as_, db, scene15, person):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    post(ic, f"{base}/rider-terms/{alex}", {"stills": True})
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 2})
    post(me, f"{base}/rider-terms/{alex}/withdraw", {"term": "stills"})
    entries = [e for e in audit.entries(db) if e["action"].startswith("rider.")]
    actions = [e["action"] for e in entries]
    assert actions == ["rider.sent", "rider.signed", "rider.amended", "rider.signed"] + [
        "rider.withdrawn"
    ]
    text = str(entries)
    for private in ("back", "simulated", "breasts", "stills", "kissing", "thigh"):
        assert private not in text, private


def test_export_holds_a_persons_riders_and_erase_keeps_codes_and_dates_only(
    as_, db, scene15, person
):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    post(ic, f"/api/scenes/{scene15['id']}/rider-terms/{alex}", TERMS)
    held = lifecycle.export_person(db, alex)["held"]
    assert held["rider_versions"][0]["other"] == TERMS["other"]
    maya = lifecycle.export_person(db, person("Maya Okafor")["id"])["held"]
    assert "rider_versions" not in maya  # the IC recorded it; it is Alex's data
    lifecycle.erase_person(db, alex)
    row = next(db["rider_versions"].rows_where("person_id = ?", [alex]))
    assert row["other"] is None and row["nudity"] == '["back"]' and row["sent_on"]


def test_a_signature_reaches_every_open_screen(as_, sock, scene15, person):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    watching = sock("Tom Brennan")
    watching.get_received()
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    events = [e for e in watching.get_received() if e["name"] == "scene:clearance"]
    assert events and events[-1]["args"][0]["scene_id"] == scene15["id"]


def test_the_pages_show_each_reader_only_their_part(as_, db, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    page = f"/scenes/{scene15['id']}/riders/{alex}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    version = ic.get(f"{base}/blocking").get_json()[0]["version"]
    post(
        ic,
        f"{base}/blocking/codes",
        {"version": version, "codes": beat_codes(alex, nudity=["buttocks"])},
    )
    mine = as_("performer").get(page)
    assert mine.status_code == 200
    text = mine.get_data(as_text=True)
    assert "I agree — sign version 1" in text and TERMS["other"] in text and "Bare back" in text
    assert "Amend the terms" not in text
    theirs = ic.get(page).get_data(as_text=True)
    assert "Amend the terms" in theirs and "Record a signature on paper" in theirs
    for who in ("colleague", "director", "first_ad", "second_ad", "producer", "crew"):
        assert as_(who).get(page).status_code == 403, who
    matrix = ic.get("/riders/matrix")
    assert matrix.status_code == 200
    assert f'href="{page}"' in matrix.get_data(as_text=True)
    for who in ("performer", "director", "first_ad", "producer", "crew"):
        assert as_(who).get("/riders/matrix").status_code == 403, who
    director = as_("director").get(f"/scenes/{scene15['id']}").get_data(as_text=True)
    assert "beyond a signed rider" in director and "within every rider" in director
    assert TERMS["other"] not in director and f'href="{page}"' not in director
    scene_page = ic.get(f"/scenes/{scene15['id']}").get_data(as_text=True)
    assert "What each beat asks" in scene_page and f'href="{page}"' in scene_page


def test_a_background_performer_is_checked_in_by_name_and_held_to_the_rider_recorded_for_them(
    as_, db, scene15, person, login
):
    """Without a phone: the 2nd AD adds and checks in a background performer by name; the
    IC records their rider and their signature on paper; the same checks hold."""
    second, ic = as_("second_ad"), as_("coordinator")
    added = post(second, "/api/people", {"name": "Noor Haddad", "role": "background"})
    assert added.status_code == 201, added.get_json()
    noor = added.get_json()["id"]
    cast = [p["id"] for p in ic.get(f"/api/scenes/{scene15['id']}").get_json()["performers"]]
    edited = second.patch(
        f"/api/scenes/{scene15['id']}",
        json={"cast": [*cast, noor]},
        headers={"X-CSRF-Token": csrf(second)},
    )
    assert edited.status_code == 200, edited.get_json()
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{noor}", {"nudity": ["back"]})
    paper = post(ic, f"{base}/rider-terms/{noor}/sign", {"version": 1})
    assert paper.status_code == 201
    assert paper.get_json()["history"][0]["signature"]["device"] == "paper"
    checked = post(second, f"{base}/checkins", {"person_id": noor, "no_photo_ack": True})
    assert checked.status_code == 201 and checked.get_json()["on_roster"]

    blocking = ic.get(f"{base}/blocking").get_json()[0]
    beats = [{"performers": []} for _ in blocking["beats"]]
    beats[1] = {"performers": [noor], "nudity": ["buttocks"]}
    post(ic, f"{base}/blocking/codes", {"version": blocking["version"], "codes": beats})
    exceeded = [
        r
        for r in clearance.clearance(db, scene15["id"])["reasons"]
        if r["code"] == "rider_exceeded"
    ]
    assert exceeded[0]["people"] == [noor] and "beat 2" in exceeded[0]["text"]
    row = next(r for r in ic.get("/api/riders/matrix").get_json()["rows"] if r["person_id"] == noor)
    assert row["role"] == "background" and "exceeded" in row["cells"]

    # with a phone after all, she reads her own rider and nobody else's, as a performer does
    noor_phone = login("Noor Haddad")
    assert noor_phone.get("/api/home").get_json()["screen"] == "performer"
    assert noor_phone.get(f"{base}/rider-terms/{noor}").status_code == 200
    alex = person("Alex Rivera")["id"]
    for url in (f"{base}/rider-terms/{alex}", f"{base}/rider-status", "/api/riders/matrix"):
        assert noor_phone.get(url).status_code == 403, url


def test_the_demo_shows_a_rider_with_terms_and_a_beat_beyond_it(as_, db, person):
    """Scene 22: Sam's rider, amended once and signed again; beat 2 asks for more."""
    lake = next(db["scenes"].rows_where("number = '22'"))
    sam = person("Sam Lindqvist")["id"]
    reasons = clearance.clearance(db, lake["id"])["reasons"]
    exceeded = [r for r in reasons if r["code"] == "rider_exceeded"]
    assert [r["text"] for r in exceeded] == [
        "Blocking beat 2 asks more than the signed rider of Sam Lindqvist."
    ]
    rider = as_("colleague").get(f"/api/scenes/{lake['id']}/rider-terms/{sam}").get_json()
    assert rider["signed_version"] == 2 and not rider["must_sign"]
    matrix = as_("coordinator").get("/api/riders/matrix").get_json()
    column = next(i for i, s in enumerate(matrix["scenes"]) if s["id"] == lake["id"])
    row = next(r for r in matrix["rows"] if r["person_id"] == sam)
    assert row["cells"][column] == "exceeded"
    assert [s["today"] for s in matrix["scenes"]][:1] == [True]  # the day's scenes first


def test_a_withdrawal_cannot_reuse_another_alerts_client_id(as_, db, scene15, person):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    pause = post(me, "/api/alerts", {"kind": "pause", "client_id": "pause-0000-0001"})
    assert pause.status_code == 201, pause.get_json()
    reused = post(
        me,
        f"{base}/rider-terms/{alex}/withdraw",
        {"term": "nudity:back", "client_id": "pause-0000-0001"},
    )
    assert reused.status_code == 422 and "client_id" in reused.get_json()["error"]
    assert db["rider_withdrawals"].count == 0


def test_beats_sent_with_their_codes_keep_them_when_only_other_words_change(as_, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    url = f"/api/scenes/{scene15['id']}/blocking"
    beats = [
        {"text": "Robes off, out of frame.", "performers": [alex], "nudity": ["back"]},
        "Hold for the line.",
    ]
    saved = post(ic, url, {"beats": beats})
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["codes"][0] == {
        "performers": [alex],
        "nudity": ["back"],
        "acts": [],
        "contact": [],
    }
    edited = post(ic, url, {"beats": ["Robes off, out of frame.", "Hold, then cut."]})
    assert edited.get_json()["codes"][0]["nudity"] == ["back"]  # that beat's words stayed
    assert "beat_codes" not in edited.get_json()
    bad = post(ic, url, {"beats": [{"text": "Kiss.", "acts": ["everything"]}]})
    assert bad.status_code == 422 and "beat 1" in bad.get_json()["error"]


def test_the_matrix_downloads_hold_statuses_never_terms(as_, db, scene15, person):
    ic, alex = as_("coordinator"), person("Alex Rivera")["id"]
    post(ic, f"/api/scenes/{scene15['id']}/rider-terms/{alex}", TERMS)
    csv_text = ic.get("/api/riders/matrix.csv").get_data(as_text=True)
    head, *rows = csv_text.splitlines()
    assert head.startswith("performer,scene ")
    alex_row = next(r for r in rows if r.startswith("Alex Rivera"))
    assert "sent" in alex_row and "closed-mouth" not in csv_text and "back" not in csv_text
    pdf = ic.get("/api/riders/matrix.pdf")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]


def test_the_ics_amendment_form_starts_from_what_stands_after_a_withdrawal(as_, scene15, person):
    ic, me, alex = as_("coordinator"), as_("performer"), person("Alex Rivera")["id"]
    base = f"/api/scenes/{scene15['id']}"
    post(ic, f"{base}/rider-terms/{alex}", TERMS)
    post(me, f"{base}/rider-terms/{alex}/sign", {"version": 1})
    post(me, f"{base}/rider-terms/{alex}/withdraw", {"term": "nudity:back"})
    post(me, f"{base}/rider-terms/{alex}/withdraw", {"term": "touch:face"})
    page = ic.get(f"/scenes/{scene15['id']}/riders/{alex}").get_data(as_text=True)
    assert 'name="nudity" value="back" data-list >' in page  # unticked
    assert 'name="no_touch" value="face" data-list checked>' in page
    assert "Consent withdrawn to:" in page and "Nudity: Bare back" in page
