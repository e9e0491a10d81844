"""The producer's readiness checklist: each item computed from the data, saying what is
missing and who can fix it."""

from datetime import date, timedelta

from conftest import csrf

from ictool import briefing, budget, callsheet, productions, readiness, rehearsals, scenes

TODAY = date.today()


def _pid(db) -> int:
    return productions.first(db)["id"]


def _items(db, today: str | None = None) -> dict:
    return {i["code"]: i for i in readiness.checklist(db, _pid(db), today)["items"]}


def _scene(db, number: str) -> dict:
    return next(db["scenes"].rows_where("number = ?", [number]))


def test_the_demo_production_is_not_ready_and_says_what_is_missing(db):
    result = readiness.checklist(db, _pid(db))
    assert result["ready"] is False
    items = {i["code"]: i for i in result["items"]}
    assert list(items) == [
        "ic_engaged",
        "consultation",
        "ic_on_call_sheet",
        "ic_at_rehearsals",
        "briefing",
        "budget",
        "riders",
    ]
    assert items["ic_engaged"]["status"] == "ok"  # 42 days ahead, window 14
    assert items["consultation"]["status"] == "missing"
    assert items["consultation"]["fix_by"] == ["producer"]
    assert items["ic_on_call_sheet"]["status"] == "missing"
    assert len(items["ic_on_call_sheet"]["missing"]) == 2
    assert items["ic_at_rehearsals"]["status"] == "warn"
    assert any("scene 22" in m for m in items["ic_at_rehearsals"]["missing"])
    assert items["briefing"]["status"] == "missing" and len(items["briefing"]["missing"]) == 5
    assert items["budget"]["status"] == "missing"
    riders = items["riders"]
    assert riders["status"] == "missing" and riders["fix_by"] == ["coordinator"]
    assert "Jordan Blake, scene 22: rider missing." in riders["missing"]
    assert "Sam Lindqvist, scene 15: rider signed late." in riders["missing"]


def test_an_ic_engaged_inside_the_prep_window_is_a_warning_naming_the_dates(db):
    late = (TODAY - timedelta(days=3)).isoformat()
    productions.set_ic_engaged(db, _pid(db), late)
    item = _items(db)["ic_engaged"]
    assert item["status"] == "warn" and item["fix_by"] == ["producer"]
    assert f"Engaged {late}, 3 days before the first intimate scene" in item["missing"][0]
    productions.set_ic_engaged(db, _pid(db), None)
    assert _items(db)["ic_engaged"]["status"] == "missing"


def test_everything_done_makes_the_production_ready(db, person):
    pid = _pid(db)
    ic = person("Maya Okafor")
    readiness.log_consultation(db, pid, "2026-01-10", "Maya Okafor", "scope and budget")
    for day in scenes.days(db, pid):
        callsheet.set_ic(db, day["id"], ic["id"], True)
    for number in ("15", "22"):
        r = rehearsals.add(db, _scene(db, number)["id"], TODAY.isoformat(), "09:00")
        rehearsals.record_presence(db, r, True, ic["id"])
    for name in ("Kenji Mori", "Ellie Hart", "Marta Nowak", "Chloe Dubois", "Dev Malhotra"):
        briefing.acknowledge(db, person(name), "en")
    budget.set_rates(db, pid, day_rate=600)
    items = _items(db)
    assert all(items[c]["status"] == "ok" for c in items if c != "riders"), items
    day2 = scenes.days(db, pid)[1]
    for scene in scenes.of_day(db, day2["id"]) + scenes.of_day(db, scenes.days(db, pid)[0]["id"]):
        for p in scenes.performers(db, scene["id"]):
            scenes.set_rider(db, scene["id"], p["id"], "2020-01-01")
    assert readiness.checklist(db, pid)["ready"] is True


def test_an_absent_ic_or_unrecorded_presence_is_flagged(db, person):
    r = rehearsals.add(db, _scene(db, "15")["id"], "2026-01-05", "09:00")
    item = _items(db, today="2026-02-01")["ic_at_rehearsals"]
    assert (
        "IC presence not recorded for the rehearsal of scene 15 on 2026-01-05." in item["missing"]
    )
    rehearsals.record_presence(db, r, False, person("Tom Brennan")["id"])
    item = _items(db)["ic_at_rehearsals"]
    assert item["status"] == "missing"
    assert item["missing"][0] == "IC absent from the rehearsal of scene 15 on 2026-01-05."


def test_only_a_coordinator_goes_on_the_call_sheet_as_ic(db, person):
    day = scenes.days(db, _pid(db))[0]
    try:
        callsheet.set_ic(db, day["id"], person("Tom Brennan")["id"], True)
    except ValueError as exc:
        assert "intimacy coordinator" in str(exc)
    else:
        raise AssertionError("a 1st AD was put on the call sheet as IC")
    ic = person("Maya Okafor")["id"]
    assert callsheet.set_ic(db, day["id"], ic, True) == [ic]
    assert callsheet.set_ic(db, day["id"], ic, False) == []


def test_the_producer_reads_readiness_on_their_screen_and_others_may_not(login):
    producer = login("Ruth Adeyemi")
    data = producer.get("/api/readiness").get_json()
    assert data["ready"] is False and len(data["items"]) == 7
    assert producer.get("/api/home").get_json()["readiness"] == data
    page = producer.get("/producer").get_data(as_text=True)
    assert "Preliminary consultation logged" in page and "Who can fix it:" in page
    assert login("Maya Okafor").get("/api/readiness").status_code == 200
    for name in ("Kenji Mori", "Alex Rivera", "Tom Brennan"):
        assert login(name).get("/api/readiness").status_code == 403, name


def test_the_producer_fixes_items_from_their_phone(login, db):
    producer = login("Ruth Adeyemi")
    headers = {"X-CSRF-Token": csrf(producer)}
    answer = producer.post(
        "/api/consultations",
        json={"held_on": "2026-01-10", "consultant": "Maya Okafor", "summary": "scope"},
        headers=headers,
    )
    assert answer.status_code == 201
    day = scenes.days(db, _pid(db))[0]
    ic = next(db["people"].rows_where("role = 'coordinator'"))
    on = producer.post(f"/api/days/{day['id']}/ic", json={"person_id": ic["id"]}, headers=headers)
    assert on.get_json() == {"day_id": day["id"], "ic": [ic["id"]]}
    bad = producer.post("/api/production/ic-engaged", json={"date": "soon"}, headers=headers)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_json()["error"]
    form = producer.post(
        "/producer/setup/consultation",
        data={"csrf_token": csrf(producer), "held_on": "", "consultant": "x"},
    )
    assert form.status_code == 302
    assert "date must be YYYY-MM-DD" in producer.get("/producer/setup").get_data(as_text=True)
    items = {i["code"]: i for i in producer.get("/api/readiness").get_json()["items"]}
    assert items["consultation"]["status"] == "ok"
    assert len(items["ic_on_call_sheet"]["missing"]) == 1


def test_an_engagement_date_without_an_ic_on_the_production_is_missing(db, person):
    db["people"].update(person("Maya Okafor")["id"], {"erased_at": "2026-01-01"})
    item = _items(db)["ic_engaged"]
    assert item["status"] == "missing"
    assert item["missing"] == ["No intimacy coordinator among the people of this production."]
