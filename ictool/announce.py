"""The one way out: every live event leaves from here, Socket.IO through `realtime` and web
push through `push`, and only after the write it tells of has committed (called inside an
open transaction, each refuses with RuntimeError). No other domain module imports
`realtime` or `push` (a test keeps it so).

A write audited against a scene (`scene:<id>`, as every write that can change a scene's
clearance is) announces that scene's clearance by itself once its transaction commits, so
no view has to remember to; a rolled-back write announces nothing. The events and who
receives them are declared in `ictool.events`.
"""

from collections.abc import Iterable

from flask import current_app, has_app_context
from flask_babel import force_locale
from sqlite_utils import Database

from ictool import alerts, audit, clearance, closedset, events, people, push, scenes
from ictool.db import after_commit, get_db
from ictool.realtime import person_room, publish, role_room


def _committed(db: Database) -> None:
    if db.conn.in_transaction:
        raise RuntimeError("announce only after the transaction has committed")


def _roles(production_id: int, event: events.Event) -> list[str]:
    return [role_room(production_id, role) for role in event.roles]


def alert(
    alert_id: int, event: str = "new", *, alarm: bool | None = None, db: Database | None = None
) -> None:
    """Publish a committed alert to each recipient's own devices, each getting the view they
    may see; ring (alarm, web push) on a new alert and on escalation. Needs an app context."""
    db = db or get_db()
    _committed(db)
    found = alerts.get(db, alert_id)
    if found is None:
        return
    ring = (event == "new" and not alerts.flooding(db, found)) if alarm is None else alarm
    published = events.ALERT_NEW if event == "new" else events.ALERT_UPDATE
    ringing: list[tuple[dict, dict]] = []
    for person in alerts.recipients(db, found):
        view = alerts.view_for(db, found, person)
        if view is None:
            continue
        rings = ring and not view["mine"]
        publish(published, dict(view, alarm=rings), to=person_room(person["id"]))
        if rings:
            ringing.append((person, view))
    subscribed = push.subscribed(db, [person["id"] for person, _view in ringing])
    pushes = [
        (person["id"], alerts.push_payload(view, person["language"]))
        for person, view in ringing
        if person["id"] in subscribed  # the words are made only for a phone that has push
    ]
    push.send_later(current_app, pushes)


def scene_clearance(db: Database, scene_id: int) -> dict | None:
    """`scene:clearance` to the IC, ADs and director, and to each performer in the scene in
    their own language and privacy; return the full answer (None for a scene gone)."""
    _committed(db)
    scene = scenes.get(db, scene_id)
    if scene is None:
        return None
    with force_locale("en"):
        full = clearance.clearance(db, scene_id)
    publish(events.SCENE_CLEARANCE, full, to=_roles(scene["production_id"], events.SCENE_CLEARANCE))
    for person_id in scenes.performer_ids(db, scene_id):
        person = people.get(db, person_id)
        if person is None:
            continue
        with force_locale(person["language"] or "en"):
            mine = clearance.clearance(db, scene_id, person)
        publish(events.SCENE_CLEARANCE, mine, to=person_room(person_id))
    return full


def _clearance_once_committed(db: Database, scene_id: int) -> None:
    if has_app_context():  # a script writing with no app (the demo seed) has nobody to tell
        after_commit(db, ("scene:clearance", scene_id), lambda: scene_clearance(db, scene_id))


audit.watch_scenes(_clearance_once_committed)


def off_roster(db: Database, scene: dict, person: dict) -> None:
    """Flag at once to the IC and the ADs that someone off the roster checked in."""
    _committed(db)
    data = {
        "scene_id": scene["id"],
        "scene_number": scene["number"],
        "person_id": person["id"],
        "name": person["name"],
    }
    publish(
        events.SCENE_OFF_ROSTER, data, to=_roles(scene["production_id"], events.SCENE_OFF_ROSTER)
    )


def roster(db: Database, scene: dict, changed: Iterable[dict]) -> None:
    """`scene:roster` to each person put on or taken off the roster, and the off-roster flag
    for any of them checked in who is no longer on it."""
    _committed(db)
    off = {p["id"] for p in closedset.off_roster(db, scene["id"])}
    for person in changed:
        on = closedset.belongs(db, scene, person["id"])
        data = {"scene_id": scene["id"], "scene_number": scene["number"], "on_roster": on}
        publish(
            events.SCENE_ROSTER, dict(data, person_id=person["id"]), to=person_room(person["id"])
        )
        if person["id"] in off:
            off_roster(db, scene, person)


def closure(db: Database, scene: dict, answer: dict | None = None) -> None:
    """After a wrap, prompt the performers and the IC for closure; after an answer, tell
    the IC alone (an answer of "talk" asks the IC to come over)."""
    _committed(db)
    ic = _roles(scene["production_id"], events.SCENE_CLOSURE)
    if answer is None:
        data = {"scene_id": scene["id"], "scene_number": scene["number"]}
        rooms = [person_room(pid) for pid in scenes.performer_ids(db, scene["id"])]
        publish(events.SCENE_CLOSURE_PROMPT, data, to=[*rooms, *ic])
        return
    publish(events.SCENE_CLOSURE, dict(answer, scene_number=scene["number"]), to=ic)


def presence(person: dict, online: bool) -> None:
    """An AD came online or went offline (kept in memory: nothing to commit)."""
    data = {"person_id": person["id"], "role": person["role"], "online": online}
    publish(
        events.PRESENCE_UPDATE, data, to=_roles(person["production_id"], events.PRESENCE_UPDATE)
    )


def briefing_acknowledged(person: dict, ack: dict) -> None:
    """Tell the producers' screens that someone acknowledged the crew briefing."""
    data = {"person_id": person["id"], "acknowledged_at": ack["acknowledged_at"]}
    publish(
        events.BRIEFING_ACKNOWLEDGED,
        data,
        to=_roles(person["production_id"], events.BRIEFING_ACKNOWLEDGED),
    )


def schedule_changed(
    db: Database,
    production_id: int,
    scene_ids: Iterable[int] = (),
    performers: Iterable[int] = (),
) -> None:
    """Tell the open schedule screens (and the performers of the scenes touched) to re-read,
    then re-announce each touched scene's clearance (its day, call or content changed)."""
    _committed(db)
    scene_ids = sorted(set(scene_ids))
    people_told = set(performers)
    touched = set(scene_ids)
    rows = db.execute(
        """SELECT scenes.id, person_id, intimacy, closed_set FROM scenes
           LEFT JOIN scene_performers ON scene_id = scenes.id WHERE production_id = ?""",
        [production_id],
    ).fetchall()  # one query, not one per scene: an import touches thousands
    people_told.update(person for scene, person, *_ in rows if scene in touched and person)
    to_clear = {scene for scene, _p, intimacy, closed in rows if intimacy != "none" or closed}
    rooms = _roles(production_id, events.SCHEDULE_CHANGED)
    rooms += [person_room(p) for p in sorted(people_told)]
    data = {"production_id": production_id, "scene_ids": scene_ids}
    publish(events.SCHEDULE_CHANGED, data, to=rooms)
    for scene_id in scene_ids:  # a scene with nothing to clear shows no clearance panel
        if scene_id in to_clear:
            scene_clearance(db, scene_id)
