"""The producer's side, walked by every role: each page and route answers as the role allows,
forms work without JavaScript, and the producer never meets blocking or concern text."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from browser import axe_violations, screenshot
from conftest import csrf
from playwright.sync_api import expect

from ictool import alerts, rehearsals

SAMPLE = Path(__file__).resolve().parent.parent / "static" / "samples" / "call-sheet-sample.csv"
CAST = {
    "coordinator": "Maya Okafor",
    "first_ad": "Tom Brennan",
    "second_ad": "Priya Shah",
    "director": "Lena Voss",
    "performer": "Jordan Blake",
    "producer": "Ruth Adeyemi",
    "crew": "Kenji Mori",
}
OK = 200
PRODUCER = dict(producer=OK)
EXPECTED = {
    "/producer/budget": PRODUCER,
    "/producer/budget.csv": PRODUCER,
    "/producer/briefing": dict(producer=OK, coordinator=OK),
    "/producer/setup": PRODUCER,
    "/producer/import": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK),
    "/rehearsals": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK, director=OK),
    "/reports": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK),
    "/briefing": dict(crew=OK, first_ad=OK, second_ad=OK, director=OK, coordinator=OK, producer=OK),
    "/calendar.ics": dict(coordinator=OK, performer=OK),
    "/api/readiness": dict(producer=OK, coordinator=OK),
    "/api/consultations": dict(producer=OK, coordinator=OK),
    "/api/budget": PRODUCER,
    "/api/budget.csv": PRODUCER,
    "/api/briefing": dict(
        crew=OK, first_ad=OK, second_ad=OK, director=OK, coordinator=OK, producer=OK
    ),
    "/api/briefing/status": dict(producer=OK, coordinator=OK),
    "/api/rehearsals": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK, director=OK),
    "/api/calendar.ics": dict(coordinator=OK, performer=OK),
    "/api/reports/days/1": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK),
}


@pytest.fixture
def clients(login):
    return {who: login(name) for who, name in CAST.items()}


def test_each_page_answers_each_role_as_allowed(clients, client):
    for url, allowed in EXPECTED.items():
        assert client.get(url).status_code == 401, f"{url} signed out"
        for who, c in clients.items():
            status = c.get(url).status_code
            assert status == allowed.get(who, 403), f"{url} as {who}: {status}"


def test_the_producer_never_meets_blocking_or_concern_text(clients, db, person):
    sam = person("Sam Lindqvist")
    words = "Please ask the boom op to step back."
    alerts.raise_alert(
        db, sam, {"kind": "concern", "client_id": "sam-concern-77777", "text": words}
    )
    producer = clients["producer"]
    beat = "Robes off (out of frame); both lie down, Sam on the left."
    for url in ["/producer", "/api/home", "/api/readiness", "/reports", *EXPECTED]:
        body = producer.get(url).get_data(as_text=True)
        assert beat not in body and words not in body, url
    report = producer.get("/api/reports/days/1").get_json()
    assert [a["from"] for a in report["alerts"]] == ["name withheld"]
    assert words not in producer.get("/api/reports/days/1.csv").get_data(as_text=True)


def test_the_ic_and_ads_record_presence_at_rehearsals_with_plain_forms(clients, db):
    scene15 = next(db["scenes"].rows_where("number = '15'"))
    ad = clients["first_ad"]
    sent = ad.post(
        "/rehearsals",
        data={
            "csrf_token": csrf(ad),
            "scene_id": scene15["id"],
            "date": "2030-01-03",
            "start_time": "09:30",
            "location": "Studio 2",
        },
    )
    assert sent.status_code == 302
    rehearsal = rehearsals.of_production(db, scene15["production_id"])[0]
    ic = clients["coordinator"]
    url = f"/rehearsals/{rehearsal['id']}/presence"
    assert ic.post(url, data={"csrf_token": csrf(ic), "present": "1"}).status_code == 302
    assert rehearsals.get(db, rehearsal["id"])["ic_present"] == 1
    director = clients["director"]
    refused = director.post(url, data={"csrf_token": csrf(director), "present": "0"})
    assert refused.status_code == 403
    page = clients["producer"].get("/rehearsals").get_data(as_text=True)
    assert "2030-01-03" in page and "Present" not in page  # the producer reads, does not record
    answer = ic.post(
        f"/api/rehearsals/{rehearsal['id']}/presence",
        json={"present": "yes"},
        headers={"X-CSRF-Token": csrf(ic)},
    )
    assert answer.status_code == 422


def test_the_producer_sets_the_call_sheet_and_settings_from_the_setup_page(clients, db, person):
    producer = clients["producer"]
    token = csrf(producer)
    day = next(db["shoot_days"].rows_where(order_by="date"))
    ic = person("Maya Okafor")
    producer.post(
        "/producer/setup/callsheet",
        data={"csrf_token": token, "day_id": day["id"], "person_id": ic["id"], "on_sheet": "1"},
    )
    producer.post(
        "/producer/setup/settings",
        data={"csrf_token": token, "prep_window_days": "21", "retention_days": "10"},
    )
    page = producer.get("/producer/setup").get_data(as_text=True)
    assert "On the call sheet" in page
    assert "retention_days must be a whole number of days from 30 to 36500" in page
    producer.post(
        "/producer/setup/settings",
        data={"csrf_token": token, "prep_window_days": "21", "retention_days": "2000"},
    )
    settings = producer.post(
        "/api/production/settings", json={}, headers={"X-CSRF-Token": token}
    ).get_json()
    assert settings == {"prep_window_days": 21, "retention_days": 2000}
    bad = producer.post(
        "/producer/setup/callsheet",
        data={"csrf_token": token, "day_id": "x", "person_id": ic["id"]},
    )
    assert bad.status_code == 400


ODD_BODIES = [
    [],
    "text",
    {},
    {"date": 5, "held_on": [], "consultant": {}, "summary": 3, "label": None, "amount": "1e999"},
    {"day_rate": True, "prep_fee": {}, "currency": 7, "prep_days_per_scene": "x"},
    {"scene_id": 10**30, "date": "2030-02-30", "start_time": "25:00", "location": 4},
    {"scene_id": 1, "date": "2030-01-01", "start_time": "09:00", "duration_minutes": "long"},
    {"present": None, "person_id": "1", "on_sheet": "yes", "language": ["fr"]},
    {"prep_window_days": -1, "retention_days": "forever"},
]


def test_nothing_a_phone_sends_makes_a_500(clients):
    producer, ic = clients["producer"], clients["coordinator"]
    routes = [
        (producer, "/api/production/ic-engaged"),
        (producer, "/api/production/settings"),
        (producer, "/api/consultations"),
        (producer, "/api/budget/rates"),
        (producer, "/api/budget/lines"),
        (producer, "/api/rehearsals"),
        (ic, "/api/rehearsals/1/presence"),
        (producer, "/api/days/1/ic"),
        (producer, "/api/schedule/import"),
        (clients["crew"], "/api/briefing/ack"),
    ]
    for c, url in routes:
        for body in ODD_BODIES:
            answer = c.post(url, json=body, headers={"X-CSRF-Token": csrf(c)})
            assert answer.status_code < 500, (url, body, answer.get_data(as_text=True))
            assert answer.is_json, url


def test_a_producer_on_a_phone_budgets_imports_and_reads_readiness(live, new_phone, tmp_path):
    producer = new_phone(live.people["Ruth Adeyemi"]["token"])
    expect(producer.locator("#ready-h")).to_contain_text("not ready yet")
    expect(producer.locator("#ready-budget")).to_contain_text("No IC day rate.")
    assert axe_violations(producer) == []
    screenshot(producer, "producer-readiness-phone", full_page=True)

    producer.get_by_role("link", name="Budget").click()
    producer.get_by_label("IC day rate").fill("650")
    producer.get_by_label("Prep fee").fill("500")
    producer.get_by_role("button", name="Save").click()
    expect(producer.locator("#ic-line")).to_have_text("3750.00")
    producer.get_by_label("Label").fill("Stunt coordination")
    producer.get_by_label("Amount").fill("4800")
    producer.get_by_role("button", name="Add").click()
    expect(producer.locator("#total")).to_have_text("8550.00")
    assert axe_violations(producer) == []
    screenshot(producer, "producer-budget-phone", full_page=True)

    producer.get_by_role("link", name="Import a call sheet").click()
    soon = [(date.today() + timedelta(days=n)).isoformat() for n in (5, 6)]
    sheet = SAMPLE.read_text().replace("2027-03-08", soon[0]).replace("2027-03-09", soon[1])
    bad = tmp_path / "bad.csv"
    bad.write_text(sheet.replace(f"{soon[1]},06:30", f"{soon[1]},6.30", 1))
    producer.get_by_label("Call sheet (CSV) or schedule (.uss)").set_input_files(str(bad))
    producer.get_by_role("button", name="Check the file").click()
    expect(producer.locator("#import-errors")).to_contain_text("call_time")
    assert axe_violations(producer) == []
    screenshot(producer, "producer-import-error-phone", full_page=True)
    good = tmp_path / "good.csv"
    good.write_text(sheet)
    producer.get_by_label("Call sheet (CSV) or schedule (.uss)").set_input_files(str(good))
    producer.get_by_role("button", name="Check the file").click()
    expect(producer.locator("#import-preview")).to_contain_text(f"New scene 40 on {soon[1]}")
    producer.get_by_role("button", name="Apply these changes").click()
    expect(producer.locator("#imported")).to_contain_text("New scenes: 4, new days: 2")
    assert producer.errors == []
