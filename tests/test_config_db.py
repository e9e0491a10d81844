"""Configuration and storage: prefixed environment, a kept secret, one durable SQLite file."""

import sqlite3
import threading
import time

import pytest

from ictool import audit, create_app
from ictool.db import WriteQueue, connect


def test_settings_come_from_ictool_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("ICTOOL_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("ICTOOL_ESCALATION_SECONDS", "7")
    app = create_app(instance_path=str(tmp_path / "inst"))
    assert app.config["DB"] == str(tmp_path / "env.db")
    assert app.config["ESCALATION_SECONDS"] == 7
    assert (tmp_path / "env.db").exists()


def test_a_secret_is_generated_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ICTOOL_SECRET_KEY", raising=False)
    first = create_app({"DB": str(tmp_path / "a.db")}, instance_path=str(tmp_path / "inst"))
    again = create_app({"DB": str(tmp_path / "a.db")}, instance_path=str(tmp_path / "inst"))
    secret = tmp_path / "inst" / "secret_key"
    assert first.config["SECRET_KEY"] == again.config["SECRET_KEY"] == secret.read_text()
    assert len(first.config["SECRET_KEY"]) >= 64
    assert secret.stat().st_mode & 0o777 == 0o600


def test_a_well_known_secret_is_refused_outside_testing(tmp_path):
    with pytest.raises(RuntimeError, match="well-known"):
        create_app(
            {"DB": str(tmp_path / "a.db"), "SECRET_KEY": "dev"},
            instance_path=str(tmp_path / "inst"),
        )


def test_the_database_is_wal_durable_and_migrated_by_name(tmp_path):
    db = connect(str(tmp_path / "x.db"))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    names = [r["name"] for r in db["_sqlite_migrations"].rows]
    assert names[:2] == ["0001_core", "0002_push_subscriptions"]
    db.close()
    again = connect(str(tmp_path / "x.db"))  # applying twice changes nothing
    assert [r["name"] for r in again["_sqlite_migrations"].rows] == names


def test_the_audit_log_cannot_be_changed_in_place(db):
    audit.record(db, "test.entry", subject="x", code="abc")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET action = 'forged'")
    assert audit.verify(db) is None


def test_a_pause_waiting_for_the_write_lock_goes_ahead_of_ordinary_writers(tmp_path):
    """Writers queue for SQLite's one write lock in order, but an urgent one (a pause, an
    AD's answer) is let in first: a flood of concerns must not hold a pause back. The lock
    is handed on, so the writer that just let go cannot take it again ahead of them."""
    queue, order = WriteQueue(), []
    queue.acquire()

    def write(name: str, urgent: bool = False) -> None:
        with queue.held(urgent):
            order.append(name)

    def queued(n: int) -> None:
        deadline = time.monotonic() + 5
        while len(queue._waiting) < n and time.monotonic() < deadline:
            time.sleep(0.001)

    writers = []
    for n, (name, urgent) in enumerate(
        [("concern 1", False), ("concern 2", False), ("pause", True), ("concern 3", False)]
    ):
        writers.append(threading.Thread(target=write, args=(name, urgent)))
        writers[-1].start()
        queued(n + 1)
    queue.release()
    queue.acquire()  # the one that let go asks again: it waits its turn
    order.append("again")
    queue.release()
    for writer in writers:
        writer.join(5)
    assert order == ["pause", "concern 1", "concern 2", "concern 3", "again"]
