"""Takes, "good to go" and closure: before each take every performer in the scene says
they are good to go, on their phone (silence is not a yes); after the scene is wrapped,
the performers and the IC are prompted for closure.

The only code with SQL on `scene_takes`, `scene_good_to_go`, `scene_wraps` and
`scene_closures`. Every change is audited with ids and codes only.
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit
from ictool.db import now, transaction

CLOSURE_STATUSES = ("ok", "talk")


def current_take(db: Database, scene_id: int) -> int:
    """The take being prepared: the last one the 1st AD or IC called, else take 1."""
    row = db.execute("SELECT MAX(number) FROM scene_takes WHERE scene_id = ?", [scene_id])
    return row.fetchone()[0] or 1


def call_next_take(db: Database, scene: dict, by: int) -> int:
    """Move on to the next take: every performer must say "good to go" again."""
    with transaction(db):
        number = current_take(db, scene["id"]) + 1
        db["scene_takes"].insert(
            {"scene_id": scene["id"], "number": number, "called_by": by, "called_at": now()}
        )
        audit.record_for_scene(db, "take.called", scene, by, take=number)
    return number


def answers(db: Database, scene_id: int, take: int) -> dict[int, bool]:
    """Each performer's answer for a take: True "good to go", False "not yet"."""
    rows = db.execute(
        "SELECT person_id, ok FROM scene_good_to_go WHERE scene_id = ? AND take = ?",
        [scene_id, take],
    )
    return {r[0]: bool(r[1]) for r in rows}


def good_to_go(db: Database, scene: dict, person: dict, take: object, ok: object) -> dict:
    """A performer's answer for the current take; a stale take number is refused."""
    if type(take) is not int:
        raise ValueError(_("%(key)s must be the take number shown on your screen", key="take"))
    if not isinstance(ok, bool):
        raise ValueError(_("%(key)s must be true (good to go) or false (not yet)", key="ok"))
    with transaction(db):
        current = current_take(db, scene["id"])
        if take != current:
            raise ValueError(
                _(
                    "Take %(current)s is being prepared now, not take %(take)s.",
                    current=current,
                    take=take,
                )
            )
        db.execute(
            """INSERT INTO scene_good_to_go (scene_id, take, person_id, ok, at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (scene_id, take, person_id)
               DO UPDATE SET ok = excluded.ok, at = excluded.at""",
            [scene["id"], take, person["id"], int(ok), now()],
        )
        audit.record_for_scene(db, "take.good_to_go", scene, person["id"], take=take, ok=ok)
    return {"scene_id": scene["id"], "take": take, "person_id": person["id"], "ok": ok}


def started(db: Database, scene_id: int) -> bool:
    """Has shooting begun: a take called or a performer's good-to-go given?"""
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM scene_takes WHERE scene_id = :s)"
        " OR EXISTS (SELECT 1 FROM scene_good_to_go WHERE scene_id = :s)",
        {"s": scene_id},
    )
    return bool(row.fetchone()[0])


def wrapped(db: Database, scene_id: int) -> dict | None:
    """When and by whom the scene was wrapped, or None."""
    rows = list(db["scene_wraps"].rows_where("scene_id = ?", [scene_id]))
    return rows[0] if rows else None


def wrap(db: Database, scene: dict, by: int) -> tuple[dict, bool]:
    """Wrap the scene (which prompts closure); return the wrap and whether it is new."""
    with transaction(db):
        found = wrapped(db, scene["id"])
        if found is None:
            db["scene_wraps"].insert(
                {"scene_id": scene["id"], "wrapped_by": by, "wrapped_at": now()}
            )
            audit.record_for_scene(db, "scene.wrapped", scene, by)
    return wrapped(db, scene["id"]), found is None


def closures(db: Database, scene_id: int) -> dict[int, dict]:
    """Closure answers so far, by person id."""
    return {r["person_id"]: r for r in db["scene_closures"].rows_where("scene_id = ?", [scene_id])}


def answer_closure(db: Database, scene: dict, person: dict, status: object) -> dict:
    """A performer's or the IC's closure after the scene: "ok", or "talk" to the IC."""
    if status not in CLOSURE_STATUSES:
        raise ValueError(_("%(key)s must be 'ok' or 'talk'", key="status"))
    with transaction(db):
        if wrapped(db, scene["id"]) is None:
            raise ValueError(_("The scene is not wrapped yet: closure comes after the scene."))
        db.execute(
            """INSERT INTO scene_closures (scene_id, person_id, status, at) VALUES (?, ?, ?, ?)
               ON CONFLICT (scene_id, person_id) DO UPDATE SET status = excluded.status,
               at = excluded.at""",
            [scene["id"], person["id"], status, now()],
        )
        audit.record_for_scene(db, "scene.closure", scene, person["id"], status=status)
    return {"scene_id": scene["id"], "person_id": person["id"], "status": status}
