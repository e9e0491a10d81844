"""A revised USS file matched by id (scenes by breakdown id, people by element id), with the
IC's marks, riders, rosters and blocking of a moved scene kept; and the schedule handed
back as a USS 1.0.0 file that re-imports to the same schedule and never carries blocking,
riders or concerns."""

import json
import uuid

import pytest
import uss_fixtures as uss
from conftest import csrf
from test_uss_import import ROOT, run, schedule_of, show  # noqa: F401  (the fixture)

from ictool import (
    alerts,
    blocking,
    consent,
    people,
    productions,
    rehearsals,
    scenes,
    schedule,
    uss_export,
    uss_ids,
    uss_import,
)

HEADER_KEYS = {
    "id",
    "author",
    "company",
    "created",
    "description",
    "episode",
    "episodeName",
    "name",
    "project",
    "schedColor",
    "schedDate",
    "scriptColor",
    "scriptDate",
    "season",
    "source",
    "version",
}
BREAKDOWN_KEYS = {
    "id",
    "comments",
    "created",
    "description",
    "elements",
    "pages",
    "scene",
    "scriptPage",
    "time",
    "type",
}
ELEMENT_KEYS = {
    "id",
    "created",
    "doodDropAllow",
    "doodDropDays",
    "doodHoldAllow",
    "doodInclude",
    "elementId",
    "elementIdLock",
    "events",
    "linkedElements",
    "name",
}


def by_number(db, pid) -> dict:
    return {s["number"]: s for s in scenes.of_production(db, pid)}


@pytest.fixture
def imported(show):  # noqa: F811
    marks = {"b-40": {"intimacy": "simulated_sex"}, "b-32": {"intimacy": "kiss"}}
    uss_import.import_uss(show.db, show.pid, uss.dumps(uss.small()), marks=marks)
    return show


def test_a_revision_matches_by_id_and_keeps_what_the_ic_recorded(imported):
    db, pid, ids = imported.db, imported.pid, imported.ids
    kiss, bed = by_number(db, pid)["32"], by_number(db, pid)["40"]
    nadia = next(p for p in scenes.performers(db, kiss["id"]) if p["name"] == "Nadia Haddad")
    scenes.set_rider(db, kiss["id"], nadia["id"], "2027-03-01")
    blocking.save(db, kiss["id"], ["On the pier: a kiss."], ids["ic"])
    consent.confirm(db, kiss, people.get(db, nadia["id"]), 1)
    schedule.edit_scene(db, kiss, {"closed_set": True}, ids["ic"])
    roster = scenes.roster(db, kiss["id"])

    preview = uss_import.import_uss(db, pid, uss.dumps(uss.revised()), dry_run=True)
    assert preview["moved_scenes"] == [{"number": "32", "from": "2027-03-08", "to": "2027-03-09"}]
    assert preview["changed_scenes"] == [
        {
            "number": "40",
            "date": "2027-03-08",
            "changes": {
                "number": ["40", "40A"],
                "description": [
                    "Nadia and Ben in bed; they undress each other.",
                    "Nadia and Ben in bed (rewritten).",
                ],
            },
        }
    ]
    assert preview["added_scenes"] == [{"number": "44", "date": "2027-03-09"}]
    assert preview["missing_scenes"] == [
        {"number": "12", "from": "2027-03-09", "has_records": False}
    ]
    done = uss_import.import_uss(
        db, pid, uss.dumps(uss.revised()), ids["ad"], expect=preview["fingerprint"]
    )
    assert (done["moved"], done["changed"], done["scenes"], done["removed"]) == (1, 1, 1, 0)
    now = by_number(db, pid)
    assert now["32"]["id"] == kiss["id"] and now["40A"]["id"] == bed["id"]
    assert (now["32"]["intimacy"], now["32"]["closed_set"]) == ("kiss", 1), "the IC's marks"
    assert now["40A"]["intimacy"] == "simulated_sex"
    riders = {p["name"]: p["rider_signed_on"] for p in scenes.performers(db, kiss["id"])}
    assert riders["Nadia Haddad"] == "2027-03-01"
    assert blocking.current(db, kiss["id"])["version"] == 1
    assert consent.state_for(db, kiss["id"], nadia["id"])["state"] == "confirmed"
    assert scenes.roster(db, kiss["id"]) == roster
    assert "12" in now, "kept until its removal is confirmed"


def test_people_are_matched_by_element_id_even_when_renamed(imported):
    db, pid = imported.db, imported.pid
    nadia = next(p for p in people.in_production(db, pid) if p["name"] == "Nadia Haddad")
    people.update(db, nadia["id"], {"name": "Nadia Haddad-Stone"})
    preview = uss_import.import_uss(db, pid, uss.dumps(uss.revised()), dry_run=True)
    assert preview["new_people"] == [], "the same element id is the same person"
    assert all("cast" not in s["changes"] for s in preview["changed_scenes"])


def test_an_export_re_imports_to_the_same_schedule(imported, tmp_path):
    db, pid = imported.db, imported.pid
    schedule.edit_day(db, scenes.days(db, pid)[0], {"call_time": "06:30"}, None)
    doc = uss_export.build(db, pid)
    root = doc["universalScheduleStandard"]
    assert set(root) >= HEADER_KEYS | {"breakdowns", "calendars", "categories", "elements"}
    assert root["version"] == "1.0.0" and root["id"] == "uss-harbour", "the id kept"
    for b in root["breakdowns"]:
        assert set(b) >= BREAKDOWN_KEYS
        assert all(k in BREAKDOWN_KEYS or k.startswith("_") for k in b), b
    assert {e["id"] for e in root["elements"] if e["name"] == "Nadia Haddad"} == {"e-nadia"}
    for e in root["elements"]:
        assert set(e) >= ELEMENT_KEYS
    bed = next(b for b in root["breakdowns"] if b["scene"] == "40")
    assert bed["id"] == "b-40" and bed["_ictoolIntimacy"] == "simulated_sex"
    assert bed["_ictoolClosedSet"] is True
    events = root["calendars"][0]["events"]
    assert events[0]["type"] == "start" and events[0]["date"].endswith(".000Z")
    assert uss_export.build(db, pid) == doc, "ids made once and stored: the same file again"

    again = uss_import.import_uss(db, pid, uss_export.dumps(doc), dry_run=True)
    assert not any(
        again[k]
        for k in ("added_days", "changed_days", "added_scenes", "changed_scenes", "moved_scenes")
    ), again

    copy_id = productions.create(
        db,
        "Copy",
        "equity_uk",
        starts_on="2027-03-01",
        ends_on="2027-12-31",
        timezone="Europe/Stockholm",
    )
    people.add(db, copy_id, "Maya Okafor", "coordinator")
    uss_import.import_uss(db, copy_id, uss_export.dumps(doc))
    assert schedule_of(db, copy_id) == schedule_of(db, pid)
    (held,) = rehearsals.of_production(db, copy_id)
    (original,) = rehearsals.of_production(db, pid)
    assert (held["scene_number"], held["date"], held["start_time"]) == (
        original["scene_number"],
        original["date"],
        original["start_time"],
    )
    boards = {p["name"]: p["board_number"] for p in people.in_production(db, copy_id, "performer")}
    assert boards == {"Ben Carter": "2", "Nadia Haddad": "1"}


def test_no_blocking_rider_or_concern_ever_goes_into_an_export(imported):
    db, pid, ids = imported.db, imported.pid, imported.ids
    kiss = by_number(db, pid)["32"]
    nadia = next(p for p in scenes.performers(db, kiss["id"]) if p["name"] == "Nadia Haddad")
    scenes.set_rider(db, kiss["id"], nadia["id"], "2027-02-27")
    blocking.save(db, kiss["id"], ["SECRET-BEAT: hand on the waist."], ids["ic"])
    alerts.raise_alert(
        db,
        people.get(db, nadia["id"]),
        {
            "kind": "concern",
            "client_id": str(uuid.uuid4()),
            "scene_id": kiss["id"],
            "text": "SECRET-CONCERN about the pier",
        },
    )
    text = uss_export.dumps(uss_export.build(db, pid))
    for secret in ("SECRET-BEAT", "SECRET-CONCERN", "2027-02-27", "rider", "blocking"):
        assert secret not in text


def test_export_from_the_api_and_the_command_line(login, db):
    pid = productions.first(db)["id"]
    response = login("Priya Shah").get("/api/schedule.uss")
    assert response.status_code == 200
    assert 'filename="schedule.uss"' in response.headers["Content-Disposition"]
    root = json.loads(response.data)["universalScheduleStandard"]
    assert root["version"] == "1.0.0"
    assert {b["scene"] for b in root["breakdowns"] if b["type"] == "scene"} == {
        s["number"] for s in scenes.of_production(db, pid)
    }
    assert login("Alex Rivera").get("/api/schedule.uss").status_code == 403
    assert (
        login("Maya Okafor")
        .post("/api/schedule/import", headers={"X-CSRF-Token": csrf(login("Maya Okafor"))})
        .status_code
        == 403
    )


def test_export_schedule_writes_a_file_that_imports_back(imported):
    out = imported.path / "out.uss"
    db_path = str(imported.path / "show.db")
    done = run("export-schedule", "--db", db_path, "--format", "uss", "--out", str(out))
    assert done.returncode == 0, done.stderr
    root = json.loads(out.read_text())["universalScheduleStandard"]
    assert [b["scene"] for b in root["breakdowns"] if b["type"] == "scene"] == [
        "40",
        "32",
        "41",
        "12",
    ]
    again = run("import-schedule", str(out), "--db", db_path, "--dry-run")
    assert again.returncode == 0, again.stderr
    assert "+ scene" not in again.stdout and "dry run: nothing was changed" in again.stdout
    assert ROOT.is_dir()


def test_on_the_page_a_mark_that_changes_a_scheduled_scene_is_shown_before_it_is_applied(login, db):
    """The import page carries the file between preview and apply; a mark that changes a
    scene already in the schedule is not written blind: the new preview shows it first."""
    pid = productions.first(db)["id"]
    db["productions"].update(pid, {"ends_on": "2027-12-31"})
    ad = login("Priya Shah")
    token = csrf(ad)
    text = uss.dumps(uss.small()).decode()
    first = ad.post("/producer/import", data={"csrf_token": token, "csv": text})
    assert first.status_code == 200 and "Mark intimacy before anything is written" in first.text
    expect = first.text.split('name="expect" value="')[1].split('"')[0]
    applied = ad.post(
        "/producer/import",
        data={
            "csrf_token": token,
            "csv": text,
            "step": "apply",
            "expect": expect,
            "intimacy:b-40": "simulated_sex",
            "stripboard": "sb-shoot",
        },
    )
    assert "Imported." in applied.text
    bed = next(s for s in scenes.of_production(db, pid) if s["number"] == "40")
    assert bed["intimacy"] == "simulated_sex"

    again = ad.post("/producer/import", data={"csrf_token": token, "csv": text})
    expect = again.text.split('name="expect" value="')[1].split('"')[0]
    changed = ad.post(
        "/producer/import",
        data={
            "csrf_token": token,
            "csv": text,
            "step": "apply",
            "expect": expect,
            "intimacy:b-40": "full_nudity",
            "stripboard": "sb-shoot",
        },
    )
    assert "The schedule or your marks change what this import does" in changed.text
    assert "Scene 40 changes:" in changed.text and "Full nudity" in changed.text
    bed = next(s for s in scenes.of_production(db, pid) if s["number"] == "40")
    assert bed["intimacy"] == "simulated_sex", "nothing written before the new preview"

    revised = ad.post(
        "/producer/import",
        data={"csrf_token": token, "csv": uss.dumps(uss.revised()).decode()},
    )
    assert "Scene 40 changes:" in revised.text
    assert "Scene number: 40 → 40A" in revised.text
    assert "Scene 32 moves from 2027-03-08 to 2027-03-09" in revised.text


def test_a_deleted_scene_gives_up_its_uss_id(imported):
    db, pid = imported.db, imported.pid
    done = uss_import.import_uss(db, pid, uss.dumps(uss.revised()), remove_missing=True)
    assert done["removed"] == 1  # scene 12, without records: deleted
    kept = uss_ids.local_ids(db, pid, "scene")
    assert "b-12" not in kept and set(kept.values()) <= {
        s["id"] for s in scenes.of_production(db, pid)
    }
