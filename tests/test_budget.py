"""The producer's budget: IC days from the schedule, times the rate, beside other safety lines."""

import csv
import io

import pytest
from conftest import csrf

from ictool import budget, productions, rehearsals


def _pid(db) -> int:
    return productions.first(db)["id"]


def _scene(db, number: str) -> dict:
    return next(db["scenes"].rows_where("number = ?", [number]))


def test_ic_days_come_from_the_intimate_scenes_and_rehearsals(db):
    pid = _pid(db)
    before = budget.summary(db, pid)
    # Demo: scenes 14 (kiss) and 15 today, 22 tomorrow: three intimate scenes on two days.
    assert before["days"] == {
        "intimate_scenes": 3,
        "prep_days": 3.0,
        "rehearsal_days": 0,
        "shoot_days": 2,
        "total_days": 5.0,
    }
    assert before["ic_line_cents"] is None, "no rate yet: no line, not a zero line"
    rehearsals.add(db, _scene(db, "15")["id"], "2030-01-02", "10:00")
    rehearsals.add(db, _scene(db, "22")["id"], "2030-01-02", "14:00")  # same day: one day
    assert budget.summary(db, pid)["days"]["rehearsal_days"] == 1


def test_the_line_total_and_the_csv_a_producer_takes_to_the_budget_meeting(db):
    pid = _pid(db)
    budget.set_rates(db, pid, day_rate="650", prep_fee="1,200.50", currency="gbp")
    budget.add_line(db, pid, "Stunt coordination", 4800)
    budget.add_line(db, pid, '=HYPERLINK("x")', "10")  # a formula must not run
    data = budget.summary(db, pid)
    assert data["currency"] == "GBP"
    assert data["ic_line_cents"] == 5 * 65000 + 120050
    assert data["total_cents"] == 5 * 65000 + 120050 + 480000 + 1000
    rows = list(csv.reader(io.StringIO(budget.to_csv(data))))
    assert rows[0] == ["line", "days", "rate", "fee", "amount", "currency"]
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Intimacy coordinator: shoot days"][1:5] == ["2", "650.00", "", "1300.00"]
    assert by_label["Intimacy coordination (line total)"][4] == "4450.50"
    assert by_label["Stunt coordination"][4] == "4800.00"
    assert '\'=HYPERLINK("x")' in by_label
    assert rows[-1] == ["Total safety lines", "", "", "", "9260.50", "GBP"]


@pytest.mark.parametrize("bad", ["-5", "abc", "1.005", None, True, "1e13"])
def test_amounts_that_are_not_money_are_refused(db, bad):
    with pytest.raises(ValueError):
        budget.set_rates(db, _pid(db), day_rate=bad)


def test_a_line_is_removed_only_from_its_own_production(db):
    pid = _pid(db)
    line = budget.add_line(db, pid, "Medic", 900)
    assert not budget.remove_line(db, pid + 1, line)
    assert budget.remove_line(db, pid, line)
    assert budget.summary(db, pid)["other_lines"] == []


def test_the_producer_sets_rates_and_downloads_the_csv_over_http(login):
    producer = login("Ruth Adeyemi")
    headers = {"X-CSRF-Token": csrf(producer)}
    answer = producer.post("/api/budget/rates", json={"day_rate": 700}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["shown"]["ic_line"] == "3500.00"
    added = producer.post(
        "/api/budget/lines", json={"label": "Stunt coordination", "amount": "2500"}, headers=headers
    )
    assert added.status_code == 201 and added.get_json()["shown"]["total"] == "6000.00"
    line_id = added.get_json()["other_lines"][0]["id"]
    refused = producer.post("/api/budget/rates", json={"day_rate": "lots"}, headers=headers)
    assert refused.status_code == 422 and "day rate" in refused.get_json()["error"]
    download = producer.get("/api/budget.csv")
    assert download.mimetype == "text/csv" and "Stunt coordination" in download.get_data(True)
    assert "Intimacy coordination" in producer.get("/producer/budget").get_data(as_text=True)
    assert producer.delete(f"/api/budget/lines/{line_id}", headers=headers).status_code == 200
    assert producer.delete(f"/api/budget/lines/{line_id}", headers=headers).status_code == 404


def test_the_budget_is_the_producers(login):
    for name in ("Maya Okafor", "Tom Brennan", "Kenji Mori", "Alex Rivera"):
        assert login(name).get("/api/budget").status_code == 403, name
    ic = login("Maya Okafor")
    refused = ic.post("/api/budget/rates", json={"day_rate": 1}, headers={"X-CSRF-Token": csrf(ic)})
    assert refused.status_code == 403


def test_the_budget_form_says_what_is_wrong(login):
    producer = login("Ruth Adeyemi")
    token = csrf(producer)
    sent = producer.post("/producer/budget/rates", data={"csrf_token": token, "day_rate": "-1"})
    assert sent.status_code == 302
    assert "day rate must be zero or more" in producer.get("/producer/budget").get_data(True)
    producer.post("/producer/budget/rates", data={"csrf_token": token, "day_rate": "650"})
    page = producer.get("/producer/budget").get_data(as_text=True)
    assert "Rates saved." in page and "3250.00" in page
