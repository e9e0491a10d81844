"""Escalation: an unacknowledged alert reaches more people as time passes.

Driven by what the database holds (raised_at, escalation_level), so it survives a restart.
A lease row lets one process at a time run the loop; the guarded update in
`alerts.escalate_due` makes each level fire once even if two ever overlap.
"""

import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime

from flask import Flask
from sqlite_utils import Database

from ictool import alerts, announce, witness
from ictool.db import connect, transaction
from ictool.realtime import socketio

log = logging.getLogger(__name__)

LEASE = "escalation"
LEASE_SECONDS = 3.0
TICK_SECONDS = 0.25
BATCH_PAUSE = 0.02  # seconds between two batches of a burst (600 due at once: <= 1.8 s late)


def take_lease(db: Database, name: str, holder: str, seconds: float, at: float) -> bool:
    """Hold (or renew) the named lease until `at + seconds` unless someone else holds a live
    one; True when `holder` has it."""
    with transaction(db):
        db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
            [name, holder, at + seconds, at],
        )
        row = db.execute("SELECT holder FROM leases WHERE name = ?", [name]).fetchone()
    return row is not None and row[0] == holder


def release_lease(db: Database, name: str, holder: str) -> None:
    """Give the lease up so another process can take it at once."""
    with transaction(db):
        db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])


def tick(app: Flask, db: Database) -> list[int]:
    """Escalate what is due now and ring everyone at the new level; return the alert ids.

    Batch by batch, yielding after every announcement and pausing briefly between batches:
    a new pause raised meanwhile takes the write lock between two batches and reaches the
    1st AD behind at most one batch of escalations on their socket, not behind hundreds (a
    burst of 600 measured 615 ms behind; see `ictool bench --open-alerts`)."""
    default = float(app.config["ESCALATION_SECONDS"])
    escalated: list[int] = []
    while True:
        batch = alerts.escalate_due(db, datetime.now(UTC), default)
        for alert_id in batch:
            log.info("alert %s escalated", alert_id)
            announce.alert(alert_id, "update", alarm=True, db=db)
            socketio.sleep(0)
        escalated += batch
        if len(batch) < alerts.ESCALATION_BATCH:
            return escalated
        socketio.sleep(BATCH_PAUSE)


def run(app: Flask) -> None:
    """The loop: every tick, if this process holds the lease, escalate what is due."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    tick_seconds = float(app.config.get("ESCALATION_TICK") or TICK_SECONDS)
    with app.app_context():
        db = connect(app.config["DB"], migrate=False)
        renew_at, holding = 0.0, False
        while True:
            try:
                clock = time.time()
                if clock >= renew_at:
                    holding = take_lease(db, LEASE, holder, LEASE_SECONDS, clock)
                    renew_at = clock + LEASE_SECONDS / 3
                if holding:
                    tick(app, db)
                    witness.tick(app, db)  # sign the audit log's head, at least hourly
            except Exception as error:  # keep escalating whatever one tick hit
                log.error("escalation tick failed: %s", type(error).__name__, exc_info=error)
                if db.conn.in_transaction:
                    db.conn.rollback()
            socketio.sleep(tick_seconds)


def loop_enabled(app: Flask) -> bool:
    """On under `ictool serve` (gevent) unless ESCALATION_LOOP says otherwise; in-process
    test apps leave it off and call `alerts.escalate_due` directly."""
    flag = app.config.get("ESCALATION_LOOP")
    if flag is None:
        return os.environ.get("ICTOOL_GEVENT") == "1"
    return flag not in (False, 0, "0", "false", "no", "")


def init_app(app: Flask) -> None:
    """Start the escalation loop as a Socket.IO background task when enabled."""
    if loop_enabled(app):
        socketio.start_background_task(run, app)
