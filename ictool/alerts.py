"""Alerts: a pause, a private concern, or a consent withdrawal, and who may see what of it.

The only code with SQL on `alerts`, `alert_events` and `deliveries`. An alert is committed
(with its audit entries) before anyone is told; `announce` then publishes each recipient's
own view of it to that person's devices. Every change appends an `alert_events` row whose
`seq` only grows, so a device that missed something asks for everything after its last seq.
Alert text never leaves this module except inside a view for someone allowed to read it.
"""

import re
import uuid
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlite_utils import Database

from ictool import audit, people, scenes
from ictool.db import now, transaction
from ictool.permissions import ALERTING_ROLES, allowed

KINDS = ("pause", "concern", "withdrawal")
PUBLIC_KINDS = ("pause", "concern")  # withdrawal is raised by the consent code only
AUDIENCES = ("ic", "ic_and_ad")
STATES = ("open", "acknowledged", "resolved")
LISTED = ("open", "all")  # which alerts a list asks for
AD_ROLES = ("first_ad", "second_ad")
MAX_TEXT = 1000
MAX_LEVEL = 2
MASKED_LABEL = "Concern raised — IC attending"
LABELS = {"pause": "Pause", "concern": "Concern", "withdrawal": "Consent withdrawn"}
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
PRESET = re.compile(r"^[a-z0-9_-]{1,40}$")
_LEVEL_ROLES = {
    0: ("coordinator", "first_ad"),
    1: ("coordinator", "first_ad", "second_ad", "producer"),
    2: ALERTING_ROLES,
}


MAX_ID = 2**63 - 1  # SQLite's largest integer


def _an_id(value: object) -> bool:
    """A whole number SQLite can hold (bools are not ids)."""
    return type(value) is int and 0 <= value <= MAX_ID


class AlertError(Exception):
    """A refusal a phone can act on: an HTTP-like status and plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def roles_at(level: int) -> tuple[str, ...]:
    """The roles alerted at an escalation level (0: IC and 1st AD; 2: every alerting role)."""
    return _LEVEL_ROLES[max(0, min(MAX_LEVEL, level))]


def _clean(db: Database, sender: dict, payload: object, kinds: tuple[str, ...]) -> dict:
    """Check a raise payload; return the columns to store or raise AlertError(422)."""
    if not isinstance(payload, dict):
        raise AlertError(422, gettext("Send a JSON object describing the alert."))
    kind = payload.get("kind")
    if kind not in kinds:
        raise AlertError(
            422, gettext("%(key)s must be one of %(codes)s.", key="kind", codes=", ".join(kinds))
        )
    client_id = payload.get("client_id")
    if client_id is None and kind == "withdrawal":  # raised by the server, not a device
        client_id = f"server-{uuid.uuid4()}"
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise AlertError(
            422,
            gettext(
                "%(key)s must be the id the device made (8-100 letters/digits).", key="client_id"
            ),
        )
    scene_id = payload.get("scene_id")
    if scene_id is not None and not _an_id(scene_id):
        raise AlertError(
            422, gettext("%(key)s must be a scene's id (a whole number) or null.", key="scene_id")
        )
    scene = scenes.get(db, scene_id) if scene_id is not None else None
    if scene is None or scene["production_id"] != sender["production_id"]:
        scene_id = None  # a stale scene on the phone's screen must not stop a pause
    text = payload.get("text") or None
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        raise AlertError(
            422,
            gettext("%(key)s must be words of at most %(n)s characters.", key="text", n=MAX_TEXT),
        )
    if text is not None and kind == "pause":
        raise AlertError(422, gettext("A pause carries no text; raise a concern to say something."))
    preset = payload.get("preset") or None
    if preset is not None and (not isinstance(preset, str) or not PRESET.match(preset)):
        raise AlertError(
            422, gettext("%(key)s must be a short code such as 'need_a_break'.", key="preset")
        )
    audience = payload.get("audience") or ("ic" if kind == "concern" else "ic_and_ad")
    if audience not in AUDIENCES:
        raise AlertError(422, gettext("%(key)s must be 'ic' or 'ic_and_ad'.", key="audience"))
    anonymous = payload.get("anonymous", False)
    if not isinstance(anonymous, bool):
        raise AlertError(422, gettext("%(key)s must be true or false.", key="anonymous"))
    return {
        "production_id": sender["production_id"],
        "client_id": client_id,
        "kind": kind,
        "scene_id": scene_id,
        "text": (text or "").strip() or None,
        "preset": preset,
        "audience": audience,
        "anonymous": int(anonymous),
        "raised_by": sender["id"],
    }


def raise_alert(
    db: Database, sender: dict, payload: dict, *, kinds: tuple[str, ...] = KINDS
) -> tuple[dict, bool]:
    """Validate and durably save an alert (one transaction, audit included); return it and
    whether it is new. The same client_id again returns the first alert; another person's
    client_id is a 409. Call `announce` after this returns, never before."""
    row = _clean(db, sender, payload, kinds)
    with transaction(db, urgent=row["kind"] != "concern"):  # a pause goes first
        found = db.execute(
            "SELECT id, raised_by FROM alerts WHERE client_id = ?", [row["client_id"]]
        ).fetchone()
        if found is not None and found[1] != sender["id"]:
            raise AlertError(
                409,
                gettext("That %(key)s belongs to another alert; make a new one.", key="client_id"),
            )
        alert_id = found[0] if found else _open_same(db, row)
        created = alert_id is None
        if created:
            columns, marks = ", ".join(row), ", ".join("?" * len(row))  # our own column names
            insert = f"INSERT INTO alerts ({columns}, raised_at) VALUES ({marks}, ?)"  # noqa: S608
            alert_id = db.execute(insert, [*row.values(), now()]).lastrowid
            _event(db, alert_id, "new")
            actor = None if row["anonymous"] else sender["id"]  # the alerts row keeps who
            for step in ("alert.raised", "alert.committed"):
                _audit(db, step, alert_id, row["production_id"], actor, kind=row["kind"])
    return get(db, alert_id), created


def _open_same(db: Database, row: dict) -> int | None:
    """A pause is a state, not a stream: the sender's open pause, or their open concern
    with the same words and preset, is the alert they are raising again (a stuck button or
    a script cannot flood). Different concerns are all kept; a withdrawal is per scene."""
    if row["kind"] == "pause":
        same, args = "", []
    elif row["kind"] == "concern":
        same, args = " AND text IS ? AND preset IS ?", [row["text"], row["preset"]]
    else:
        return None
    found = db.execute(
        "SELECT id FROM alerts WHERE raised_by = ? AND kind = ? AND resolved_at IS NULL"  # noqa: S608
        f"{same} ORDER BY id LIMIT 1",
        [row["raised_by"], row["kind"], *args],
    ).fetchone()
    return found[0] if found else None


def _event(db: Database, alert_id: int, event: str) -> int:
    cursor = db.execute(
        "INSERT INTO alert_events (alert_id, event, at) VALUES (?, ?, ?)", [alert_id, event, now()]
    )
    return cursor.lastrowid


def _audit(db: Database, action: str, alert_id: int, production_id: int, actor, **detail) -> None:
    audit.record(
        db,
        action,
        actor_id=actor,
        production_id=production_id,
        subject=f"alert:{alert_id}",
        **detail,
    )


_SELECT = """SELECT alerts.*,
    (SELECT MAX(seq) FROM alert_events e WHERE e.alert_id = alerts.id) AS seq,
    (SELECT MIN(d.delivered_at) FROM deliveries d JOIN people p ON p.id = d.person_id
        WHERE d.alert_id = alerts.id AND p.role IN ('first_ad', 'second_ad')
        AND NOT (alerts.kind = 'concern' AND alerts.audience = 'ic')) AS delivered_to_ad,
    (SELECT MIN(d.delivered_at) FROM deliveries d JOIN people p ON p.id = d.person_id
        WHERE d.alert_id = alerts.id AND p.role = 'coordinator') AS delivered_to_ic,
    sender.name AS sender_name, acker.name AS acknowledged_by_name,
    acker.role AS acknowledged_by_role, resolver.name AS resolved_by_name,
    resolver.role AS resolved_by_role, scenes.number AS scene_number
  FROM alerts
  JOIN people sender ON sender.id = alerts.raised_by
  LEFT JOIN people acker ON acker.id = alerts.acknowledged_by
  LEFT JOIN people resolver ON resolver.id = alerts.resolved_by
  LEFT JOIN scenes ON scenes.id = alerts.scene_id"""


def get(db: Database, alert_id: int) -> dict | None:
    """One alert with what its views need (seq, names, deliveries), or None."""
    rows = list(db.query(f"{_SELECT} WHERE alerts.id = ?", [alert_id]))
    return rows[0] if rows else None


def is_recipient(alert: dict, viewer: dict) -> bool:
    """Is this person told about this alert: its sender, or a role alerted at its level?"""
    if viewer["production_id"] != alert["production_id"]:
        return False
    return viewer["id"] == alert["raised_by"] or viewer["role"] in roles_at(
        alert["escalation_level"]
    )


def state(alert: dict) -> str:
    """One of STATES: 'open', 'acknowledged' or 'resolved'."""
    if alert["resolved_at"]:
        return "resolved"
    return "acknowledged" if alert["acknowledged_at"] else "open"


def reads_in_full(alert: dict, viewer: dict) -> bool:
    """May this recipient read the alert itself (else they see only that a concern exists)?"""
    if viewer["id"] == alert["raised_by"] or viewer["role"] == "coordinator":
        return True
    if alert["kind"] != "concern":
        return True
    return alert["audience"] == "ic_and_ad" and viewer["role"] in AD_ROLES


def view_for(db: Database, alert: dict, viewer: dict) -> dict | None:
    """What this person may see of this alert (socket and HTTP alike), or None."""
    if "seq" not in alert:
        alert = get(db, alert["id"])
    if alert is None or not is_recipient(alert, viewer):
        return None
    mine = viewer["id"] == alert["raised_by"]
    view = {
        "seq": alert["seq"],
        "id": alert["id"],
        "client_id": alert["client_id"],
        "kind": alert["kind"],
        "label": LABELS[alert["kind"]],
        "restricted": False,
        "mine": mine,
        "scene": None,
        "raised_at": alert["raised_at"],
        "sender": None,
        "audience": alert["audience"],
        "anonymous": bool(alert["anonymous"]),
        "text": None,
        "preset": None,
        "state": state(alert),
        "delivered_to_ad": alert["delivered_to_ad"],
        "delivered_to_ic": alert["delivered_to_ic"],
        "acknowledged_by": alert["acknowledged_by_name"],
        "acknowledged_by_role": alert["acknowledged_by_role"],
        "acknowledged_at": alert["acknowledged_at"],
        "resolved_by": alert["resolved_by_name"],
        "resolved_by_role": alert["resolved_by_role"],
        "resolved_at": alert["resolved_at"],
        "resolution_note": None,
        "escalation_level": alert["escalation_level"],
    }
    if not reads_in_full(alert, viewer):
        return dict(view, restricted=True, label=MASKED_LABEL, audience="ic", anonymous=True)
    if alert["scene_id"] is not None:
        view["scene"] = {"id": alert["scene_id"], "number": alert["scene_number"]}
    if mine or viewer["role"] == "coordinator" or not alert["anonymous"]:
        view["sender"] = {"id": alert["raised_by"], "name": alert["sender_name"]}
    view.update(
        text=alert["text"], preset=alert["preset"], resolution_note=alert["resolution_note"]
    )
    return view


PAGE = 500  # alerts per page of a list or a replay; a page says when there are more


def _visible(
    db: Database, viewer: dict, where: str, args: list, order: str, limit: int
) -> tuple[list[dict], list[dict]]:
    """This production's alerts matching `where` in `order`, at most `limit` rows (plus one
    to tell whether there are more): the rows read, and the views of those this person may
    see. Callers page on the rows, never on the views, so nothing is skipped."""
    where = f"alerts.production_id = ? AND ({where})"
    args = [viewer["production_id"], *args]
    if viewer["role"] not in ALERTING_ROLES:  # performers and crew: their own alerts only
        where += " AND alerts.raised_by = ?"
        args.append(viewer["id"])
    sql = f"SELECT * FROM ({_SELECT} WHERE {where}) ORDER BY {order} LIMIT ?"  # noqa: S608
    rows = list(db.query(sql, [*args, limit + 1]))
    views = [v for v in (view_for(db, row, viewer) for row in rows[:limit]) if v is not None]
    return rows, views


def since(db: Database, viewer: dict, seq: int, limit: int = PAGE) -> tuple[list[dict], int, bool]:
    """Alerts this person may see that changed after `seq` (replay after reconnect), oldest
    change first, one page: the views, the seq to ask from next, and whether there are more
    (then ask again from that seq; nothing is cut)."""
    seq = min(max(seq, 0), MAX_ID)
    changed = "alerts.id IN (SELECT alert_id FROM alert_events WHERE seq > ?)"
    rows, views = _visible(db, viewer, changed, [seq], "seq", limit)
    more = len(rows) > limit
    return views, (rows[limit - 1]["seq"] if more else max([seq, *(r["seq"] for r in rows)])), more


def listed(
    db: Database, viewer: dict, state: str = "open", after: int = 0, limit: int = PAGE
) -> tuple[list[dict], int, bool]:
    """Alerts this person may see, open ones or all, oldest first, one page after alert id
    `after`: the views, the id to ask after next, and whether there are more."""
    where = "alerts.id > ?" + (" AND alerts.resolved_at IS NULL" if state == "open" else "")
    rows, views = _visible(db, viewer, where, [min(max(after, 0), MAX_ID)], "id", limit)
    more = len(rows) > limit
    return views, (rows[min(len(rows), limit) - 1]["id"] if rows else after), more


def open_alerts(db: Database, viewer: dict) -> list[dict]:
    """Every alert this person may see that is not resolved yet (all pages): the IC's and
    the ADs' "now" strip counts them."""
    out, after, more = [], 0, True
    while more:
        views, after, more = listed(db, viewer, "open", after)
        out += views
    return out


def _for_handler(db: Database, alert_id: object, person: dict) -> dict:
    """The alert if this person may act on it: 404 when they cannot see it, 403 when they
    see it but may not handle it (an IC-only concern is the IC's alone)."""
    alert = get(db, alert_id) if _an_id(alert_id) else None
    if alert is None or not is_recipient(alert, person):
        raise AlertError(404, gettext("No such alert."))
    if not allowed(db, person, "alert.handle") or not reads_in_full(alert, person):
        raise AlertError(403, gettext("The intimacy coordinator is attending to this one."))
    return alert


def acknowledge(db: Database, alert_id: int, person: dict) -> tuple[dict, bool]:
    """Mark an alert acknowledged (stops escalation); return it and whether it changed."""
    with transaction(db, urgent=True):
        alert = _for_handler(db, alert_id, person)
        if alert["acknowledged_at"] or alert["resolved_at"]:
            return alert, False
        db.execute(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
            [person["id"], now(), alert_id],
        )
        _event(db, alert_id, "update")
        _audit(db, "alert.acknowledged", alert_id, alert["production_id"], person["id"])
    return get(db, alert_id), True


def acknowledge_sender(db: Database, sender_id: object, person: dict) -> list[int]:
    """Acknowledge every open alert of one sender that this person may handle and whose
    sender they can see (one tap for a flood); return the ids that changed."""
    if not _an_id(sender_id):
        raise AlertError(422, gettext('Send {"sender_id": <the person\'s id>}.'))
    if not allowed(db, person, "alert.handle"):
        raise AlertError(403, gettext("This is not available to your role."))
    changed = []
    with transaction(db, urgent=True):
        rows = db.query(
            f"{_SELECT} WHERE alerts.raised_by = ? AND alerts.production_id = ?"  # noqa: S608
            " AND alerts.acknowledged_at IS NULL AND alerts.resolved_at IS NULL ORDER BY id",
            [sender_id, person["production_id"]],
        )
        at = now()
        for alert in list(rows):
            view = view_for(db, alert, person)
            if view is None or view["restricted"] or view["sender"] is None:
                continue  # not theirs to handle, or they cannot see who sent it
            db.execute(
                "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                [person["id"], at, alert["id"]],
            )
            _event(db, alert["id"], "update")
            _audit(db, "alert.acknowledged", alert["id"], alert["production_id"], person["id"])
            changed.append(alert["id"])
    return changed


def resolve(db: Database, alert_id: int, person: dict, note: str | None) -> tuple[dict, bool]:
    """Close an alert with an optional note (also acknowledging it); return it and whether
    it changed."""
    if note is not None and (not isinstance(note, str) or len(note) > MAX_TEXT):
        raise AlertError(
            422,
            gettext("%(key)s must be words of at most %(n)s characters.", key="note", n=MAX_TEXT),
        )
    with transaction(db, urgent=True):
        alert = _for_handler(db, alert_id, person)
        if alert["resolved_at"]:
            return alert, False
        at = now()
        db.execute(
            "UPDATE alerts SET resolved_by = ?, resolved_at = ?, resolution_note = ?,"
            " acknowledged_by = COALESCE(acknowledged_by, ?),"
            " acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?",
            [person["id"], at, (note or "").strip() or None, person["id"], at, alert_id],
        )
        _event(db, alert_id, "update")
        _audit(db, "alert.resolved", alert_id, alert["production_id"], person["id"])
    return get(db, alert_id), True


def mark_delivered(db: Database, alert_id: object, person: dict) -> tuple[dict, bool]:
    """Record that this person's device showed the alert (once per person); return the alert
    and whether the sender should hear of it (an AD's or the IC's first delivery)."""
    alert = get(db, alert_id) if _an_id(alert_id) else None
    if alert is None or not is_recipient(alert, person):
        raise AlertError(404, gettext("No such alert."))
    if person["id"] == alert["raised_by"]:
        return alert, False
    with transaction(db, urgent=True):
        cursor = db.execute(
            "INSERT INTO deliveries (alert_id, person_id, delivered_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [alert_id, person["id"], now()],
        )
        if cursor.rowcount == 0:
            return alert, False
        _audit(db, "alert.delivered", alert_id, alert["production_id"], person["id"])
        # the sender hears of a device that can read it: an AD's masked notice of an
        # IC-only concern is not "delivered to the AD" (delivered_to_ad leaves it out too)
        tells = person["role"] in (*AD_ROLES, "coordinator") and reads_in_full(alert, person)
        if tells:
            _event(db, alert_id, "update")
    return get(db, alert_id), tells


def latest_seq(db: Database) -> int:
    """The highest seq handed out so far (0 before the first alert)."""
    return db.execute("SELECT COALESCE(MAX(seq), 0) FROM alert_events").fetchone()[0]


ESCALATION_BATCH = 5  # escalations written in one transaction (one fsync, a short lock)


def escalate_due(
    db: Database, at: datetime, default_seconds: float = 15.0, limit: int = ESCALATION_BATCH
) -> list[int]:
    """Raise the level of unacknowledged alerts whose time has come, at most `limit` of them
    in one transaction (ask again for the rest), each once even with several processes: the
    update only wins where the level is still lower; return their ids, oldest first.

    One short transaction per batch, not one per alert and not one for hundreds: a burst of
    hundreds of alerts coming due at once used to hold the write lock, transaction after
    transaction, for most of a second while a new pause waited behind it."""
    # One alert per sender and kind escalates at a time (their oldest waiting one), so a
    # flood from one phone rings everyone once, not once per alert; when that one is
    # acknowledged the next escalates at once.
    rows = db.execute(  # read to the end before writing: a half-read query would keep
        # this connection on an old snapshot, and its BEGIN IMMEDIATE busy until it ends
        "SELECT alerts.id, alerts.production_id, raised_at, escalation_level,"
        " productions.escalation_seconds FROM alerts"
        " JOIN productions ON productions.id = alerts.production_id"
        " WHERE alerts.id IN (SELECT MIN(id) FROM alerts WHERE acknowledged_at IS NULL"
        " AND resolved_at IS NULL GROUP BY raised_by, kind) AND escalation_level < ?"
        " ORDER BY alerts.id",
        [MAX_LEVEL],
    ).fetchall()
    due_now = []
    for alert_id, production_id, raised_at, level, seconds in rows:
        step = seconds or default_seconds
        elapsed = (at - datetime.fromisoformat(raised_at)).total_seconds()
        due = min(MAX_LEVEL, int(elapsed // step)) if step > 0 else MAX_LEVEL
        if due > level:
            due_now.append((alert_id, production_id, due))
    due_now = due_now[:limit]
    if not due_now:
        return []
    escalated = []
    with transaction(db):
        for alert_id, production_id, due in due_now:
            cursor = db.execute(
                "UPDATE alerts SET escalation_level = ?, escalated_at = ? WHERE id = ?"
                " AND escalation_level < ? AND acknowledged_at IS NULL AND resolved_at IS NULL",
                [due, now(), alert_id, due],
            )
            if cursor.rowcount:
                _event(db, alert_id, "update")
                _audit(db, "alert.escalated", alert_id, production_id, None, level=due)
                escalated.append(alert_id)
    return escalated


def recipients(db: Database, alert: dict) -> list[dict]:
    """Everyone told about this alert now: the roles of its level, and its sender."""
    told = people.with_roles(db, alert["production_id"], roles_at(alert["escalation_level"]))
    if all(p["id"] != alert["raised_by"] for p in told):
        sender = people.get(db, alert["raised_by"])
        told += [sender] if sender else []
    return told


FLOOD_RINGS = 3  # a sender's open concerns that ring; later ones are listed quietly


def flooding(db: Database, alert: dict) -> bool:
    """Has this sender already FLOOD_RINGS open concerns before this one? Then it is shown
    in every list (grouped under the sender) but does not ring again. (A pause is one per
    person anyway; a consent withdrawal always rings.)"""
    if alert["kind"] != "concern":
        return False
    earlier = db.execute(
        "SELECT COUNT(*) FROM alerts WHERE raised_by = ? AND kind = ? AND resolved_at IS NULL"
        " AND id < ?",
        [alert["raised_by"], alert["kind"], alert["id"]],
    ).fetchone()[0]
    return earlier >= FLOOD_RINGS


def push_payload(view: dict, language: str | None = None) -> dict:
    """What a push notification says, in the recipient's language: never the concern's text
    (a third party carries it)."""
    with force_locale(language or "en"):
        if view["restricted"]:
            title, body = gettext("Concern"), gettext("Concern raised — IC attending")
        else:
            title = {
                "pause": gettext("PAUSE"),
                "concern": gettext("Concern"),
                "withdrawal": gettext("Consent withdrawn"),
            }[view["kind"]]
            scene = view["scene"]
            if scene and view["kind"] != "concern":
                title += " — " + gettext("Scene %(n)s", n=scene["number"])
            body = view["sender"]["name"] if view["sender"] else gettext("Name withheld")
    return {
        "type": "alert",
        "id": view["id"],
        "kind": view["kind"],
        "title": title,
        "body": body,
        "url": f"/?alert={view['id']}",
        "tag": f"alert-{view['id']}",
        "requireInteraction": True,  # an alarm stays up until someone taps it
    }


def views_about(db: Database, person: dict) -> list[dict]:
    """A person's part in alerts (GDPR export): the alerts they raised, as they see them, and
    for alerts they acknowledged, resolved or were shown only their own part, never someone
    else's words."""
    p = person["id"]
    out = []
    for row in db.execute(
        """SELECT id FROM alerts WHERE raised_by = :p OR acknowledged_by = :p OR resolved_by = :p
           UNION SELECT alert_id FROM deliveries WHERE person_id = :p ORDER BY 1""",
        {"p": p},
    ).fetchall():
        alert = get(db, row[0])
        if alert["raised_by"] == p:
            out.append(dict(view_for(db, alert, person) or {}, part="raised"))
            continue
        delivered = db.execute(
            "SELECT delivered_at FROM deliveries WHERE alert_id = ? AND person_id = ?",
            [alert["id"], p],
        ).fetchone()
        acked, resolved = alert["acknowledged_by"] == p, alert["resolved_by"] == p
        out.append(
            {
                "id": alert["id"],
                "kind": alert["kind"],
                "raised_at": alert["raised_at"],
                "part": "handled",
                "delivered_to_you_at": delivered[0] if delivered else None,
                "acknowledged_at": alert["acknowledged_at"] if acked else None,
                "resolved_at": alert["resolved_at"] if resolved else None,
                "your_resolution_note": alert["resolution_note"] if resolved else None,
            }
        )
    return out


def erase_texts_of(db: Database, person_id: int) -> int:
    """Remove the words a person wrote (alert text, resolution notes), keeping each alert's
    kind, scene and times as the anonymised record; returns how many alerts changed."""
    with transaction(db):
        changed = [
            r[0]
            for r in db.execute(
                """SELECT id FROM alerts WHERE (raised_by = :p AND text IS NOT NULL)
                   OR (resolved_by = :p AND resolution_note IS NOT NULL)""",
                {"p": person_id},
            )
        ]
        db.execute("UPDATE alerts SET text = NULL WHERE raised_by = ?", [person_id])
        db.execute("UPDATE alerts SET resolution_note = NULL WHERE resolved_by = ?", [person_id])
        for alert_id in changed:
            _event(db, alert_id, "update")
    return len(changed)


def for_day(db: Database, production_id: int, scene_ids: list[int], day: str) -> list[dict]:
    """Alerts about these scenes, or raised on `day` (YYYY-MM-DD, UTC) with no scene, oldest
    first, as full rows: pass each through `view_for` before showing it to anyone."""
    marks = ",".join("?" * len(scene_ids)) or "NULL"
    where = (
        f"alerts.production_id = ? AND (alerts.scene_id IN ({marks}) "
        "OR (alerts.scene_id IS NULL AND substr(alerts.raised_at, 1, 10) = ?))"
    )
    rows = db.query(f"{_SELECT} WHERE {where} ORDER BY alerts.id", [production_id, *scene_ids, day])  # noqa: S608
    return list(rows)
