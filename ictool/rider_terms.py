"""The terms of a nudity rider, per performer and scene: which nudity, which simulated acts,
which areas are not to be touched, whether a body double may be used, whether stills or
promotional use is allowed, and any other condition in the performer's words.

Terms are versioned like blocking: recording them (or amending them) adds the next version,
which is sent to the performer and needs their signature again. The signed version is the
ceiling every blocking beat is held against (`beat_codes.beats_over`), less any term the
performer has since withdrawn. A performer with no signed terms has agreed to nothing a
beat can ask.

The only code with SQL on `rider_versions`, `rider_signatures` and `rider_withdrawals`.
Audit entries carry ids, versions and action codes, never the terms.
"""

import json
import re
import uuid
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from ictool import alerts, audit, productions, scenes, takes
from ictool.db import now, transaction

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FUTURE_SLACK = timedelta(days=1)  # the server's day may be behind the set's time zone

NUDITY = ("back", "chest", "breasts", "buttocks", "pubic_area", "genitals")
ACTS = (
    "open_mouth_kiss",
    "caress_bare_skin",
    "simulated_intercourse",
    "simulated_oral_sex",
    "simulated_masturbation",
    "simulated_orgasm",
)
AREAS = (
    "face",
    "neck",
    "chest",
    "breasts",
    "waist",
    "buttocks",
    "thighs",
    "inner_thighs",
    "genital_area",
)
LISTS = {"nudity": NUDITY, "acts": ACTS, "no_touch": AREAS}
YES_NO = ("body_double", "stills")
FIELDS = (*LISTS, *YES_NO, "other", "sent_on")
MAX_OTHER = 1000
MAX_DEVICE = 200

LABELS = {
    "back": _l("Bare back"),
    "chest": _l("Chest"),
    "breasts": _l("Breasts"),
    "buttocks": _l("Buttocks"),
    "pubic_area": _l("Pubic area"),
    "genitals": _l("Genitals"),
    "open_mouth_kiss": _l("Open-mouth kiss"),
    "caress_bare_skin": _l("Caressing bare skin"),
    "simulated_intercourse": _l("Simulated intercourse"),
    "simulated_oral_sex": _l("Simulated oral sex"),
    "simulated_masturbation": _l("Simulated masturbation"),
    "simulated_orgasm": _l("Simulated orgasm"),
    "face": _l("Face"),
    "neck": _l("Neck"),
    "waist": _l("Waist"),
    "thighs": _l("Thighs"),
    "inner_thighs": _l("Inner thighs"),
    "genital_area": _l("Genital area (over a barrier)"),
    "body_double": _l("A body double may be used"),
    "stills": _l("Stills and promotional use"),
}
STATUS = ("not_sent", "sent", "signed", "late", "exceeded", "withdrawn")
STATUS_LABELS = {
    "not_sent": _l("not sent"),
    "sent": _l("sent"),
    "signed": _l("signed"),
    "late": _l("signed late"),
    "exceeded": _l("exceeded by the blocking"),
    "withdrawn": _l("withdrawn"),
}

STATUS_MARKS = {
    "not_sent": "○",
    "sent": "…",
    "signed": "✔",
    "late": "⚠",
    "exceeded": "✖",
    "withdrawn": "✖",
}


class StaleRider(ValueError):
    """A signature for a rider version that is no longer the current one."""


def label(code: str) -> str:
    """A term's plain words in the reader's language (`touch:face` reads as "Face")."""
    return str(LABELS.get(code.split(":", 1)[-1], code))


def words(term: str) -> str:
    """A term a performer may withdraw (or a change) in plain words: "Nudity: Breasts"."""
    kind, _sep, code = term.partition(":")
    if not code:
        return str(_l("Other conditions")) if term == "other" else label(term)
    heading = {"nudity": _l("Nudity"), "acts": _l("Simulated acts"), "touch": _l("Being touched")}
    return _("%(kind)s: %(term)s", kind=str(heading.get(kind, kind)), term=label(code))


# --- reading -------------------------------------------------------------------------------


def _row(row: dict) -> dict:
    out = dict(row)
    for key in LISTS:
        out[key] = json.loads(row[key])
    for key in YES_NO:
        out[key] = bool(row[key])
    return out


def versions(db: Database, scene_id: int, person_id: int) -> list[dict]:
    """Every version of one performer's rider for one scene, oldest first, with signatures."""
    signed = {
        r["version"]: r
        for r in db.query(
            "SELECT * FROM rider_signatures WHERE scene_id = ? AND person_id = ?",
            [scene_id, person_id],
        )
    }
    rows = db.query(
        "SELECT * FROM rider_versions WHERE scene_id = ? AND person_id = ? ORDER BY version",
        [scene_id, person_id],
    )
    return [dict(_row(r), signature=signed.get(r["version"])) for r in rows]


def latest_by_person(db: Database, scene_id: int) -> dict[int, dict]:
    """Each performer's current rider version (number, dates, signature or None, never the
    terms), by person id."""
    rows = db.query(
        """SELECT v.*, s.signed_at, s.signed_local, s.device, s.late, s.recorded_by AS signer
           FROM rider_versions v LEFT JOIN rider_signatures s ON s.rider_version_id = v.id
           WHERE v.scene_id = ? AND v.version = (SELECT MAX(version) FROM rider_versions
               WHERE scene_id = v.scene_id AND person_id = v.person_id)""",
        [scene_id],
    )
    out = {}
    for r in rows:
        sig = None
        if r["signed_at"]:
            sig = {k: r[k] for k in ("signed_at", "signed_local", "device", "late")}
            sig["recorded_by"] = r["signer"]
        skip = ("signed_at", "signed_local", "device", "late", "signer", *LISTS)
        out[r["person_id"]] = dict(
            {k: v for k, v in r.items() if k not in skip}, signature=sig
        )  # the terms themselves are not decoded here: the dates and signature are enough
    return out


def signed_versions(db: Database, scene_id: int) -> dict[int, dict]:
    """Each performer's latest signed version, by person id."""
    rows = db.query(
        """SELECT v.* FROM rider_versions v WHERE v.id IN (
               SELECT MAX(s.rider_version_id) FROM rider_signatures s
               WHERE s.scene_id = ? GROUP BY s.person_id)""",
        [scene_id],
    )
    return {r["person_id"]: _row(r) for r in rows}


def term_withdrawals(db: Database, scene_id: int) -> dict[int, list[dict]]:
    """Each performer's withdrawn terms of this scene, oldest first, by person id."""
    out: dict[int, list[dict]] = {}
    for r in db.query("SELECT * FROM rider_withdrawals WHERE scene_id = ? ORDER BY id", [scene_id]):
        out.setdefault(r["person_id"], []).append(r)
    return out


def _effective(signed: dict | None, withdrawn: list[dict]) -> dict | None:
    """The signed terms less the terms withdrawn since that version was signed."""
    if signed is None:
        return None
    gone = {w["term"] for w in withdrawn if w["version"] == signed["version"]}
    return {
        "nudity": [c for c in signed["nudity"] if f"nudity:{c}" not in gone],
        "acts": [c for c in signed["acts"] if f"acts:{c}" not in gone],
        "no_touch": sorted(
            set(signed["no_touch"]) | {t.split(":", 1)[1] for t in gone if t.startswith("touch:")}
        ),
        "body_double": signed["body_double"] and "body_double" not in gone,
        "stills": signed["stills"] and "stills" not in gone,
        "version": signed["version"],
    }


def effective(
    db: Database,
    scene_id: int,
    signed: dict[int, dict] | None = None,
    withdrawn: dict[int, list[dict]] | None = None,
) -> dict[int, dict | None]:
    """What each performer of the scene has agreed to now (None: no signed terms)."""
    signed = signed_versions(db, scene_id) if signed is None else signed
    withdrawn = term_withdrawals(db, scene_id) if withdrawn is None else withdrawn
    return {
        pid: _effective(signed.get(pid), withdrawn.get(pid, []))
        for pid in scenes.performer_ids(db, scene_id)
    }


def check_date(value: object, key: str) -> str | None:
    """A YYYY-MM-DD date that is not in the future, or None; ValueError names the field."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(_("%(key)s must be a date written YYYY-MM-DD", key=key))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("%(key)s must be a date written YYYY-MM-DD", key=key)) from None
    if day > date.today() + FUTURE_SLACK:
        raise ValueError(_("%(key)s cannot be a date in the future", key=key))
    return value


def _changes(old: dict | None, new: dict) -> list[dict]:
    """What a version adds or removes against the one signed before, term by term."""
    out = []
    for key in LISTS:
        before = set(old[key]) if old else set()
        after = set(new[key])
        prefix = "touch" if key == "no_touch" else key
        out += [{"term": f"{prefix}:{c}", "change": "added"} for c in sorted(after - before)]
        out += [{"term": f"{prefix}:{c}", "change": "removed"} for c in sorted(before - after)]
    for key in YES_NO:
        if (old[key] if old else False) != new[key]:
            out.append({"term": key, "change": "added" if new[key] else "removed"})
    if (old["other"] if old else None) != new["other"]:
        out.append({"term": "other", "change": "changed"})
    return out


def for_person(db: Database, scene: dict, person_id: int) -> dict:
    """One performer's rider as they (or the IC) read it: the current version's terms, what
    changed since the version they signed before, whether it waits for their signature, and
    the terms they withdrew since signing."""
    all_versions = versions(db, scene["id"], person_id)
    current = all_versions[-1] if all_versions else None
    signed = [v for v in all_versions if v["signature"]]
    last_signed = signed[-1] if signed else None
    withdrawn = [
        w["term"]
        for w in term_withdrawals(db, scene["id"]).get(person_id, [])
        if last_signed and w["version"] == last_signed["version"]
    ]
    terms = _effective(last_signed, []) if last_signed else None
    withdrawable = []
    if terms and not takes.wrapped(db, scene["id"]):
        withdrawable = [f"nudity:{c}" for c in terms["nudity"]]
        withdrawable += [f"acts:{c}" for c in terms["acts"]]
        withdrawable += [y for y in YES_NO if terms[y]]
        withdrawable += [f"touch:{c}" for c in AREAS if c not in terms["no_touch"]]
        withdrawable = [t for t in withdrawable if t not in withdrawn]
    previous = (
        last_signed if last_signed is not current else (signed[-2] if len(signed) > 1 else None)
    )
    return {
        "scene_id": scene["id"],
        "person_id": person_id,
        "current": current,
        "signed_version": last_signed["version"] if last_signed else None,
        "must_sign": current is not None and current["signature"] is None,
        "changes": _changes(previous, current) if current else [],
        "withdrawn": withdrawn,
        "withdrawable": withdrawable,
        "wrapped": takes.wrapped(db, scene["id"]) is not None,
        "history": [
            {"version": v["version"], "sent_on": v["sent_on"], "signature": v["signature"]}
            for v in all_versions
        ],
    }


# --- writing -------------------------------------------------------------------------------


def codes_of(value: object, key: str, allowed: tuple[str, ...]) -> list[str]:
    """A list of codes from a request, each one of `allowed`; ValueError names the field."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValueError(
            _("%(key)s must be a list of codes: %(codes)s", key=key, codes=", ".join(allowed))
        )
    for code in value:
        if code not in allowed:
            raise ValueError(
                _(
                    "%(key)s: unknown code %(value)s; one of %(codes)s",
                    key=key,
                    value=repr(code),
                    codes=", ".join(allowed),
                )
            )
    return [c for c in allowed if c in value]  # the fixed order, without repeats


def clean_terms(data: object, before: dict | None) -> dict:
    """Terms from a request; a field left out keeps the current version's value."""
    if not isinstance(data, dict):
        raise ValueError(_("Send a JSON object with Content-Type: application/json."))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(
            _(
                "unknown field %(key)s; send %(fields)s",
                key=repr(unknown[0]),
                fields=", ".join(FIELDS),
            )
        )
    out: dict = {}
    for key, allowed in LISTS.items():
        out[key] = codes_of(data[key], key, allowed) if key in data else (before or {}).get(key, [])
    for key in YES_NO:
        value = data.get(key, (before or {}).get(key, False))
        if not isinstance(value, bool):
            raise ValueError(_("%(key)s must be true or false.", key=key))
        out[key] = value
    other = data.get("other", (before or {}).get("other"))
    if other is not None and (not isinstance(other, str) or len(other) > MAX_OTHER):
        raise ValueError(
            _("%(key)s must be words of at most %(n)s characters.", key="other", n=MAX_OTHER)
        )
    out["other"] = (other or "").strip() or None
    sent_on = check_date(data["sent_on"], "sent_on") if data.get("sent_on") else None
    out["sent_on"] = sent_on or date.today().isoformat()
    return out


def performer_of(db: Database, scene: dict, person_id: object) -> int:
    if not scenes.needs_rider(scene):
        raise ValueError(_("This scene has no nudity or simulated sex: it needs no nudity rider."))
    if type(person_id) is not int or person_id not in scenes.performer_ids(db, scene["id"]):
        raise LookupError(_("%(key)s is not a performer in this scene", key="person_id"))
    return person_id


def record(
    db: Database, scene: dict, person_id: object, data: object, by: int
) -> tuple[dict, bool]:
    """Record a performer's terms (the first version, sent to them) or amend them (the next
    version, which needs their signature again); the same terms again change nothing.
    Returns the performer's rider and whether a version was added."""
    person_id = performer_of(db, scene, person_id)
    with transaction(db):
        before = versions(db, scene["id"], person_id)
        latest = before[-1] if before else None
        terms = clean_terms(data, latest)
        keys = (*LISTS, *YES_NO, "other")
        if (
            latest
            and all(terms[k] == latest[k] for k in keys)
            and ("sent_on" not in (data or {}) or terms["sent_on"] == latest["sent_on"])
        ):
            return for_person(db, scene, person_id), False
        version = (latest["version"] if latest else 0) + 1
        row = {k: json.dumps(terms[k]) if k in LISTS else terms[k] for k in keys}
        for key in YES_NO:
            row[key] = int(terms[key])
        db["rider_versions"].insert(
            dict(
                row,
                scene_id=scene["id"],
                person_id=person_id,
                version=version,
                sent_on=terms["sent_on"],
                recorded_by=by,
                recorded_at=now(),
            )
        )
        action = "rider.amended" if latest else "rider.sent"
        audit.record_for_scene(db, action, scene, by, person_id=person_id, version=version)
    return for_person(db, scene, person_id), True


def _late(db: Database, scene: dict, signed_local: str) -> bool:
    day = scenes.get_day(db, scene["shoot_day_id"]) if scene["shoot_day_id"] else None
    notice = productions.rider_notice_hours(productions.get(db, scene["production_id"]))
    return scenes.rider_status(signed_local, day, notice) == "late"


def sign(
    db: Database, scene: dict, person_id: object, version: object, by: dict, device: str | None
) -> tuple[dict, bool]:
    """Record the signature of the current version, with the time and the device (the
    performer's phone, or "paper" when the IC records it for them); late when inside the
    production's notice period. Signing again changes nothing. StaleRider: not current."""
    person_id = performer_of(db, scene, person_id)
    if type(version) is not int or version < 1:
        raise ValueError(_("%(key)s must be the rider version number you read", key="version"))
    with transaction(db):
        current = versions(db, scene["id"], person_id)
        if not current:
            raise ValueError(_("There are no rider terms for this performer yet: nothing to sign."))
        latest = current[-1]
        if version != latest["version"]:
            raise StaleRider(
                _(
                    "%(key)s %(version)s is not current: version %(current)s is. "
                    "Read what changed, then sign that version.",
                    key="version",
                    version=version,
                    current=latest["version"],
                )
            )
        if latest["signature"]:
            return for_person(db, scene, person_id), False
        signed_local = datetime.now().isoformat(timespec="seconds")
        late = _late(db, scene, signed_local)
        db["rider_signatures"].insert(
            {
                "rider_version_id": latest["id"],
                "scene_id": scene["id"],
                "person_id": person_id,
                "version": version,
                "signed_at": now(),
                "signed_local": signed_local,
                "device": (device or "")[:MAX_DEVICE] or None,
                "late": int(late),
                "recorded_by": by["id"],
            }
        )
        audit.record_for_scene(
            db, "rider.signed", scene, by["id"], person_id=person_id, version=version, late=late
        )
    return for_person(db, scene, person_id), True


def withdraw(
    db: Database, scene: dict, person: dict, term: object, client_id: object = None
) -> tuple[dict, bool]:
    """A performer withdraws consent to one term of their signed rider (until the scene is
    wrapped): saved with a withdrawal alert to the IC and the 1st AD in one transaction, as
    a consent withdrawal is. A retry with the same client_id changes nothing. Returns the
    alert and whether it is new; the caller announces it after this returns."""
    person_id = performer_of(db, scene, person["id"])
    if client_id is not None and not isinstance(client_id, str):
        raise ValueError(
            _("%(key)s must be the id the device made (8-100 letters/digits).", key="client_id")
        )
    client_id = client_id or str(uuid.uuid4())
    done = db.execute(
        "SELECT alert_id, person_id FROM rider_withdrawals WHERE client_id = ?", [client_id]
    ).fetchone()
    if done and done[1] == person_id:
        return alerts.get(db, done[0]), False
    if takes.wrapped(db, scene["id"]):
        raise ValueError(_("This scene is wrapped: there is nothing left to withdraw from."))
    allowed = for_person(db, scene, person_id)["withdrawable"]
    if not isinstance(term, str) or term not in allowed:
        raise ValueError(
            _(
                "%(key)s must be a term of your signed rider: %(codes)s",
                key="term",
                codes=", ".join(allowed) or "—",
            )
        )
    payload = {
        "kind": "withdrawal",
        "scene_id": scene["id"],
        "audience": "ic_and_ad",
        "anonymous": False,
        "client_id": client_id,
    }
    with transaction(db):
        alert, created = alerts.raise_alert(db, sender=person, payload=payload)
        if not created:  # a device reusing another alert's id must not withdraw silently
            raise ValueError(
                _("That %(key)s belongs to another alert; make a new one.", key="client_id")
            )
        signed = signed_versions(db, scene["id"])[person_id]
        db["rider_withdrawals"].insert(
            {
                "scene_id": scene["id"],
                "person_id": person_id,
                "version": signed["version"],
                "term": term,
                "alert_id": alert["id"],
                "client_id": client_id,
                "at": now(),
            }
        )
        audit.record_for_scene(
            db,
            "rider.withdrawn",
            scene,
            person_id,
            person_id=person_id,
            version=signed["version"],
            alert_id=alert["id"],
        )
    return alert, created


def seed(
    db: Database, scene_id: int, person_id: int, terms: dict, by: int, sent_on: str, signed: str
) -> None:
    """Add a signed version of a rider as it stood on those dates, unchecked and unaudited:
    for the demo. The IC's page and the API go through `record` and `sign`."""
    latest = versions(db, scene_id, person_id)
    version = (latest[-1]["version"] if latest else 0) + 1
    row = {k: json.dumps(terms.get(k, [])) for k in LISTS}
    row |= {k: int(terms.get(k, False)) for k in YES_NO}
    version_id = (
        db["rider_versions"]
        .insert(
            dict(
                row,
                scene_id=scene_id,
                person_id=person_id,
                version=version,
                other=terms.get("other"),
                sent_on=sent_on,
                recorded_by=by,
                recorded_at=f"{sent_on}T09:00:00.000+00:00",
            )
        )
        .last_pk
    )
    db["rider_signatures"].insert(
        {
            "rider_version_id": version_id,
            "scene_id": scene_id,
            "person_id": person_id,
            "version": version,
            "signed_at": f"{signed}T10:00:00.000+00:00",
            "signed_local": f"{signed}T10:00:00",
            "device": "demo",
            "late": 0,
            "recorded_by": person_id,
        }
    )


def erase_conditions_of(db: Database, person_id: int) -> int:
    """Remove the words of a person's riders (their other conditions), keeping the codes and
    dates as the record; returns how many versions changed."""
    return db.execute(
        "UPDATE rider_versions SET other = NULL WHERE person_id = ? AND other IS NOT NULL",
        [person_id],
    ).rowcount
