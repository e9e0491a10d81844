"""The audit log is hash-chained: `ictool audit verify` names the first entry where a
tampered database breaks the chain."""

import sqlite3
import subprocess
import sys

import pytest

from ictool import audit, productions
from ictool.db import connect, transaction

ICTOOL = [sys.executable, "-m", "ictool"]


def verify(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ICTOOL, "audit", "verify", "--db", str(path)], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def logged(app):
    """The demo database with a few more entries: (path, ids of all entries)."""
    path = app.config["DB"]
    db = connect(path)
    pid = productions.first(db)["id"]
    for n in range(5):
        audit.record(db, "test.step", production_id=pid, subject=f"scene:{n}", n=n)
    ids = [r["id"] for r in db["audit"].rows_where(order_by="id")]
    db.close()
    return path, ids


def _raw(path) -> sqlite3.Connection:
    """The file opened the way an attacker would: no app, the append-only triggers dropped."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_append_only_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_append_only_delete")
    return conn


def test_an_untouched_log_verifies(logged):
    path, ids = logged
    result = verify(path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"audit chain intact: {len(ids)} entries"


def test_the_log_refuses_updates_through_the_app(logged):
    path, ids = logged
    db = connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET action = 'x' WHERE id = ?", [ids[0]])
    db.close()


def test_a_changed_entry_is_named(logged):
    path, ids = logged
    target = ids[3]
    with _raw(path) as conn:
        conn.execute("UPDATE audit SET detail = '{\"n\":99}' WHERE id = ?", [target])
    result = verify(path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"ictool: error: audit chain broken at entry #{target}: "
        "its content does not match its hash (it was changed)"
    )
    assert "Traceback" not in result.stderr


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(logged):
    path, ids = logged
    with _raw(path) as conn:
        conn.execute("DELETE FROM audit WHERE id = ?", [ids[2]])
    result = verify(path)
    assert result.returncode == 1
    assert f"broken at entry #{ids[3]}: does not follow the entry before it" in result.stderr


def test_rehashing_a_changed_entry_still_shows_at_the_next_one(logged):
    path, ids = logged
    db = connect(path)
    row = db["audit"].get(ids[1])
    db.close()
    forged = dict(row, actor_id=999)
    forged_hash = audit._digest(row["prev_hash"], forged)
    with _raw(path) as conn:
        conn.execute(
            "UPDATE audit SET actor_id = 999, hash = ? WHERE id = ?", [forged_hash, ids[1]]
        )
    assert audit.verify(connect(path)) == audit.Break(
        ids[2], "does not follow the entry before it (one was removed?)"
    )


def test_an_entry_in_a_rolled_back_transaction_leaves_no_gap(logged):
    path, _ids = logged
    db = connect(path)
    with pytest.raises(RuntimeError), transaction(db):
        audit.record(db, "test.rolled_back")
        raise RuntimeError("the write it belonged to failed")
    audit.record(db, "test.after")
    assert audit.verify(db) is None
    db.close()


def test_verify_on_a_missing_database_is_one_line(tmp_path):
    result = verify(tmp_path / "nope.db")
    assert result.returncode == 1
    assert result.stderr.strip() == f"ictool: error: no database at {tmp_path / 'nope.db'}"
