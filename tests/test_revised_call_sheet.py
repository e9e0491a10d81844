"""A revised call sheet, on a production that started empty: a preview of what it adds,
changes, moves and removes, then all of it or nothing; semicolon and tab files; dates within
the production; "did you mean" for a cast name that looks like a performer's typo."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import csrf

from ictool import (
    blocking,
    consent,
    create_app,
    people,
    productions,
    scenes,
    schedule_import,
)
from ictool.db import connect

SAMPLE = Path(__file__).resolve().parent.parent / "static" / "samples" / "call-sheet-sample.csv"
ICTOOL = [sys.executable, "-m", "ictool"]


def sheet(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def sample_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.read_text())))


def revised_rows() -> list[list[str]]:
    """Scene 32 moves to the 9th; scene 40's description changes; 31 is cut; 44 is new."""
    rows = [r for r in sample_rows() if r[3] != "31"]
    kiss = next(r for r in rows if r[3] == "32")
    kiss[0:3] = ["2027-03-09", "06:30", "Location: Seafront flat, Brighton"]
    next(r for r in rows if r[3] == "40")[4] = "Bedroom, night (rewritten)."
    rows.append(
        ["2027-03-10", "08:00", "Studio 2", "44", "Car park: goodbye.", "", "", "Ben Carter"]
    )
    return rows


@pytest.fixture
def show(tmp_path):
    """An empty database, one production for March 2027 with its IC, the sample imported."""
    app = create_app(
        {"TESTING": True, "DB": str(tmp_path / "show.db"), "SECRET_KEY": "t"},
        instance_path=str(tmp_path / "instance"),
    )
    db = connect(app.config["DB"])
    pid = productions.create(
        db, "Harbour Lights", "equity_uk", starts_on="2027-03-01", ends_on="2027-03-31"
    )
    ids = {
        "ic": people.add(db, pid, "Maya Okafor", "coordinator"),
        "ad": people.add(db, pid, "Tom Brennan", "first_ad"),
        "producer": people.add(db, pid, "Ruth Adeyemi", "producer"),
    }
    schedule_import.import_csv(db, pid, SAMPLE.read_bytes())
    yield type("Show", (), {"app": app, "db": db, "pid": pid, "ids": ids, "path": tmp_path})
    db.close()


def by_number(db, pid) -> dict:
    return {s["number"]: s for s in scenes.of_production(db, pid)}


def snapshot(db) -> dict:
    tables = ("shoot_days", "scenes", "scene_performers", "scene_roster", "people", "audit")
    return {t: list(db[t].rows) for t in tables}


def test_a_preview_lists_what_a_revision_adds_changes_moves_and_would_remove(show):
    before = snapshot(show.db)
    report = schedule_import.import_csv(show.db, show.pid, sheet(revised_rows()), dry_run=True)
    assert snapshot(show.db) == before, "a preview writes nothing"
    assert report["applied"] is False
    assert report["added_days"] == [
        {"date": "2027-03-10", "call_time": "08:00", "location": "Studio 2"}
    ]
    assert report["added_scenes"] == [{"number": "44", "date": "2027-03-10"}]
    assert report["moved_scenes"] == [{"number": "32", "from": "2027-03-08", "to": "2027-03-09"}]
    assert report["changed_scenes"] == [
        {
            "number": "40",
            "date": "2027-03-09",
            "changes": {
                "description": [
                    "Bedroom, night: Nadia and Ben sleep together for the first time.",
                    "Bedroom, night (rewritten).",
                ]
            },
        }
    ]
    assert report["missing_scenes"] == [
        {"number": "31", "from": "2027-03-08", "has_records": False}
    ]
    assert (report["removed"], report["new_people"]) == (0, [])


def test_a_moved_scene_keeps_its_riders_consent_blocking_and_roster(show):
    db, pid = show.db, show.pid
    bed = by_number(db, pid)["40"]
    kiss = by_number(db, pid)["32"]
    nadia = next(p for p in scenes.performers(db, kiss["id"]) if p["name"] == "Nadia Haddad")
    scenes.set_rider(db, kiss["id"], nadia["id"], "2027-03-01")
    blocking.save(db, kiss["id"], ["On the stairs: a kiss."], show.ids["ic"])
    consent.confirm(db, kiss, people.get(db, nadia["id"]), 1)
    roster_before = scenes.roster(db, bed["id"])

    report = schedule_import.import_csv(db, pid, sheet(revised_rows()), show.ids["ad"])
    assert (report["moved"], report["changed"], report["scenes"], report["removed"]) == (1, 1, 1, 0)
    now = by_number(db, pid)
    assert now["32"]["id"] == kiss["id"], "the same scene, moved, not a new one"
    assert scenes.get_day(db, now["32"]["shoot_day_id"])["date"] == "2027-03-09"
    riders = {p["name"]: p["rider_signed_on"] for p in scenes.performers(db, kiss["id"])}
    assert riders["Nadia Haddad"] == "2027-03-01"
    assert blocking.current(db, kiss["id"])["version"] == 1
    assert consent.state_for(db, kiss["id"], nadia["id"])["state"] == "confirmed"
    assert scenes.roster(db, bed["id"]) == roster_before
    assert "31" in now, "not removed without confirmation"
    day9 = next(d for d in scenes.days(db, pid) if d["date"] == "2027-03-09")
    assert [s["number"] for s in scenes.of_day(db, day9["id"])] == ["32", "40", "41"]


def test_scenes_not_in_the_file_are_removed_only_when_confirmed(show):
    db, pid = show.db, show.pid
    office = by_number(db, pid)["31"]
    blocking.save(db, office["id"], ["A handshake."], show.ids["ic"])  # now it has records
    rows = [r for r in revised_rows() if r[3] != "41"]  # 41 has no records
    preview = schedule_import.import_csv(db, pid, sheet(rows), dry_run=True, remove_missing=True)
    assert {(m["number"], m["has_records"]) for m in preview["missing_scenes"]} == {
        ("31", True),
        ("41", False),
    }
    report = schedule_import.import_csv(db, pid, sheet(rows), remove_missing=True)
    assert report["removed"] == 2
    now = by_number(db, pid)
    assert "41" not in now, "a scene with no records is deleted"
    assert now["31"]["shoot_day_id"] is None, "a scene with records goes to Unscheduled"
    assert blocking.current(db, office["id"])["version"] == 1


def test_a_revised_sheet_with_one_bad_row_changes_nothing(show):
    before = snapshot(show.db)
    rows = revised_rows()
    rows[-1][0] = "2027-04-02"  # after the last shoot date
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(show.db, show.pid, sheet(rows), remove_missing=True)
    assert [str(e) for e in failed.value.errors] == [
        f"row {len(rows)}, column date: 2027-04-02 is outside the production's shoot dates"
        " (2027-03-01 to 2027-03-31)"
    ]
    assert snapshot(show.db) == before


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files_read_like_comma_files(show, delimiter):
    comma = schedule_import.import_csv(show.db, show.pid, sheet(revised_rows()), dry_run=True)
    other = sheet(revised_rows(), delimiter)
    assert delimiter in other.splitlines()[0] and "," not in other.splitlines()[0]
    assert schedule_import.import_csv(show.db, show.pid, other, dry_run=True) == comma


def test_a_cast_name_close_to_a_performers_asks_did_you_mean(show):
    rows = revised_rows()
    rows[-1][7] = "Ben Cartor"
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.import_csv(show.db, show.pid, sheet(rows), dry_run=True)
    error = failed.value.errors[0]
    assert (error.column, error.new_name) == ("cast", "Ben Cartor")
    assert "did you mean Ben Carter?" in error.message
    confirmed = schedule_import.import_csv(
        show.db, show.pid, sheet(rows), dry_run=True, new_cast=("ben cartor",)
    )
    assert confirmed["new_people"] == ["Ben Cartor"]


def _api(show, who: str):
    client = show.app.test_client()
    assert client.get(f"/join/{people.issue_token(show.db, show.ids[who])}").status_code == 302
    return client, {"X-CSRF-Token": csrf(client), "Content-Type": "text/csv"}


def test_the_api_previews_then_applies_and_refuses_a_stale_preview(show):
    ad, headers = _api(show, "ad")
    body = sheet(revised_rows())
    before = snapshot(show.db)
    preview = ad.post("/api/schedule/import?preview=1", data=body, headers=headers)
    assert preview.status_code == 200 and preview.get_json()["moved"] == 1
    assert snapshot(show.db) == before
    stale = ad.post("/api/schedule/import?expect=0000", data=body, headers=headers)
    assert stale.status_code == 409 and snapshot(show.db) == before
    url = f"/api/schedule/import?expect={preview.get_json()['fingerprint']}&remove_missing=true"
    applied = ad.post(url, data=body, headers=headers)
    assert applied.status_code == 201 and applied.get_json()["removed"] == 1
    assert "31" not in by_number(show.db, show.pid)
    bad_flag = ad.post("/api/schedule/import?preview=maybe", data=body, headers=headers)
    assert bad_flag.status_code == 422
    assert bad_flag.get_json()["error"] == "preview must be true or false"
    rows = revised_rows()
    rows[-1][7] = "Ben Cartor"
    typo = ad.post("/api/schedule/import?preview=1", data=sheet(rows), headers=headers)
    assert typo.status_code == 422 and typo.get_json()["errors"][0]["new_cast"] == "Ben Cartor"
    ok = ad.post(
        "/api/schedule/import?preview=1&new_cast=Ben%20Cartor", data=sheet(rows), headers=headers
    )
    assert ok.status_code == 200


def test_the_import_page_previews_confirms_a_new_name_and_applies(show):
    producer, _headers = _api(show, "producer")
    rows = revised_rows()
    rows[-1][7] = "Ben Cartor"
    token = csrf(producer)
    upload = producer.post(
        "/producer/import",
        data={"csrf_token": token, "file": (io.BytesIO(sheet(rows, ";").encode()), "v2.csv")},
        content_type="multipart/form-data",
    )
    page = upload.get_data(as_text=True)
    assert upload.status_code == 422 and "did you mean Ben Carter?" in page
    assert 'name="new_cast" value="Ben Cartor"' in page
    text = sheet(rows, ";")
    checked = producer.post(
        "/producer/import",
        data={"csrf_token": token, "csv": text, "new_cast": "Ben Cartor", "step": "preview"},
    )
    page = checked.get_data(as_text=True)
    assert "Scene 32 moves from 2027-03-08 to 2027-03-09" in page
    assert "Also remove the scenes not in this file" in page
    expect = page.split('name="expect" value="')[1].split('"')[0]
    applied = producer.post(
        "/producer/import",
        data={
            "csrf_token": token,
            "csv": text,
            "new_cast": "Ben Cartor",
            "expect": expect,
            "remove_missing": "1",
            "step": "apply",
        },
    )
    assert "moved: 1, removed: 1." in applied.get_data(as_text=True)
    assert "31" not in by_number(show.db, show.pid)
    assert any(p["name"] == "Ben Cartor" for p in people.in_production(show.db, show.pid))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60)


def test_the_command_line_shows_the_changes_and_applies_them_when_told(show):
    db_path = str(show.path / "show.db")
    v2 = show.path / "v2.csv"
    v2.write_text(sheet(revised_rows(), "\t"))
    before = snapshot(show.db)
    dry = run("import-schedule", str(v2), "--db", db_path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "> scene 32 moves 2027-03-08 -> 2027-03-09" in dry.stdout
    assert "  scene 31 on 2027-03-08 is not in the file: kept" in dry.stdout
    assert dry.stdout.strip().endswith("dry run: nothing was changed")
    unasked = run("import-schedule", str(v2), "--db", db_path)
    assert unasked.returncode == 1
    assert "add --yes to apply" in unasked.stderr
    assert snapshot(show.db) == before
    done = run("import-schedule", str(v2), "--db", db_path, "--yes", "--remove-missing")
    assert done.returncode == 0, done.stderr
    assert "- scene 31 on 2027-03-08: deleted" in done.stdout
    assert done.stdout.strip().endswith("1 changed, 1 moved, 1 removed")
    rows = revised_rows()
    rows[-1][7] = "Ben Cartor"
    v3 = show.path / "v3.csv"
    v3.write_text(sheet(rows))
    typo = run("import-schedule", str(v3), "--db", db_path, "--dry-run")
    assert typo.returncode == 1
    assert "did you mean Ben Carter? If Ben Cartor is a new performer, confirm it" in typo.stderr
    assert "(--new-cast 'Ben Cartor')" in typo.stderr
    named = run("import-schedule", str(v3), "--db", db_path, "--new-cast", "Ben Cartor", "--yes")
    assert named.returncode == 0, named.stderr
