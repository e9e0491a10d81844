"""`ictool archive`: one file with a production's records, daily reports and the audit
chain's head, that `ictool audit verify` checks alone, on any machine, years later."""

import hashlib
import os
import sqlite3
import subprocess
import sys

from serverproc import ROOT

from ictool import audit, people, productions
from ictool.db import connect

ICTOOL = [sys.executable, "-m", "ictool"]


def run(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    env = (env or dict(os.environ)) | {"PYTHONPATH": str(ROOT)}  # the code under test
    return subprocess.run(
        [*ICTOOL, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env, check=False
    )


def test_an_archive_holds_one_production_and_verifies_alone_and_shows_tampering(tmp_path):
    live = tmp_path / "live.db"
    env = os.environ | {"ICTOOL_INSTANCE": str(tmp_path / "instance")}
    assert run("demo", "--db", str(live), cwd=tmp_path, env=env).returncode == 0
    db = connect(str(live))
    other = productions.create(db, "Another Show", "equity_uk")
    secret_name = "Someone Of Another Show"
    someone = people.add(db, other, secret_name, "performer")
    audit.record(db, "person.added", production_id=other, subject=f"person:{someone}")
    db.close()

    made = run("archive", "--production", "1", "--to", "wrap.ictool-archive", "--db", str(live),
               cwd=tmp_path, env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    archive = tmp_path / "wrap.ictool-archive"
    assert archive.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(archive)
    assert conn.execute("SELECT COUNT(*) FROM productions").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM people WHERE production_id != 1").fetchone()[0] == 0
    assert (
        conn.execute("SELECT COUNT(*) FROM audit WHERE production_id = ?", [other]).fetchone()[0]
        == 0
    )
    formats = {r[0] for r in conn.execute("SELECT format FROM archive_reports")}
    assert formats == {"json", "csv", "pdf"}
    conn.close()
    assert secret_name.encode() not in archive.read_bytes()

    # years later, on another machine: no instance folder, no live database, another folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a").write_bytes(archive.read_bytes())
    bare = {k: v for k, v in os.environ.items() if not k.startswith("ICTOOL_")}
    before = hashlib.sha256((elsewhere / "a").read_bytes()).hexdigest()
    checked = run("audit", "verify", "--archive", "a", cwd=elsewhere, env=bare)
    assert checked.returncode == 0, checked.stderr
    assert "audit chain intact" in checked.stdout and "6 report file(s) intact" in checked.stdout
    assert run("audit", "verify", "--db", "a", cwd=elsewhere, env=bare).returncode == 0
    assert hashlib.sha256((elsewhere / "a").read_bytes()).hexdigest() == before  # read-only

    # someone edits the archived record: the check names it
    conn = sqlite3.connect(elsewhere / "a")
    conn.execute("UPDATE audit SET actor_id = 999 WHERE id = (SELECT MIN(id) FROM audit)")
    conn.commit()
    conn.close()
    changed = run("audit", "verify", "--archive", "a", cwd=elsewhere, env=bare)
    assert changed.returncode == 1 and "was changed after it was written" in changed.stderr

    (elsewhere / "b").write_bytes(archive.read_bytes())
    conn = sqlite3.connect(elsewhere / "b")
    conn.execute("UPDATE archive_reports SET content = x'00' WHERE format = 'csv'")
    conn.commit()
    conn.close()
    report = run("audit", "verify", "--archive", "b", cwd=elsewhere, env=bare)
    assert report.returncode == 1 and "was changed after it was archived" in report.stderr

    again = run("archive", "--production", "1", "--to", str(archive), "--db", str(live),
                cwd=tmp_path, env=env)  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    nobody = run("archive", "--production", "77", "--to", "x", "--db", str(live),
                 cwd=tmp_path, env=env)  # fmt: skip
    assert nobody.returncode == 1 and "no production with id 77" in nobody.stderr
    assert not (tmp_path / "x").exists()
