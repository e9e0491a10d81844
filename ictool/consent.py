"""Consent to a blocking version: the rider is a ceiling, so a performer agrees to the exact
version of the blocking they read; a new version makes earlier agreements stale until each
performer has seen what changed and agreed again. A withdrawal stands (and tells the IC and
the 1st AD at once, through the alert channel) until that performer confirms again.

The only code with SQL on `consent_events`, which is append-only: per performer, the latest
event wins.
"""

import uuid

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import alerts, audit, blocking, scenes
from ictool.db import now, transaction


class StaleVersion(ValueError):
    """The version a performer agreed to is no longer the current one (the phone was behind)."""


def _latest_events(db: Database, scene_id: int) -> dict[int, dict]:
    rows = db.query(
        """SELECT * FROM consent_events WHERE id IN (
               SELECT MAX(id) FROM consent_events WHERE scene_id = ? GROUP BY person_id)""",
        [scene_id],
    )
    return {r["person_id"]: r for r in rows}


def _last_confirmed_version(db: Database, scene_id: int, person_id: int) -> int | None:
    row = db.execute(
        """SELECT version FROM consent_events WHERE scene_id = ? AND person_id = ?
           AND action = 'confirmed' ORDER BY id DESC LIMIT 1""",
        [scene_id, person_id],
    ).fetchone()
    return row[0] if row else None


def _state(event: dict | None, current_version: int | None) -> str:
    if event and event["action"] == "withdrawn":
        return "withdrawn"
    if event and current_version is not None and event["version"] == current_version:
        return "confirmed"
    return "pending"


def states(db: Database, scene_id: int) -> list[dict]:
    """Each performer's consent to the current blocking: confirmed, pending or withdrawn."""
    current = blocking.current(db, scene_id)
    current_version = current["version"] if current else None
    latest = _latest_events(db, scene_id)
    out = []
    for p in scenes.performers(db, scene_id):
        event = latest.get(p["id"])
        out.append(
            {
                "person_id": p["id"],
                "name": p["name"],
                "state": _state(event, current_version),
                "confirmed_version": _last_confirmed_version(db, scene_id, p["id"]),
                "current_version": current_version,
                "at": event["at"] if event else None,
            }
        )
    return out


def state_for(db: Database, scene_id: int, person_id: int) -> dict:
    """One performer's consent, with what changed since the version they last agreed to."""
    current = blocking.current(db, scene_id)
    confirmed = _last_confirmed_version(db, scene_id, person_id)
    event = _latest_events(db, scene_id).get(person_id)
    state = _state(event, current["version"] if current else None)
    changes: list[dict] = []
    if current and state != "confirmed":
        old = blocking.version(db, scene_id, confirmed) if confirmed else None
        changes = blocking.diff(old["beats"] if old else [], current["beats"])
    return {
        "scene_id": scene_id,
        "person_id": person_id,
        "state": state,
        "current_version": current["version"] if current else None,
        "confirmed_version": confirmed,
        "must_confirm": current is not None and state != "confirmed",
        "changes": changes,
        "at": event["at"] if event else None,
    }


def confirm(db: Database, scene: dict, person: dict, version: object) -> dict:
    """Record that a performer agrees to `version` of the scene's blocking, the current one."""
    if type(version) is not int or version < 1:
        raise ValueError(_("%(key)s must be the blocking version number you read", key="version"))
    with transaction(db):
        current = blocking.current(db, scene["id"])
        if current is None:
            raise ValueError(_("There is no blocking for this scene yet: nothing to agree to."))
        if version != current["version"]:
            raise StaleVersion(
                _(
                    "The blocking changed: version %(version)s is current. "
                    "Read what changed, then confirm that version.",
                    version=current["version"],
                )
            )
        db["consent_events"].insert(
            {
                "scene_id": scene["id"],
                "person_id": person["id"],
                "action": "confirmed",
                "version": version,
                "at": now(),
            }
        )
        audit.record(
            db,
            "consent.confirmed",
            actor_id=person["id"],
            production_id=scene["production_id"],
            subject=f"scene:{scene['id']}",
            version=version,
        )
    return state_for(db, scene["id"], person["id"])


def withdraw(
    db: Database, scene: dict, person: dict, client_id: str | None = None
) -> tuple[dict, bool]:
    """Withdraw a performer's consent and raise a withdrawal alert to the IC and the 1st AD,
    in one transaction; return the alert and whether it is new (a retry with the same
    client_id changes nothing). The caller announces the alert after this returns."""
    payload = {
        "kind": "withdrawal",
        "scene_id": scene["id"],
        "audience": "ic_and_ad",
        "anonymous": False,
        "client_id": client_id or str(uuid.uuid4()),
    }
    with transaction(db):
        alert, created = alerts.raise_alert(db, sender=person, payload=payload)
        if created:
            current = blocking.current(db, scene["id"])
            db["consent_events"].insert(
                {
                    "scene_id": scene["id"],
                    "person_id": person["id"],
                    "action": "withdrawn",
                    "version": current["version"] if current else None,
                    "alert_id": alert["id"],
                    "client_id": payload["client_id"],
                    "at": now(),
                }
            )
            audit.record(
                db,
                "consent.withdrawn",
                actor_id=person["id"],
                production_id=scene["production_id"],
                subject=f"scene:{scene['id']}",
                alert_id=alert["id"],
            )
    return alert, created
