"""The schedule from a call sheet: days, scenes and cast from CSV, all or nothing."""

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import csrf

from ictool import productions, rehearsals, scenes, schedule_import

SAMPLE = Path(__file__).resolve().parent.parent / "static" / "samples" / "call-sheet-sample.csv"
ICTOOL = [sys.executable, "-m", "ictool"]
HEADER = "date,call_time,location,scene,description,intimacy,closed_set,cast\n"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60)


def _pid(db) -> int:
    return productions.first(db)["id"]


@pytest.fixture(autouse=True)
def _dates_of_the_sample(db):
    """The demo production shoots around today; the sample call sheet is for March 2027."""
    db["productions"].update(_pid(db), {"ends_on": "2027-12-31"})


def _snapshot(db) -> dict:
    tables = ("shoot_days", "scenes", "scene_performers", "scene_roster", "people", "audit")
    return {t: list(db[t].rows) for t in tables}


def test_the_documented_sample_imports_days_scenes_and_cast(db):
    pid = _pid(db)
    created = schedule_import.import_csv(db, pid, SAMPLE.read_bytes())
    assert (created["days"], created["scenes"], created["people"]) == (2, 4, 2)
    by_number = {s["number"]: s for s in scenes.of_production(db, pid)}
    bed = by_number["40"]
    assert bed["intimacy"] == "simulated_sex" and bed["closed_set"] == 1
    assert by_number["41"]["closed_set"] == 1, "nudity closes the set when the cell is empty"
    assert by_number["32"]["closed_set"] == 0
    assert {p["name"] for p in scenes.performers(db, bed["id"])} == {"Nadia Haddad", "Ben Carter"}
    roster = {p["name"]: p["purpose"] for p in scenes.roster(db, bed["id"])}
    assert roster["Maya Okafor"] == "coordinator" and roster["Ben Carter"] == "performer"
    day = scenes.get_day(db, bed["shoot_day_id"])
    assert (day["date"], day["call_time"]) == ("2027-03-09", "06:30")


def test_one_bad_row_names_its_row_and_column_and_changes_nothing(db):
    before = _snapshot(db)
    text = SAMPLE.read_text().replace("2027-03-09,06:30", "2027-03-09,6.30", 1)
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(db, _pid(db), text)
    assert [str(e) for e in failed.value.errors] == [
        "row 4, column call_time: '6.30' is not a time like 07:30"
    ]
    assert _snapshot(db) == before


def test_every_error_is_reported_at_once(db):
    text = HEADER + (
        "2027-13-01,07:00,Studio,50,Desc,none,no,\n"
        "2027-04-01,07:00,Studio,51,,hugging,maybe,Tom Brennan\n"
        "2027-04-01,08:00,Studio,51,Desc,kiss,no,Ann;ann\n"
        "2030-04-02,07:00,Studio,14,Desc,kiss,no,\n"
    )
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(db, _pid(db), text)
    found = {(e.row, e.column) for e in failed.value.errors}
    assert found == {
        (2, "date"),
        (3, "description"),
        (3, "intimacy"),
        (3, "closed_set"),
        (3, "cast"),  # Tom Brennan is the 1st AD, not a performer
        (4, "scene"),  # 51 again
        (4, "cast"),  # Ann twice
        (5, "date"),  # after the production's last shoot date
    }


def test_a_date_must_keep_one_call_and_place(db):
    text = HEADER + (
        "2027-04-01,07:00,Studio,50,Desc,none,no,\n2027-04-01,08:00,Studio,52,Desc,none,no,\n"
    )
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(db, _pid(db), text)
    assert [str(e) for e in failed.value.errors] == [
        "row 3, column call_time: 08:00 differs from 07:00 on row 2"
    ]
    today = scenes.days(db, _pid(db))[0]
    later = HEADER + f'{today["date"]},05:00,"{today["location"]}",60,Desc,none,no,\n'
    preview = schedule_import.import_csv(db, _pid(db), later, dry_run=True)
    assert preview["changed_days"] == [
        {"date": today["date"], "changes": {"call_time": ["07:30", "05:00"]}}
    ], "a revised call time for an existing day is a change to preview, not an error"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "row 1, column -: the file is empty"),
        (b"\xff\xfe\x00", "row 1, column -: save the file as CSV UTF-8"),
        (b"date,call_time,scene\n", "row 1, column location: missing column"),
        (HEADER.replace("cast", "colour").encode(), "row 1, column colour: unknown column"),
        (HEADER.encode(), "row 2, column -: no scenes in the file"),
        ((HEADER + "2027-04-01,07:00,S,1,D,none,no,,extra\n").encode(), "row 2, column -: 9"),
    ],
)
def test_files_that_are_not_a_call_sheet_say_why(db, data, expected):
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(db, _pid(db), data)
    assert str(failed.value.errors[0]).startswith(expected)


def test_a_spreadsheet_bom_and_header_case_are_fine(db):
    text = (
        "\ufeff"
        + HEADER.upper().replace("CALL_TIME", "Call Time")
        + ("2027-05-01,07:00,Studio,70,Desc,Full nudity,,Jordan Blake\n")
    )
    assert schedule_import.import_csv(db, _pid(db), text.encode())["people"] == 0


def test_the_upload_page_shows_each_error_and_imports_nothing(login, db):
    producer = login("Ruth Adeyemi")
    before = _snapshot(db)
    bad = SAMPLE.read_bytes().replace(b",kiss,", b",snog,")
    sent = producer.post(
        "/producer/import",
        data={"csrf_token": csrf(producer), "file": (io.BytesIO(bad), "sheet.csv")},
        content_type="multipart/form-data",
    )
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422 and "Nothing was imported" in page
    assert "<td>3</td><td>intimacy</td>" in page
    assert _snapshot(db) == before
    good = producer.post(
        "/producer/import",
        data={"csrf_token": csrf(producer), "file": (io.BytesIO(SAMPLE.read_bytes()), "s.csv")},
        content_type="multipart/form-data",
    )
    page = good.get_data(as_text=True)
    assert good.status_code == 200 and "New scene 40 on 2027-03-09" in page
    assert _snapshot(db) == before, "the upload only previews"
    fingerprint = page.split('name="expect" value="')[1].split('"')[0]
    applied = producer.post(
        "/producer/import",
        data={
            "csrf_token": csrf(producer),
            "csv": SAMPLE.read_text(),
            "expect": fingerprint,
            "step": "apply",
        },
    )
    assert "New scenes: 4, new days: 2" in applied.get_data(as_text=True)


def test_the_api_takes_a_csv_body_and_answers_errors_as_data(login):
    ad = login("Priya Shah")
    headers = {"X-CSRF-Token": csrf(ad), "Content-Type": "text/csv"}
    bad = ad.post("/api/schedule/import", data=HEADER + "x,07:00,S,90,D,,,\n", headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [
        {"row": 2, "column": "date", "message": "'x' is not a date like 2026-03-14"}
    ]
    ok = ad.post("/api/schedule/import", data=SAMPLE.read_bytes(), headers=headers)
    assert ok.status_code == 201
    assert {k: ok.get_json()[k] for k in ("days", "scenes", "people")} == {
        "days": 2,
        "scenes": 4,
        "people": 2,
    }
    assert login("Kenji Mori").post("/api/schedule/import", data=b"").status_code in (403,)


def test_import_from_the_command_line(tmp_path):
    db = tmp_path / "set.db"
    assert run("demo", "--db", str(db)).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE productions SET ends_on = '2027-12-31'")
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text().replace("Ben Carter\n", "Tom Brennan\n", 1))
    result = run("import-schedule", str(bad), "--db", str(db))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"ictool: {bad}: row 3, column cast: Tom Brennan is on the production as 1st AD",
        f"ictool: error: 1 error(s) in {bad}; nothing was imported",
    ]
    good = run("import-schedule", str(SAMPLE), "--db", str(db))
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("imported 4 scene(s), 2 new day(s), 2 new performer(s)")


def _events(ics: str) -> list[dict]:
    unfolded = ics.replace("\r\n ", "")
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key] = value
    return events


def test_calendars_hold_intimate_scenes_and_rehearsals_for_the_ic_and_performers(login, db):
    scene22 = next(db["scenes"].rows_where("number = '22'"))
    rehearsals.add(db, scene22["id"], "2030-01-02", "10:00", "Rehearsal room, 3rd floor")
    ic = login("Maya Okafor").get("/api/calendar.ics")
    assert ic.mimetype == "text/calendar"
    text = ic.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith(
        "END:VCALENDAR\r\n"
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    assert {e["UID"].split("@")[0] for e in events} == {
        "rehearsal-1",
        "scene-2",
        "scene-3",
        f"scene-{scene22['id']}",
    }
    rehearsal = next(e for e in events if e["UID"].startswith("rehearsal"))
    assert rehearsal["DTSTART"] == "20300102T100000" and rehearsal["DTEND"] == "20300102T120000"
    assert rehearsal["LOCATION"] == "Rehearsal room\\, 3rd floor"
    assert "Simulated" not in text and "nudity" not in text.lower(), "content stays in ictool"
    jordan = _events(login("Jordan Blake").get("/calendar.ics").get_data(as_text=True))
    assert {e["UID"] for e in jordan} == {f"scene-{scene22['id']}@ictool", "rehearsal-1@ictool"}
    assert login("Ruth Adeyemi").get("/api/calendar.ics").status_code == 403
