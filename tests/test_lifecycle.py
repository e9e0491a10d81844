"""Personal data over its life: export one person, erase them keeping the anonymised safety
record, and purge a production after its retention period."""

import json
import subprocess
import sys
from datetime import date, timedelta

from ictool import alerts, audit, briefing, lifecycle, people, production_settings, productions
from ictool import demo as demo_data
from ictool.db import connect

ICTOOL = [sys.executable, "-m", "ictool"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60)


def _concern(db, sender: dict, text: str, client_id: str) -> dict:
    payload = {"kind": "concern", "client_id": client_id, "text": text, "audience": "ic"}
    return alerts.raise_alert(db, sender, payload)[0]


def test_export_holds_everything_about_one_person_and_no_secrets(db, person, token):
    sam = person("Sam Lindqvist")
    token("Sam Lindqvist")
    _concern(db, sam, "The robe was taken too early.", "sam-concern-0001")
    _concern(db, person("Alex Rivera"), "Alex's own words.", "alex-concern-001")
    out = lifecycle.export_person(db, sam["id"])
    json.dumps(out)  # JSON-ready
    assert out["person"]["name"] == "Sam Lindqvist"
    held = out["held"]
    assert {r["scene_id"] for r in held["scene_performers"]} >= {1, 2, 3}
    assert all(t["token_hash"] == "(held, not shown: a secret)" for t in held["tokens"])
    assert [a["text"] for a in held["alerts"]] == ["The robe was taken too early."]
    assert any(e["action"] == "token.issued" for e in held["audit"])
    assert "Alex's own words." not in json.dumps(out)


def test_erasure_keeps_the_anonymised_record_and_the_chain(db, person, token, app):
    sam = person("Sam Lindqvist")
    raw = token("Sam Lindqvist")
    alert = _concern(db, sam, "Please stop the photos.", "sam-concern-0002")
    done = lifecycle.erase_person(db, sam["id"])
    assert done["tokens"] == 1 and done["alert_texts"] == 1
    row = db["people"].get(sam["id"])
    assert row["name"] == f"Erased person #{sam['id']}" and row["erased_at"]
    assert row["role"] == "performer" and row["language"] is None
    assert people.by_token(db, raw) is None, "the join link no longer signs in"
    assert app.test_client().get(f"/join/{raw}").status_code == 403
    kept = alerts.get(db, alert["id"])
    assert kept["text"] is None and kept["kind"] == "concern" and kept["raised_at"]
    riders = db.execute(
        "SELECT COUNT(*) FROM scene_performers WHERE person_id = ? AND rider_signed_on IS NOT NULL",
        [sam["id"]],
    ).fetchone()[0]
    assert riders == 3, "rider dates are the safety record: kept"
    assert audit.verify(db) is None
    assert audit.entries(db, subject=f"person:{sam['id']}")[-1]["action"] == "person.erased"
    assert "Sam Lindqvist" not in json.dumps(lifecycle.export_person(db, sam["id"]))
    assert "Please stop the photos." not in json.dumps(lifecycle.export_person(db, sam["id"]))


def test_export_and_erase_from_the_command_line(tmp_path):
    path = tmp_path / "set.db"
    assert run("demo", "--db", str(path)).returncode == 0
    out = tmp_path / "kenji.json"
    result = run("export", "--person", "9", "--db", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["person"]["name"] == "Kenji Mori"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    missing = run("export", "--person", "999", "--db", str(path))
    assert missing.returncode == 1
    assert missing.stderr.strip() == "ictool: error: no person with id 999 in this database"
    erased = run("erase", "--person", "9", "--db", str(path), "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "erased person #9: now 'Erased person #9'" in erased.stdout
    assert run("erase", "--person", "9", "--db", str(path)).returncode == 1  # no --yes, no tty
    assert run("audit", "verify", "--db", str(path)).returncode == 0


def _second_production(db, ends_on: str) -> int:
    """A finished production with people, scenes, an alert and an acknowledgement."""
    pid = demo_data.seed(db, today=date.fromisoformat(ends_on) - timedelta(days=30))
    db["productions"].update(pid, {"ends_on": ends_on, "title": "Old Film"})
    crew = people.in_production(db, pid, "crew")[0]
    briefing.acknowledge(db, crew, "de")
    performer = people.in_production(db, pid, "performer")[0]
    _concern(db, performer, "old words", f"old-concern-{pid:04d}")
    return pid


def test_purge_removes_a_production_past_retention_and_keeps_the_rest(db):
    current = productions.first(db)["id"]
    old = _second_production(db, (date.today() - timedelta(days=1200)).isoformat())
    recent = _second_production(db, (date.today() - timedelta(days=100)).isoformat())
    production_settings.update(db, recent, retention_days=30)
    counts = {t: db[t].count for t in ("people", "scenes", "alerts", "audit")}
    done = lifecycle.purge(db, retention_default=1095)
    assert [p["id"] for p in done] == [old, recent]
    removed = done[0]["removed"]
    assert removed["productions"] == 1 and removed["people"] == 13 and removed["scenes"] == 5
    assert removed["alerts"] == 1 and removed["briefing_acks"] == 1
    assert removed["blocking_versions"] == 3 and "audit" not in removed
    assert productions.get(db, old) is None and productions.get(db, current) is not None
    assert db["people"].count == counts["people"] - 26
    assert db["audit"].count == counts["audit"] + 2, "audit kept, one entry per purge added"
    assert audit.verify(db) is None
    assert lifecycle.purge(db, retention_default=1095) == []


def test_purge_from_the_command_line_says_what_it_removed(tmp_path):
    path = tmp_path / "set.db"
    assert run("demo", "--db", str(path)).returncode == 0
    kept = run("purge", "--db", str(path)).stdout.splitlines()
    ends = (date.today() + timedelta(days=30 + 1095)).isoformat()
    assert kept == [
        f"kept production #1 'Northern Lights — Episode 3' (purge from {ends})",
        "nothing to purge: no production is past its retention period",
    ]
    db = connect(str(path))
    db["productions"].update(1, {"ends_on": "2020-01-01"})
    db.close()
    dry = run("purge", "--db", str(path), "--dry-run")
    assert "would purge production #1" in dry.stdout
    result = run("purge", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("purged production #1 'Northern Lights — Episode 3'")
    assert "(ended 2020-01-01, kept 1095 days): removed " in result.stdout
    assert "people 13" in result.stdout and "the audit log is kept" in result.stdout
    assert run("audit", "verify", "--db", str(path)).returncode == 0


def test_the_ics_export_holds_their_part_in_alerts_not_the_performers_words(db, person):
    ic = person("Maya Okafor")
    alert = _concern(db, person("Sam Lindqvist"), "Private words for the IC.", "sam-concern-0003")
    alerts.acknowledge(db, alert["id"], ic)
    out = lifecycle.export_person(db, ic["id"])
    assert out["held"]["alerts"] == [
        {
            "id": alert["id"],
            "kind": "concern",
            "raised_at": alert["raised_at"],
            "part": "handled",
            "delivered_to_you_at": None,
            "acknowledged_at": alerts.get(db, alert["id"])["acknowledged_at"],
            "resolved_at": None,
            "your_resolution_note": None,
        }
    ]
    assert "Private words" not in json.dumps(out)
