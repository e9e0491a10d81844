"""Who may do what: permissions as data, checked on the server by one helper.

A capability in `ROLE_CAPABILITIES` applies to the whole production. A performer's
scene-scoped capabilities end in `:own` and hold only for scenes they are in.
Templates may hide things, but the server is what refuses them.
"""

from flask import abort
from sqlite_utils import Database

from ictool import people, scenes

ALERTING_ROLES = ("coordinator", "first_ad", "second_ad", "director", "producer")

_DAY = {"day.view", "scene.view", "roster.view"}
_ALERTS = {"alert.raise", "alert.view", "push.subscribe"}  # alert.view: crew never hold it
_HANDLE = {"alert.receive", "alert.handle", "presence.view"}

ROLE_CAPABILITIES: dict[str, set[str]] = {
    "coordinator": _DAY
    | _ALERTS
    | _HANDLE
    | {
        "blocking.read",
        "blocking.edit",
        "riders.view",
        "people.view",
        "people.links",
        "schedule.view",
        "concern.read",
        "ic.dashboard",
        "replica.view",
    },
    "first_ad": _DAY | _ALERTS | _HANDLE | {"people.view", "schedule.view", "ad.board"},
    "second_ad": _DAY | _ALERTS | _HANDLE | {"people.view", "schedule.view", "ad.board"},
    "director": _DAY | _ALERTS | {"blocking.read", "blocking.edit", "schedule.view", "ad.board"},
    "producer": _ALERTS
    | {"scene.view", "schedule.view", "riders.view", "people.view", "producer.schedule"},
    "performer": _ALERTS
    | {"scene.view:own", "blocking.read:own", "roster.view:own", "performer.home"},
    "crew": {"alert.raise", "push.subscribe", "crew.call"},  # their own alert's status only
}

# Clearance (issue 4): consent to a blocking version, the closed set, takes and closure.
# Performers act only on scenes they are in (`:own`); only the 1st AD closes the set.
_CLEARANCE: dict[str, set[str]] = {
    "coordinator": {"clearance.view", "consent.view", "closedset.view", "checkin.self"}
    | {"checkin.others", "monitors.edit", "garments.edit", "garments.confirm"}
    | {"take.call", "scene.wrap", "closure.answer", "closure.read"},
    "first_ad": {"clearance.view", "consent.view", "closedset.view", "checkin.self"}
    | {"set.close", "monitors.edit", "take.call", "scene.wrap"},
    "second_ad": {"clearance.view", "consent.view", "closedset.view", "checkin.self"}
    | {"checkin.others", "monitors.edit"},
    "director": {"clearance.view", "consent.view", "closedset.view", "checkin.self"},
    "producer": {"clearance.view", "checkin.self"},
    "performer": {"clearance.view:own", "consent.give:own", "closedset.view:own", "checkin.self"}
    | {"goodtogo.give:own", "closure.answer:own"},
    "crew": {"checkin.self"},
}
for _role, _caps in _CLEARANCE.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps

# Records (issue 7): readiness, budget, briefing, schedule import, calendar, the IC report.
# Producers get the production's records, never blocking, boundaries or concern text.
# The IC imports a schedule too: its preview is where she marks each scene's intimacy and
# closed set before anything is written (and a production she founded needs no one else).
_RECORDS: dict[str, set[str]] = {
    "producer": {"readiness.view", "budget.view", "budget.edit", "consultation.log"}
    | {"briefing.status", "briefing.ack", "rehearsal.view", "rehearsal.edit", "callsheet.edit"}
    | {"schedule.import", "production.edit", "report.view", "record.witness"},
    "coordinator": {"readiness.view", "briefing.status", "briefing.ack", "rehearsal.view"}
    | {"rehearsal.edit", "rehearsal.presence", "calendar.export", "report.view"}
    | {"record.witness", "schedule.import"},
    "first_ad": {"briefing.ack", "rehearsal.view", "rehearsal.edit", "rehearsal.presence"}
    | {"callsheet.edit", "schedule.import", "report.view"},
    "second_ad": {"briefing.ack", "rehearsal.view", "rehearsal.edit", "rehearsal.presence"}
    | {"callsheet.edit", "schedule.import", "report.view"},
    "director": {"briefing.ack", "rehearsal.view"},
    "performer": {"calendar.export"},
    "crew": {"briefing.ack"},
}
for _role, _caps in _RECORDS.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps

# Schedule editing (issue 11): the producer and the ADs edit days and scenes (add, edit,
# move, reorder, delete) and import revised call sheets; the IC, who knows what a scene
# asks of its performers, sets a scene's intimacy level and closed set, nothing else.
_SCHEDULE: dict[str, set[str]] = {
    "producer": {"schedule.edit", "scene.intimacy"},
    "first_ad": {"schedule.edit", "scene.intimacy"},
    "second_ad": {"schedule.edit", "scene.intimacy"},
    "coordinator": {"scene.intimacy"},
}
for _role, _caps in _SCHEDULE.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps

# Rosters and riders (issue 11): the IC and the 1st AD edit a closed set's roster where it
# is used; the producer and the IC name the production's essential crew; the IC records
# riders. Performers see their own rider only (`riders.mine`), never a colleague's.
_ROSTER_RIDERS: dict[str, set[str]] = {
    "coordinator": {"roster.edit", "roster.essentials", "riders.edit"},
    "first_ad": {"roster.edit"},
    "producer": {"roster.essentials"},
    "performer": {"riders.mine:own"},
}
for _role, _caps in _ROSTER_RIDERS.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps

# Rider terms (issue 13): the terms are the IC's and that performer's to read, nobody
# else's. The director sees whether each blocking beat is within every rider (yes/no per
# beat); the ADs and the producer see each rider's status (signed, not, exceeded), never the
# terms. A performer reads, signs and withdraws from their own rider only; the IC records
# terms for every performer and a signature on paper for those without a phone.
_RIDER_TERMS: dict[str, set[str]] = {
    "coordinator": {"rider_terms.view", "rider_terms.edit", "rider_terms.sign_for"}
    | {"rider_beats.view", "riders.status", "riders.matrix"},
    "performer": {"rider_terms.mine:own", "rider_terms.sign:own"},
    "director": {"rider_beats.view", "riders.status"},
    "first_ad": {"riders.status"},
    "second_ad": {"riders.status"},
    "producer": {"riders.status"},
}
for _role, _caps in _RIDER_TERMS.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps

# Background performers (issue 13) hold what performers hold, for the scenes they are in:
# they are cast, sign (or have the IC record) their rider, consent, pause and withdraw.
ROLE_CAPABILITIES["background"] = set(ROLE_CAPABILITIES["performer"])

# Capabilities a crew member holds through their department, production-wide.
DEPARTMENT_CAPABILITIES: dict[str, set[str]] = {"costume": {"garments.edit", "garments.confirm"}}

# People (issue 11): whom each role may add, edit, deactivate, delete, merge and sign out
# (a lost phone). The producer manages everyone; the IC performers and crew; the ADs crew.
MANAGES: dict[str, tuple[str, ...]] = {
    "producer": (
        "coordinator",
        "first_ad",
        "second_ad",
        "director",
        "performer",
        "background",
        "crew",
        "producer",
    ),
    "coordinator": ("performer", "background", "crew"),
    "first_ad": ("crew", "background"),
    "second_ad": ("crew", "background"),
}
# A production set up by its IC has no producer at first, and nobody else to add the 1st
# AD who closes the set. Until it has an active producer, the IC manages people as the
# producer would (so she can add the producer, the ADs and the director on the people
# page); once there is one, she manages performers and crew again.
STAND_INS: dict[str, str] = {"coordinator": "producer"}

HOME_SCREENS = {
    "coordinator": "pages.ic",
    "first_ad": "pages.ad",
    "second_ad": "pages.ad",
    "director": "pages.ad",
    "producer": "pages.producer",
    "performer": "pages.performer",
    "background": "pages.performer",
    "crew": "pages.crew",
}


def allowed(db: Database, person: dict, capability: str, scene: dict | None = None) -> bool:
    """May this person do this (to this scene)?"""
    caps = ROLE_CAPABILITIES.get(person["role"], set())
    if person["role"] == "crew" and person.get("department") in DEPARTMENT_CAPABILITIES:
        caps = caps | DEPARTMENT_CAPABILITIES[person["department"]]
    if scene is not None and scene["production_id"] != person["production_id"]:
        return False
    if capability in caps:
        return True
    if scene is not None and f"{capability}:own" in caps:
        return person["id"] in scenes.performer_ids(db, scene["id"])
    return False


def require(db: Database, person: dict | None, capability: str, scene: dict | None = None):
    """Abort with 401 when nobody is signed in, 403 when this person may not."""
    if person is None:
        abort(401)
    if not allowed(db, person, capability, scene):
        abort(403)
    return person


def manageable_roles(db: Database, person: dict) -> tuple[str, ...]:
    """The roles of the people this person may manage (and give those roles to)."""
    stand_in = STAND_INS.get(person["role"])
    if stand_in and not people.in_production(db, person["production_id"], stand_in):
        return MANAGES[stand_in]
    return MANAGES.get(person["role"], ())


def may_manage(db: Database, person: dict, target: dict, new_role: str | None = None) -> bool:
    """May this person manage `target` (and, when given, make them `new_role`)? Never
    themselves: nobody deactivates, deletes, merges or re-roles their own account."""
    roles = manageable_roles(db, person)
    return (
        target["production_id"] == person["production_id"]
        and target["id"] != person["id"]
        and target["role"] in roles
        and (new_role is None or new_role in roles)
    )


def may_link(db: Database, person: dict, target: dict) -> bool:
    """May this person show a fresh join code for `target`, or revoke their links? The IC
    for anyone; a manager for whom they manage."""
    same = target["production_id"] == person["production_id"]
    return same and (allowed(db, person, "people.links") or may_manage(db, person, target))


def require_manage(
    db: Database, person: dict | None, target: dict, new_role: str | None = None
) -> dict:
    """Abort with 401 when nobody is signed in, 403 when this person may not manage
    `target` (or give them `new_role`)."""
    if person is None:
        abort(401)
    if not may_manage(db, person, target, new_role):
        abort(403)
    return person
