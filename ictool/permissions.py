"""Who may do what: permissions as data, checked on the server by one helper.

A capability in `ROLE_CAPABILITIES` applies to the whole production. A performer's
scene-scoped capabilities end in `:own` and hold only for scenes they are in.
Templates may hide things, but the server is what refuses them.
"""

from flask import abort
from sqlite_utils import Database

from ictool import scenes

ALERTING_ROLES = ("coordinator", "first_ad", "second_ad", "director", "producer")

_DAY = {"day.view", "scene.view", "roster.view"}
_ALERTS = {"alert.raise"}
_HANDLE = {"alert.receive", "alert.handle"}

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
    },
    "first_ad": _DAY | _ALERTS | _HANDLE | {"people.view", "schedule.view", "ad.board"},
    "second_ad": _DAY | _ALERTS | _HANDLE | {"people.view", "schedule.view", "ad.board"},
    "director": _DAY | _ALERTS | {"blocking.read", "blocking.edit", "schedule.view", "ad.board"},
    "producer": _ALERTS
    | {"scene.view", "schedule.view", "riders.view", "people.view", "producer.schedule"},
    "performer": _ALERTS
    | {"scene.view:own", "blocking.read:own", "roster.view:own", "performer.home"},
    "crew": _ALERTS | {"crew.call"},
}

HOME_SCREENS = {
    "coordinator": "pages.ic",
    "first_ad": "pages.ad",
    "second_ad": "pages.ad",
    "director": "pages.ad",
    "producer": "pages.producer",
    "performer": "pages.performer",
    "crew": "pages.crew",
}


def allowed(db: Database, person: dict, capability: str, scene: dict | None = None) -> bool:
    """May this person do this (to this scene)?"""
    caps = ROLE_CAPABILITIES.get(person["role"], set())
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
