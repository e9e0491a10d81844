"""The daily IC report: scenes, clearance timeline, pauses and concerns, check-ins,
blocking changes and re-consents, as PDF and CSV, each reader seeing only what they may."""

import csv
import io

import pytest

from ictool import alerts, blocking, closedset, consent, report, takes

CONCERN = "Someone on the crew keeps filming on their phone."


@pytest.fixture
def shot_day(db, person):
    """Day 1 with scene 15 worked through: blocking changed, re-consent, check-ins, a pause,
    an IC-only concern and a take."""
    s15 = next(db["scenes"].rows_where("number = '15'"))
    ic, ad = person("Maya Okafor"), person("Tom Brennan")
    alex, sam = person("Alex Rivera"), person("Sam Lindqvist")
    blocking.save(db, s15["id"], ["Seated on the bed edge.", "Closed-mouth kiss."], ic["id"])
    version = blocking.current(db, s15["id"])["version"]
    consent.confirm(db, s15, alex, version)
    closedset.check_in(db, s15, person("Kenji Mori")["id"], ad["id"], photo_ack=True)
    dev = person("Dev Malhotra")["id"]
    closedset.check_in(db, s15, dev, ad["id"])  # off the roster
    closedset.close_set(db, s15, ad["id"], off_roster_ok=[dev])  # the 1st AD, warned by name
    takes.call_next_take(db, s15, ad["id"])
    alerts.raise_alert(
        db, sam, {"kind": "pause", "client_id": "sam-pause-00001", "scene_id": s15["id"]}
    )
    alerts.raise_alert(
        db,
        sam,
        {
            "kind": "concern",
            "client_id": "sam-concern-0001",
            "scene_id": s15["id"],
            "text": CONCERN,
            "audience": "ic",
        },
    )
    return s15["shoot_day_id"]


def _scene(data: dict, number: str) -> dict:
    return next(s for s in data["scenes"] if s["number"] == number)


def test_the_ic_reads_the_whole_day(app, db, person, shot_day):
    with app.test_request_context():
        data = report.daily(db, shot_day, person("Maya Okafor"))
    s15 = _scene(data, "15")
    whats = [e["what"] for e in s15["timeline"]]
    assert "Blocking version 2 saved" in whats
    assert "Consent given to version 2" in whats
    assert "Checked in: Kenji Mori" in whats
    assert "Checked in: Dev Malhotra (not on the roster)" in whats
    assert "Set confirmed closed, with Dev Malhotra checked in off the roster" in whats
    assert "Take 2 called" in whats
    assert [v["version"] for v in s15["blocking"]] == [1, 2]
    assert {c["name"]: c["state"] for c in s15["consent"]} == {
        "Alex Rivera": "confirmed",
        "Sam Lindqvist": "pending",
    }
    assert s15["cleared"] is False and s15["reasons"]
    assert [a["text"] for a in data["alerts"]] == [None, CONCERN]
    assert data["alerts"][1]["from"] == "Sam Lindqvist"
    assert data["audit"]["intact"] is True


def test_the_producer_never_reads_concern_text_or_who_raised_it(app, db, person, shot_day):
    with app.test_request_context():
        data = report.daily(db, shot_day, person("Ruth Adeyemi"))
        text = report.to_csv(data)
        pdf = report.to_pdf(data)
    pause, concern = data["alerts"]
    assert pause["label"] == "Pause" and pause["scene"] == "15"
    assert concern["label"] == alerts.MASKED_LABEL and concern["restricted"]
    assert concern["text"] is None and concern["from"] == "name withheld"
    assert CONCERN not in text and "Sam Lindqvist" not in [
        r[5] for r in csv.reader(io.StringIO(text)) if r[2] == "alert"
    ]
    assert "Seated on the bed edge." not in text, "producers never see blocking"
    assert pdf.startswith(b"%PDF-") and CONCERN.encode() not in pdf


def test_the_csv_has_a_row_per_event(app, db, person, shot_day):
    with app.test_request_context():
        rows = list(
            csv.reader(
                io.StringIO(report.to_csv(report.daily(db, shot_day, person("Maya Okafor"))))
            )
        )
    assert rows[0] == ["date", "scene", "section", "at", "what", "who", "detail"]
    sections = {r[2] for r in rows[1:]}
    assert sections == {"names", "record", "clearance", "consent", "blocking", "timeline", "alert"}
    assert any(r[2] == "alert" and r[6] == CONCERN for r in rows)


def test_reports_over_http_for_each_reader(login, db, shot_day):
    ic, producer, crew = login("Maya Okafor"), login("Ruth Adeyemi"), login("Kenji Mori")
    pdf = producer.get(f"/api/reports/days/{shot_day}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert CONCERN in ic.get(f"/api/reports/days/{shot_day}.csv").get_data(as_text=True)
    assert CONCERN not in producer.get(f"/api/reports/days/{shot_day}.csv").get_data(as_text=True)
    assert crew.get(f"/api/reports/days/{shot_day}.csv").status_code == 403
    assert ic.get("/api/reports/days/999999.pdf").status_code == 404
    page = producer.get("/reports")
    assert page.status_code == 200 and f"/api/reports/days/{shot_day}.pdf" in page.get_data(
        as_text=True
    )


def test_a_name_outside_latin_1_survives_into_the_pdf(app, db, person, shot_day):
    db["people"].update(person("Kenji Mori")["id"], {"name": "Łukasz Ольга"})
    with app.test_request_context():
        data = report.daily(db, shot_day, person("Maya Okafor"))
        pdf = report.to_pdf(data)
        font = report._font_path()
    assert "Checked in: Łukasz Ольга" in [e["what"] for e in _scene(data, "15")["timeline"]]
    assert pdf.startswith(b"%PDF-")
    if font:  # a Unicode font is installed: it is embedded, so the names print as written
        assert b"/FontFile2" in pdf


def test_without_a_unicode_font_the_pdf_still_prints(app, db, person, shot_day, monkeypatch):
    monkeypatch.setattr(report, "FONT_CANDIDATES", ())
    db["people"].update(person("Kenji Mori")["id"], {"name": "Łukasz — “K”"})
    with app.test_request_context():
        pdf = report.to_pdf(report.daily(db, shot_day, person("Ruth Adeyemi")))
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" not in pdf
