"""The OpenAPI 3 description of `/api`, served at `/api/openapi.json`.

Add a route here when you add one to the API: a test fails for any `/api` route
that is missing. Every list of allowed values is the domain's own constant, never written
out here (a test keeps it so).
"""

from ictool import alerts, people, rider_terms, riders, scenes, standby, takes
from ictool.clearance import CODES
from ictool.i18n import LANGUAGES
from ictool.views.producer_api import FLAGS

ERROR = {"$ref": "#/components/schemas/Error"}
ANY_OBJECT = {"type": "object"}
ANY_LIST = {"type": "array", "items": {"type": "object"}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def op(
    summary: str,
    ok: dict | None = None,
    status: str = "200",
    body: dict | None = None,
    errors: tuple[str, ...] = ("401", "403"),
) -> dict:
    """One operation: its summary, its success response and the errors it can give."""
    responses = {status: {"description": "OK", **_json(ok or ANY_OBJECT)}}
    for code in errors:
        responses[code] = {"description": "Error", **_json(ERROR)}
    spec = {"summary": summary, "responses": responses}
    if body is not None:
        spec["requestBody"] = {"required": True, **_json(body)}
    return spec


def _also_200(spec: dict) -> dict:
    """An idempotent create: 201 the first time, 200 (same body) when it already was."""
    spec["responses"]["200"] = {**spec["responses"]["201"], "description": "Already done"}
    return spec


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


SCENE = {"parameters": [_id("scene_id")]}
_TEXT_OR_NULL = {"type": "string", "maxLength": 80, "nullable": True}
_PERSON_FIELDS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 80},
        "role": {"type": "string", "enum": list(people.ROLES)},
        "department": {"type": "string", "maxLength": 60, "nullable": True},
        "character_name": _TEXT_OR_NULL,
        "language": {"type": "string", "enum": list(LANGUAGES), "nullable": True},
    },
}
_R_PEOPLE = ("401", "403", "404")
PERSON = {"parameters": [_id("person_id")]}

PATHS: dict[str, dict] = {
    "/api/openapi.json": {"get": op("This document", errors=())},
    "/api/me": {"get": op("The signed-in person")},
    "/api/me/language": {
        "post": op(
            "Remember the signed-in person's language",
            body={
                "type": "object",
                "required": ["language"],
                "properties": {"language": {"type": "string", "enum": list(LANGUAGES)}},
            },
            errors=("400", "401", "403", "422"),
        )
    },
    "/api/home": {
        "get": op("The data of the signed-in person's home screen", errors=("400", "401"))
    },
    "/api/production": {"get": op("The production")},
    "/api/days": {"get": op("Shoot days", ANY_LIST)},
    "/api/scenes": {"get": op("Scenes this person may see", ANY_LIST)},
    "/api/scenes/{scene_id}": {
        **SCENE,
        "get": op("One scene, with what this person may see of it", errors=("401", "403", "404")),
    },
    "/api/scenes/{scene_id}/blocking": {
        **SCENE,
        "get": op("Every blocking version, newest first", ANY_LIST, errors=("401", "403", "404")),
        "post": op(
            "Save the next blocking version (IC, director)",
            status="201",
            body={
                "type": "object",
                "required": ["beats"],
                "properties": {
                    "beats": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": 60,
                    }
                },
            },
            errors=("400", "401", "403", "404", "422"),
        ),
    },
    "/api/people": {
        "get": op("People on the production", ANY_LIST),
        "post": op(
            "Add a person (the producer: anyone; the IC: performers and crew; ADs: crew)",
            status="201",
            body={**_PERSON_FIELDS, "required": ["name", "role"]},
            errors=("400", "401", "403", "422"),
        ),
    },
    "/api/people/{person_id}": {
        **PERSON,
        "get": op("One person (more for whoever manages them)", errors=("401", "403", "404")),
        "patch": op(
            "Change a person's name, role, department, character name or language",
            body=_PERSON_FIELDS,
            errors=("400", "401", "403", "404", "422"),
        ),
        "delete": op(
            "Delete a person added by mistake (never signed in, no records)",
            errors=("401", "403", "404", "409"),
        ),
    },
    "/api/people/{person_id}/deactivate": {
        **PERSON,
        "post": op("Deactivate: their links stop, their records stay", errors=_R_PEOPLE),
    },
    "/api/people/{person_id}/reactivate": {
        **PERSON,
        "post": op("Bring a deactivated person back", errors=_R_PEOPLE),
    },
    "/api/people/{person_id}/merge": {
        **PERSON,
        "post": op(
            "Merge this duplicate into another person of the same role (all or nothing)",
            body={
                "type": "object",
                "required": ["into"],
                "properties": {"into": {"type": "integer", "minimum": 1}},
            },
            errors=("400", "401", "403", "404", "409", "422"),
        ),
    },
    "/api/people/{person_id}/link": {
        **PERSON,
        "post": op(
            "A fresh join link and QR code (the IC, or whoever manages the person)",
            status="201",
            errors=("401", "403", "404", "409"),
        ),
    },
    "/api/people/{person_id}/revoke": {
        **PERSON,
        "post": op(
            "Revoke a person's join links (the IC, or whoever manages the person)",
            errors=("401", "403", "404"),
        ),
    },
}


# The alert channel (issue 3): see ictool/alerts.py for who sees what.
ALERT_VIEW = {
    "type": "object",
    "description": "One person's view of an alert; a restricted view hides text, preset,"
    " sender and scene.",
    "properties": {
        "seq": {"type": "integer"},
        "id": {"type": "integer"},
        "client_id": {"type": "string"},
        "kind": {"type": "string", "enum": list(alerts.KINDS)},
        "label": {"type": "string"},
        "restricted": {"type": "boolean"},
        "mine": {"type": "boolean"},
        "scene": {"type": "object", "nullable": True},
        "raised_at": {"type": "string"},
        "sender": {"type": "object", "nullable": True},
        "audience": {"type": "string", "enum": list(alerts.AUDIENCES)},
        "anonymous": {"type": "boolean"},
        "text": {"type": "string", "nullable": True},
        "preset": {"type": "string", "nullable": True},
        "state": {"type": "string", "enum": list(alerts.STATES)},
        "delivered_to_ad": {"type": "string", "nullable": True},
        "delivered_to_ic": {"type": "string", "nullable": True},
        "acknowledged_by": {"type": "string", "nullable": True},
        "acknowledged_by_role": {"type": "string", "nullable": True},
        "acknowledged_at": {"type": "string", "nullable": True},
        "resolved_by": {"type": "string", "nullable": True},
        "resolved_by_role": {"type": "string", "nullable": True},
        "resolved_at": {"type": "string", "nullable": True},
        "resolution_note": {"type": "string", "nullable": True},
        "escalation_level": {"type": "integer", "minimum": 0, "maximum": alerts.MAX_LEVEL},
    },
}
ALERT_LIST = {
    "type": "object",
    "description": "One page: `more` says another follows (ask again with since=seq, or"
    " with after=next).",
    "properties": {
        "alerts": {"type": "array", "items": ALERT_VIEW},
        "seq": {"type": "integer"},
        "more": {"type": "boolean"},
        "next": {"type": "integer"},
    },
}
ALERT = {"parameters": [_id("alert_id")]}
_raise = op(
    "Raise a pause or a concern (201; 200 with the same alert for the same client_id again,"
    " while the sender's pause is open, or for the same open concern)",
    ALERT_VIEW,
    status="201",
    body={
        "type": "object",
        "required": ["kind", "client_id"],
        "properties": {
            "kind": {"type": "string", "enum": list(alerts.PUBLIC_KINDS)},
            "client_id": {"type": "string", "pattern": alerts.CLIENT_ID.pattern},
            "scene_id": {"type": "integer", "nullable": True},
            "text": {"type": "string", "maxLength": alerts.MAX_TEXT, "nullable": True},
            "preset": {"type": "string", "pattern": alerts.PRESET.pattern, "nullable": True},
            "audience": {"type": "string", "enum": list(alerts.AUDIENCES), "default": "ic"},
            "anonymous": {"type": "boolean", "default": False},
        },
    },
    errors=("400", "401", "403", "409", "422"),
)
_raise["responses"]["200"] = {"description": "Already raised", **_json(ALERT_VIEW)}
_list = op("Alerts this person may see", ALERT_LIST, errors=("401", "403", "422"))
_list["parameters"] = [
    {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(alerts.LISTED)}},
    {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
]
PATHS.update(
    {
        "/api/alerts": {"post": _raise, "get": _list},
        "/api/alerts/acknowledge-sender": {
            "post": op(
                "Acknowledge every open alert of one sender at once (IC, ADs)",
                {
                    "type": "object",
                    "properties": {"acknowledged": {"type": "array", "items": {"type": "integer"}}},
                },
                body={
                    "type": "object",
                    "required": ["sender_id"],
                    "properties": {"sender_id": {"type": "integer"}},
                },
                errors=("400", "401", "403", "422"),
            )
        },
        "/api/alerts/{alert_id}/ack": {
            **ALERT,
            "post": op("Acknowledge (IC, ADs)", ALERT_VIEW, errors=("401", "403", "404")),
        },
        "/api/alerts/{alert_id}/resolve": {
            **ALERT,
            "post": op(
                "Resolve with an optional note (IC, ADs; an IC-only concern: IC)",
                ALERT_VIEW,
                body={"type": "object", "properties": {"note": {"type": "string"}}},
                errors=("400", "401", "403", "404", "422"),
            ),
        },
        "/api/push/key": {"get": op("The VAPID applicationServerKey")},
        "/api/push/subscribe": {
            "post": op(
                "Store this browser's PushSubscription",
                status="201",
                body={
                    "type": "object",
                    "required": ["endpoint", "keys"],
                    "properties": {"endpoint": {"type": "string"}, "keys": ANY_OBJECT},
                },
                errors=("400", "401", "403", "422"),
            )
        },
        "/api/push/unsubscribe": {
            "post": op(
                "Forget a push subscription",
                body={"type": "object", "properties": {"endpoint": {"type": "string"}}},
                errors=("400", "401", "403", "422"),
            )
        },
        "/api/presence": {"get": op("Whether the IC and the ADs are connected now", ANY_LIST)},
    }
)


# Scene clearance (issue 4): consent, the closed set, garments, takes, closure.
_W = ("400", "401", "403", "404", "422")
_R = ("401", "403", "404")
REASON = {
    "type": "object",
    "required": ["code", "text", "blocking", "people"],
    "properties": {
        "code": {"type": "string", "enum": list(CODES)},
        "text": {"type": "string"},
        "blocking": {"type": "boolean"},
        "people": {"type": "array", "items": {"type": "integer"}},
    },
}
CLEARANCE = {
    "type": "object",
    "required": ["scene_id", "cleared", "reasons"],
    "properties": {
        "scene_id": {"type": "integer"},
        "cleared": {"type": "boolean"},
        "reasons": {"type": "array", "items": REASON},
    },
}
_PERSON_BODY = {"type": "object", "properties": {"person_id": {"type": "integer"}}}
_diff = op("A readable diff between two blocking versions", errors=("401", "403", "404", "422"))
_diff["parameters"] = [
    {"name": "from", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "to", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]
_GARMENT = {"parameters": [_id("scene_id"), _id("garment_id")]}
PATHS.update(
    {
        "/api/scenes/{scene_id}/clearance": {
            **SCENE,
            "get": op("Cleared to shoot, or not and why", CLEARANCE, errors=_R),
        },
        "/api/scenes/{scene_id}/blocking/diff": {**SCENE, "get": _diff},
        "/api/scenes/{scene_id}/consent": {
            **SCENE,
            "get": op("Your consent (with what changed); everyone's for IC/ADs", errors=_R),
            "post": op(
                "Agree to the current blocking version (performer in the scene)",
                body={
                    "type": "object",
                    "required": ["version"],
                    "properties": {"version": {"type": "integer"}},
                },
                errors=(*_W, "409"),
            ),
        },
        "/api/scenes/{scene_id}/consent/withdraw": {
            **SCENE,
            "post": op(
                "Withdraw consent in one tap; alerts the IC and the 1st AD",
                status="201",
                body={"type": "object", "properties": {"client_id": {"type": "string"}}},
                errors=(*_W, "409"),
            ),
        },
        "/api/scenes/{scene_id}/closed-set": {
            **SCENE,
            "get": op("Check-ins, headcount, monitors, garments, takes, closure", errors=_R),
        },
        "/api/scenes/{scene_id}/checkins": {
            **SCENE,
            "post": op(
                "Check in yourself, or someone else (2nd AD, IC)",
                status="201",
                body={
                    "type": "object",
                    "properties": {
                        "person_id": {"type": "integer"},
                        "no_photo_ack": {"type": "boolean"},
                    },
                },
                errors=_W,
            ),
        },
        "/api/scenes/{scene_id}/checkouts": {
            **SCENE,
            "post": op(
                "Check out yourself, or someone else (2nd AD, IC)", body=_PERSON_BODY, errors=_W
            ),
        },
        "/api/scenes/{scene_id}/no-photo-ack": {
            **SCENE,
            "post": op("Acknowledge: no photos or video", status="201", errors=_W),
        },
        "/api/scenes/{scene_id}/set-closed": {
            **SCENE,
            "post": op("The 1st AD confirms the set is closed", status="201", errors=_W),
        },
        "/api/scenes/{scene_id}/set-open": {
            **SCENE,
            "post": op("The 1st AD opens the set again", errors=_W),
        },
        "/api/scenes/{scene_id}/monitors": {
            **SCENE,
            "post": op(
                "Add a monitor to the list (IC, ADs)",
                status="201",
                body={
                    "type": "object",
                    "required": ["label"],
                    "properties": {"label": {"type": "string"}},
                },
                errors=_W,
            ),
        },
        "/api/scenes/{scene_id}/monitors/{monitor_id}": {
            "parameters": [_id("scene_id"), _id("monitor_id")],
            "delete": op("Remove a monitor from the list (IC, ADs)", errors=_R),
        },
        "/api/scenes/{scene_id}/garments": {
            **SCENE,
            "post": op(
                "Add a garment or barrier item (IC, costume)",
                status="201",
                body={
                    "type": "object",
                    "required": ["item"],
                    "properties": {"item": {"type": "string"}, "person_id": {"type": "integer"}},
                },
                errors=_W,
            ),
        },
        "/api/scenes/{scene_id}/garments/{garment_id}": {
            **_GARMENT,
            "delete": op("Remove a checklist item (IC, costume)", errors=_R),
        },
        "/api/scenes/{scene_id}/garments/{garment_id}/confirm": {
            **_GARMENT,
            "post": op("Confirm an item, as costume or as the IC", errors=_R),
        },
        "/api/scenes/{scene_id}/takes": {
            **SCENE,
            "post": op("Call the next take (1st AD, IC)", status="201", errors=_W),
        },
        "/api/scenes/{scene_id}/good-to-go": {
            **SCENE,
            "post": op(
                "A performer's good to go (or not yet) for the current take",
                body={
                    "type": "object",
                    "required": ["take"],
                    "properties": {"take": {"type": "integer"}, "ok": {"type": "boolean"}},
                },
                errors=_W,
            ),
        },
        "/api/scenes/{scene_id}/wrap": {
            **SCENE,
            "post": _also_200(
                op("Wrap the scene; prompts closure (1st AD, IC)", status="201", errors=_W)
            ),
        },
        "/api/scenes/{scene_id}/closure": {
            **SCENE,
            "post": op(
                "Closure after the scene (performer, IC)",
                body={
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": list(takes.CLOSURE_STATUSES)}
                    },
                },
                errors=_W,
            ),
        },
    }
)


# Records (issue 7): readiness, budget, briefing, rehearsals, call sheet, import, calendar.
_RW = ("400", "401", "403", "422")
_R404 = ("401", "403", "404")


def _file(summary: str, mimetype: str, errors: tuple[str, ...] = ("401", "403")) -> dict:
    """An operation that answers a file (CSV, iCalendar, PDF) rather than JSON."""
    spec = op(summary, errors=errors)
    spec["responses"]["200"] = {
        "description": "OK",
        "content": {mimetype: {"schema": {"type": "string"}}},
    }
    return spec


def _obj(required: list[str], **properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties}


_STR, _INT, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_AMOUNT = {"oneOf": [{"type": "number", "minimum": 0}, {"type": "string"}]}
_NULLABLE_INT = {"type": "integer", "nullable": True}
PATHS.update(
    {
        "/api/readiness": {"get": op("The producer's readiness checklist")},
        "/api/production/ic-engaged": {
            "post": op(
                "Record the date the IC was engaged (producer)",
                body=_obj(["date"], date={"type": "string", "format": "date", "nullable": True}),
                errors=_RW,
            )
        },
        "/api/production/settings": {
            "post": op(
                "Set the prep window and retention period in days (producer)",
                body=_obj([], prep_window_days=_NULLABLE_INT, retention_days=_NULLABLE_INT),
                errors=_RW,
            )
        },
        "/api/consultations": {
            "get": op("Preliminary consultations", ANY_LIST),
            "post": op(
                "Log a preliminary consultation (producer)",
                status="201",
                body=_obj(
                    ["held_on", "consultant"],
                    held_on={"type": "string", "format": "date"},
                    consultant=_STR,
                    summary=_STR,
                ),
                errors=_RW,
            ),
        },
        "/api/budget": {"get": op("The IC budget line, other safety lines and the total")},
        "/api/budget/rates": {
            "post": op(
                "Set IC day rate, prep fee, currency, prep days per intimate scene",
                body=_obj(
                    [],
                    day_rate=_AMOUNT,
                    prep_fee=_AMOUNT,
                    currency=_STR,
                    prep_days_per_scene={"type": "number"},
                ),
                errors=_RW,
            )
        },
        "/api/budget/lines": {
            "post": op(
                "Add another safety line (e.g. stunt coordination)",
                status="201",
                body=_obj(["label", "amount"], label=_STR, amount=_AMOUNT),
                errors=_RW,
            )
        },
        "/api/budget/lines/{line_id}": {
            "parameters": [_id("line_id")],
            "delete": op("Remove a safety line", errors=("401", "403", "404")),
        },
        "/api/budget.csv": {"get": _file("The budget as CSV", "text/csv")},
        "/api/briefing": {
            "get": op("The crew briefing in ?lang= or your language, and your acknowledgement")
        },
        "/api/briefing/ack": {
            "post": op(
                "Acknowledge the current crew briefing (department heads)",
                body=_obj([], language=_STR),
                errors=("401", "403"),
            )
        },
        "/api/briefing/status": {"get": op("Who has acknowledged the briefing, and when")},
        "/api/rehearsals": {
            "get": op("Blocking rehearsals with IC presence", ANY_LIST),
            "post": op(
                "Schedule a blocking rehearsal",
                status="201",
                body=_obj(
                    ["scene_id", "date", "start_time"],
                    scene_id=_INT,
                    date={"type": "string", "format": "date"},
                    start_time=_STR,
                    location=_STR,
                    duration_minutes=_INT,
                ),
                errors=_RW,
            ),
        },
        "/api/rehearsals/{rehearsal_id}/presence": {
            "parameters": [_id("rehearsal_id")],
            "post": op(
                "Record whether the IC was at a rehearsal (IC, ADs)",
                body=_obj(["present"], present=_BOOL),
                errors=("400", "401", "403", "404", "422"),
            ),
        },
        "/api/days/{day_id}/ic": {
            "parameters": [_id("day_id")],
            "post": op(
                "Put an IC on (or off) a day's call sheet",
                body=_obj(["person_id"], person_id=_INT, on_sheet=_BOOL),
                errors=("400", "401", "403", "404", "422"),
            ),
        },
        "/api/calendar.ics": {
            "get": _file("Your intimate scenes and rehearsals as iCalendar", "text/calendar")
        },
        "/api/schedule.uss": {
            "get": op(
                "The schedule as a Universal Schedule Standard 1.0.0 file, a JSON download"
                " (producer, ADs, IC); no blocking, rider or concern",
                _obj(["universalScheduleStandard"], universalScheduleStandard=ANY_OBJECT),
            )
        },
        "/api/reports/days/{day_id}": {
            "parameters": [_id("day_id")],
            "get": op("The daily IC report, as this reader may see it", errors=_R404),
        },
        "/api/reports/days/{day_id}.csv": {
            "parameters": [_id("day_id")],
            "get": _file("The daily IC report as CSV", "text/csv", _R404),
        },
        "/api/reports/days/{day_id}.pdf": {
            "parameters": [_id("day_id")],
            "get": _file("The daily IC report as PDF", "application/pdf", _R404),
        },
    }
)

# Keeping the record safe (issue 17): the copy's status, the set's servers, failover.
PATHS.update(
    {
        "/api/replica": {
            "get": op(
                "The live copy's status for the IC: off, ok, behind (over 30 s) or failing",
                _obj(["state", "age", "text"], state=_STR, age=_NULLABLE_INT, text=_STR),
            )
        },
        "/api/servers": {
            "get": op(
                "The set's server addresses (this one first) and this phone's failover ticket",
                _obj(["servers", "this", "ticket"], servers={"type": "array", "items": _STR}),
                errors=("401",),
            )
        },
        "/api/alive": {
            "get": op(
                "Whether this server is the live one (mode: live) or a standby; any origin",
                _obj(["mode", "server"], mode={"type": "string", "enum": list(standby.MODES)}),
                errors=(),
            )
        },
        "/api/failover": {
            "post": op(
                "Sign this phone in with the failover ticket another of the set's servers gave it",
                _obj(["person", "next"], person=ANY_OBJECT, next=_STR),
                body=_obj(["ticket"], ticket=_STR),
                errors=("400", "403"),
            )
        },
    }
)


# Schedule editing and revised call sheets (issue 11): producer and ADs; the IC may PATCH a
# scene's intimacy and closed_set only. 409: a conflict (a date or number already taken, a day
# that still has scenes, a scene with records, a preview the schedule has moved on from).
_EDIT = ("400", "401", "403", "404", "409", "422")
_DATE = {"type": "string", "format": "date"}
_HHMM = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_INTIMACY = {"type": "string", "enum": list(scenes.INTIMACY)}
_DAY_ID = {"type": "integer", "nullable": True, "description": "null: unscheduled"}
_CAST = {"type": "array", "items": {"type": "integer"}, "description": "performers' ids"}
_SCENE_BODY = {
    "number": {"type": "string", "maxLength": 12},
    "description": {"type": "string", "maxLength": 300},
    "intimacy": _INTIMACY,
    "closed_set": _BOOL,
    "cast": _CAST,
}
SHOOT_DAY = _obj(
    ["id", "date", "location", "call_time"],
    id=_INT,
    production_id=_INT,
    date=_STR,
    location=_STR,
    call_time=_STR,
)
SCHEDULED_SCENE = _obj(
    ["id", "number", "shoot_day_id", "position", "cast"],
    id=_INT,
    number=_STR,
    description=_STR,
    intimacy=_STR,
    closed_set=_BOOL,
    shoot_day_id=_NULLABLE_INT,
    position=_INT,
    setting={"type": "string", "nullable": True},
    cast={"type": "array", "items": _obj(["id", "name"], id=_INT, name=_STR)},
)
_FLAG = {"type": "string", "enum": [word for word in FLAGS if word]}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _import_op() -> dict:
    spec = op(
        "Import a call-sheet CSV or a USS file, first or revised: preview what it adds, changes,"
        " moves and removes (?preview=1, 200), or apply it all or nothing (201)",
        status="201",
        errors=_EDIT,
    )
    spec["responses"]["200"] = {**spec["responses"]["201"], "description": "Preview"}
    spec["parameters"] = [
        _query("preview", _FLAG, "say what the file would change; write nothing"),
        _query("remove_missing", _FLAG, "also remove scheduled scenes not in the file"),
        _query(
            "new_cast",
            {"type": "array", "items": {"type": "string", "maxLength": 80}},
            "cast names confirmed as new performers (did-you-mean errors)",
        ),
        _query("expect", {"type": "string", "maxLength": 64}, "a preview's fingerprint"),
        _query(
            "stripboard", {"type": "string", "maxLength": 200}, "USS: the stripboard (id or name)"
        ),
        _query("calendar", {"type": "string", "maxLength": 200}, "USS: the calendar (id or name)"),
    ]
    spec["requestBody"] = {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "multipart/form-data": {
                "schema": _obj(["file"], file={"type": "string", "format": "binary"})
            },
        },
    }
    return spec


PATHS["/api/days"]["post"] = op(
    "Add a shoot day within the production's dates (producer, ADs)",
    SHOOT_DAY,
    status="201",
    body=_obj(["date", "location", "call_time"], date=_DATE, location=_STR, call_time=_HHMM),
    errors=_EDIT,
)
PATHS["/api/scenes"]["post"] = op(
    "Add a scene to a day or unscheduled (producer, ADs)",
    SCHEDULED_SCENE,
    status="201",
    body=_obj(["number", "description"], day_id=_DAY_ID, **_SCENE_BODY),
    errors=_EDIT,
)
PATHS["/api/scenes/{scene_id}"]["patch"] = op(
    "Change a scene (producer, ADs; the IC: intimacy and closed_set)",
    SCHEDULED_SCENE,
    body=_obj([], **_SCENE_BODY),
    errors=_EDIT,
)
PATHS["/api/scenes/{scene_id}"]["delete"] = op(
    "Delete a scene with no records (409 otherwise: move it to unscheduled)",
    _obj(["deleted"], deleted=_INT),
    errors=("401", "403", "404", "409"),
)
PATHS.update(
    {
        "/api/schedule": {
            "get": op(
                "Every shoot day with its scenes in order, and the unscheduled scenes",
                _obj(
                    ["days", "unscheduled"],
                    days={"type": "array", "items": ANY_OBJECT},
                    unscheduled={"type": "array", "items": SCHEDULED_SCENE},
                ),
            )
        },
        "/api/schedule/import": {"post": _import_op()},
        "/api/days/{day_id}": {
            "parameters": [_id("day_id")],
            "patch": op(
                "Change a day's date, location or call time (producer, ADs)",
                SHOOT_DAY,
                body=_obj([], date=_DATE, location=_STR, call_time=_HHMM),
                errors=_EDIT,
            ),
            "delete": op(
                "Delete a day with no scenes (409 naming them otherwise)",
                _obj(["deleted"], deleted=_INT),
                errors=("401", "403", "404", "409"),
            ),
        },
        "/api/days/{day_id}/order": {
            "parameters": [_id("day_id")],
            "post": op(
                "Set the order of a day's scenes (every scene of the day once)",
                {"type": "array", "items": SCHEDULED_SCENE},
                body=_obj(["scene_ids"], scene_ids={"type": "array", "items": _INT}),
                errors=_EDIT,
            ),
        },
        "/api/scenes/{scene_id}/move": {
            "parameters": [_id("scene_id")],
            "post": op(
                "Move a scene to a day (null: unscheduled), at a position (default: last)",
                SCHEDULED_SCENE,
                body=_obj(["day_id"], day_id=_DAY_ID, position={"type": "integer", "minimum": 0}),
                errors=_EDIT,
            ),
        },
    }
)


def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "ictool set server", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": PATHS,
    }


# Rosters and riders (issue 11): edited on the scene page, and here.
_DATE_OR_NULL = {"type": "string", "format": "date", "nullable": True}
ROSTER_ENTRY = _obj(
    ["id", "name", "role", "purpose", "performer"],
    id=_INT,
    name=_STR,
    role=_STR,
    department={"type": "string", "nullable": True},
    purpose={"type": "string", "nullable": True},
    performer=_BOOL,
)
ROSTER = _obj(
    ["scene_id", "roster"], scene_id=_INT, roster={"type": "array", "items": ROSTER_ENTRY}
)
RIDER = _obj(
    ["person_id", "name", "sent_on", "signed_on", "status"],
    person_id=_INT,
    name=_STR,
    sent_on=_DATE_OR_NULL,
    signed_on=_DATE_OR_NULL,
    status={"type": "string", "enum": list(scenes.RIDER_STATUSES)},
    shown={"type": "string", "enum": list(riders.SHOWN)},
)
ESSENTIALS = _obj(
    ["roles", "choices"],
    roles={"type": "array", "items": _STR},
    choices={"type": "array", "items": _STR},
)
_SCENE_PERSON = {"parameters": [_id("scene_id"), _id("person_id")]}
_set_closed = PATHS["/api/scenes/{scene_id}/set-closed"]["post"]
_set_closed["summary"] = (
    "The 1st AD confirms the set is closed; 409 names anyone checked in off the roster,"
    " unless confirmed again with off_roster_ok listing their ids"
)
_set_closed["requestBody"] = {
    "required": False,
    **_json(_obj([], off_roster_ok={"type": "array", "items": _INT})),
}
_set_closed["responses"]["409"] = {"description": "Off-roster people checked in", **_json(ERROR)}
_set_closed["responses"]["200"] = {**_set_closed["responses"]["201"], "description": "Already"}
PATHS.update(
    {
        "/api/scenes/{scene_id}/roster": {
            **SCENE,
            "get": op("The closed set's roster, performers always on it", ROSTER, errors=_R),
            "post": _also_200(
                op(
                    "Put someone on the roster with a purpose, or change it (IC, 1st AD)",
                    ROSTER_ENTRY,
                    status="201",
                    body=_obj(
                        ["person_id"],
                        person_id=_INT,
                        purpose={"type": "string", "maxLength": 120, "nullable": True},
                    ),
                    errors=_W,
                )
            ),
        },
        "/api/scenes/{scene_id}/roster/{person_id}": {
            **_SCENE_PERSON,
            "delete": op(
                "Take someone off the roster (IC, 1st AD; performers stay)",
                _obj(["removed"], removed=_INT),
                errors=(*_R, "422"),
            ),
        },
        "/api/scenes/{scene_id}/roster/essential": {
            **SCENE,
            "post": op(
                "Put the production's essential crew on the roster in one step (IC, 1st AD)",
                _obj(
                    ["added", "roster"],
                    added={"type": "array", "items": ROSTER_ENTRY},
                    roster={"type": "array", "items": ROSTER_ENTRY},
                ),
                errors=_W,
            ),
        },
        "/api/scenes/{scene_id}/riders/{person_id}": {
            **_SCENE_PERSON,
            "post": op(
                "Record when a performer's nudity rider was sent and signed (IC)",
                RIDER,
                body=_obj([], sent_on=_DATE_OR_NULL, signed_on=_DATE_OR_NULL),
                errors=_W,
            ),
        },
        "/api/production/essential-roles": {
            "get": op("The roles and departments named as essential crew", ESSENTIALS),
            "post": op(
                "Name the essential crew of a closed set (producer, IC)",
                ESSENTIALS,
                body=_obj(["roles"], roles={"type": "array", "items": _STR, "maxItems": 30}),
                errors=_RW,
            ),
        },
    }
)


# Rider terms (issue 13): the terms, signatures, withdrawals, beat codes and the matrix.
# A blocking beat may be sent as an object: its words and what it asks.
def _codes(codes: tuple[str, ...]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": list(codes)}, "maxItems": 20}


RIDER_TERMS_BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "nudity": _codes(rider_terms.NUDITY),
        "acts": _codes(rider_terms.ACTS),
        "no_touch": _codes(rider_terms.AREAS),
        "body_double": {"type": "boolean"},
        "stills": {"type": "boolean"},
        "other": {"type": "string", "maxLength": rider_terms.MAX_OTHER, "nullable": True},
        "sent_on": {"type": "string", "format": "date", "nullable": True},
    },
}
RIDER_STATUS = _obj(
    ["person_id", "name", "status"],
    person_id=_INT,
    name=_STR,
    status={"type": "string", "enum": list(rider_terms.STATUS)},
)
_RW_RIDER = ("401", "403", "404", "409", "422")
_RIDER = {
    "get": op(
        "A performer's rider: terms, changes, history (the IC, or their own); 422 when the"
        " person is not a performer of the scene or the scene needs no nudity rider",
        errors=(*_R, "422"),
    ),
    "post": _also_200(
        op(
            "Record or amend a performer's rider terms: a new version to sign (IC)",
            status="201",
            body=RIDER_TERMS_BODY,
            errors=_W,
        )
    ),
}
_BEAT_CODES = _obj(
    [],
    performers={"type": "array", "items": _INT, "maxItems": 100},
    nudity=_codes(rider_terms.NUDITY),
    acts=_codes(rider_terms.ACTS),
    contact=_codes(rider_terms.AREAS),
)
PATHS.update(
    {
        "/api/scenes/{scene_id}/rider-terms": {
            **SCENE,
            "get": op("Every performer's rider terms and status in the scene (IC)", errors=_R),
        },
        "/api/scenes/{scene_id}/rider-terms/{person_id}": {**_SCENE_PERSON, **_RIDER},
        "/api/scenes/{scene_id}/rider-terms/{person_id}/sign": {
            **_SCENE_PERSON,
            "post": _also_200(
                op(
                    "Sign the current rider version: the performer, or the IC for a paper one",
                    status="201",
                    body=_obj(["version"], version=_INT),
                    errors=_RW_RIDER,
                )
            ),
        },
        "/api/scenes/{scene_id}/rider-terms/{person_id}/withdraw": {
            **_SCENE_PERSON,
            "post": _also_200(
                op(
                    "Withdraw consent to one term of your signed rider; alerts the IC and 1st AD",
                    status="201",
                    body=_obj(
                        ["term"],
                        term={"type": "string", "maxLength": 60},
                        client_id={"type": "string", "maxLength": 100},
                    ),
                    errors=_W,
                )
            ),
        },
        "/api/scenes/{scene_id}/rider-check": {
            **SCENE,
            "get": op("Per beat: within every signed rider, yes or no (director, IC)", errors=_R),
        },
        "/api/scenes/{scene_id}/rider-status": {
            **SCENE,
            "get": op(
                "Each performer's rider status, never the terms (IC, ADs, director, producer)",
                _obj(
                    ["scene_id", "performers"],
                    scene_id=_INT,
                    performers={"type": "array", "items": RIDER_STATUS},
                ),
                errors=_R,
            ),
        },
        "/api/scenes/{scene_id}/blocking/codes": {
            **SCENE,
            "post": op(
                "Say what each beat asks (performers, nudity, acts, contact): a new version",
                status="201",
                body=_obj(
                    ["version", "codes"],
                    version=_INT,
                    codes={"type": "array", "items": _BEAT_CODES, "maxItems": 60},
                ),
                errors=_W,
            ),
        },
        "/api/riders/matrix": {
            "get": op(
                "The rider matrix: performers × scenes, statuses (IC)", errors=("401", "403", "400")
            )
        },
        "/api/riders/matrix.csv": {
            "get": _file("The rider matrix as CSV (IC)", "text/csv", ("400", "401", "403"))
        },
        "/api/riders/matrix.pdf": {
            "get": _file("The rider matrix as PDF (IC)", "application/pdf", ("400", "401", "403"))
        },
    }
)
_beats = PATHS["/api/scenes/{scene_id}/blocking"]["post"]["requestBody"]
_beats = _beats["content"]["application/json"]["schema"]["properties"]["beats"]
_beats["items"] = {
    "oneOf": [
        {"type": "string"},
        {
            **_BEAT_CODES,
            "required": ["text"],
            "properties": {**_BEAT_CODES["properties"], "text": _STR},
        },
    ]
}
