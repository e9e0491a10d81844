"""iCalendar (RFC 5545) export of intimate scenes and rehearsals for the IC and performers.

Calendars sync to phones and cloud services, so an event says only what is needed to
turn up: the scene number, the place and the call. What the scene contains stays in
ictool. Times are local "floating" times, as on a call sheet.
"""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import people, productions, rehearsals, scenes
from ictool.db import now

PRODID = "-//ictool//intimacy coordination//EN"


_CONTROLS = {c: None for c in range(32) if c not in (9, 10, 13)} | {127: None}


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every line
    break (CRLF, a bare CR or LF) as \\n, other control characters dropped, so a value can
    never end its line and start a property of its own."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def _stamp() -> str:
    return now()[:19].replace("-", "").replace(":", "") + "Z"


def _scene_visible(db: Database, person: dict, scene: dict) -> bool:
    if not scenes.is_intimate(scene) or not scene["shoot_day_id"]:
        return False
    if person["role"] == "coordinator":
        return True
    return person["role"] in people.CAST_ROLES and person["id"] in scenes.performer_ids(
        db, scene["id"]
    )


def events_for(db: Database, person: dict) -> list[dict]:
    """The intimate scenes and rehearsals this person works on, as plain event data."""
    production = productions.get(db, person["production_id"])
    events, visible = [], set()
    for scene in scenes.of_production(db, person["production_id"]):
        if not _scene_visible(db, person, scene):
            continue
        visible.add(scene["id"])
        day = scenes.get_day(db, scene["shoot_day_id"])
        events.append(
            {
                "uid": f"scene-{scene['id']}@ictool",
                "all_day": date.fromisoformat(day["date"]),
                "summary": _(
                    "Scene %(n)s — %(title)s", n=scene["number"], title=production["title"]
                ),
                "location": day["location"],
                "description": _(
                    "Intimate scene. Call %(call)s. Details in ictool.", call=day["call_time"]
                )
                + (" " + _("Closed set.") if scene["closed_set"] else ""),
            }
        )
    for r in rehearsals.of_production(db, person["production_id"]):
        if r["scene_id"] not in visible:
            continue
        start = datetime.combine(date.fromisoformat(r["date"]), time.fromisoformat(r["start_time"]))
        events.append(
            {
                "uid": f"rehearsal-{r['id']}@ictool",
                "start": start,
                "end": start + timedelta(minutes=r["duration_minutes"]),
                "summary": _("Rehearsal, scene %(n)s", n=r["scene_number"]),
                "location": r["location"],
                "description": _("Blocking rehearsal with the intimacy coordinator."),
            }
        )
    return events


def calendar(db: Database, person: dict) -> str:
    """The person's events as an .ics file's text (CRLF lines, folded at 75 octets)."""
    stamp = _stamp()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    for event in events_for(db, person):
        lines += ["BEGIN:VEVENT", f"UID:{event['uid']}", f"DTSTAMP:{stamp}"]
        if "all_day" in event:
            day = event["all_day"]
            lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
            lines.append(f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}")
        else:
            lines.append(f"DTSTART:{event['start']:%Y%m%dT%H%M%S}")
            lines.append(f"DTEND:{event['end']:%Y%m%dT%H%M%S}")
        lines.append(f"SUMMARY:{_escape(event['summary'])}")
        if event["location"]:
            lines.append(f"LOCATION:{_escape(event['location'])}")
        lines.append(f"DESCRIPTION:{_escape(event['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
