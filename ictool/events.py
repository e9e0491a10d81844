"""Every Socket.IO event, declared once: its name, which way it goes, who receives it and
what it carries. Handlers are registered from here and `realtime.publish` takes only an
`Event` from here, so a name cannot be misspelt in one place; README's list of events is
kept equal to this catalogue by a test.

Client → server events are answered in the acknowledgement callback with
`{"status": ..., ...}`, or `{"status": 4xx, "error": "plain words"}`.
"""

from dataclasses import dataclass

_VIEW = "an alert view (see `alerts.view_for`)"


@dataclass(frozen=True)
class Event:
    name: str
    to: str  # who receives it: "server", or the people a server event goes to
    fields: tuple[str, ...]  # the payload's keys (an alert view's are in `alerts.view_for`)
    doc: str
    roles: tuple[str, ...] = ()  # the role rooms it goes to (besides any person's own)


# --- client → server ----------------------------------------------------------------------

ALERT_RAISE = Event(
    "alert:raise",
    "server",
    ("kind", "client_id", "scene_id", "text", "preset", "audience", "anonymous"),
    'Raise a pause or a concern (the POST /api/alerts body) → {"status": 201|200, "alert"}.',
)
ALERT_ACK = Event("alert:ack", "server", ("id",), 'Acknowledge → {"status": 200, "alert"}.')
ALERT_RESOLVE = Event(
    "alert:resolve", "server", ("id", "note"), 'Resolve with a note → {"status": 200, "alert"}.'
)
ALERT_SYNC = Event(
    "alert:sync",
    "server",
    ("since",),
    'Everything changed after seq → {"status": 200, "alerts", "seq", "more"}; while more,'
    " sync again from seq.",
)
ALERT_ACK_SENDER = Event(
    "alert:ack_sender",
    "server",
    ("sender_id",),
    'Acknowledge every open alert of one sender → {"status": 200, "acknowledged": [id...]}.',
)
ALERT_RECEIVED = Event(
    "alert:received",
    "server",
    ("id",),
    "A device showed an alert; the first delivery to an AD's or the IC's device is shown to"
    " the sender.",
)

# --- server → client ----------------------------------------------------------------------

ALERT_NEW = Event(
    "alert:new",
    "the alert's sender and the roles alerted at its level, each their own view",
    ("alarm",),
    f"A new alert: {_VIEW}, with alarm (false on a flood's fourth and later concerns).",
)
ALERT_UPDATE = Event(
    "alert:update",
    "the alert's sender and the roles alerted at its level, each their own view",
    ("alarm",),
    f"An alert changed (delivered, acknowledged, resolved, escalated): {_VIEW}, with alarm"
    " (true when escalation rings again).",
)
PRESENCE_UPDATE = Event(
    "presence:update",
    "the IC and the ADs",
    ("person_id", "role", "online"),
    "An AD came online or went offline.",
    roles=("coordinator", "first_ad", "second_ad"),
)
SCENE_CLEARANCE = Event(
    "scene:clearance",
    "the IC, the ADs and the director; each performer in the scene their own reading",
    ("scene_id", "cleared", "reasons"),
    "Whether the scene is cleared to shoot, and why not.",
    roles=("coordinator", "first_ad", "second_ad", "director"),
)
SCENE_OFF_ROSTER = Event(
    "scene:off_roster",
    "the IC and the ADs",
    ("scene_id", "scene_number", "person_id", "name"),
    "Someone not on the closed set's roster checked in.",
    roles=("coordinator", "first_ad", "second_ad"),
)
SCENE_ROSTER = Event(
    "scene:roster",
    "the person put on or taken off a roster",
    ("scene_id", "scene_number", "person_id", "on_roster"),
    "You are now on (or off) this scene's closed set.",
)
SCENE_CLOSURE_PROMPT = Event(
    "scene:closure_prompt",
    "the scene's performers and the IC",
    ("scene_id", "scene_number"),
    "The scene is wrapped: how are you?",
    roles=("coordinator",),
)
SCENE_CLOSURE = Event(
    "scene:closure",
    "the IC alone",
    ("scene_id", "person_id", "status", "scene_number"),
    'A closure answer: "ok", or "talk" (come over).',
    roles=("coordinator",),
)
BRIEFING_ACKNOWLEDGED = Event(
    "briefing:acknowledged",
    "the producers",
    ("person_id", "acknowledged_at"),
    "Someone acknowledged the crew briefing.",
    roles=("producer",),
)
SCHEDULE_CHANGED = Event(
    "schedule:changed",
    "the IC, the ADs, the director, the producers and the performers of the scenes touched",
    ("production_id", "scene_ids"),
    "The schedule changed: re-read the day.",
    roles=("coordinator", "first_ad", "second_ad", "director", "producer"),
)

CATALOGUE: tuple[Event, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Event))
TO_SERVER = tuple(e for e in CATALOGUE if e.to == "server")
TO_CLIENT = tuple(e for e in CATALOGUE if e.to != "server")
