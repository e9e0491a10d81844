"""The IC's daily report for one shoot day, as data, CSV and PDF.

Each reader gets only what they may see: alerts go through `alerts.view_for` (a reader who
was not told of an alert sees only that it happened: its kind, never its words or sender;
a concern is masked), clearance through `clearance.clearance` for that reader, blocking as
versions and times (never the beats), and a performer's closure answer only for the IC.
"""

from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    alerts,
    audit,
    blocking,
    callsheet,
    clearance,
    consent,
    csvout,
    people,
    productions,
    rehearsals,
    scenes,
    textguard,
    witness,
)
from ictool.db import now
from ictool.i18n import INTIMACY_LABELS, ROLE_LABELS
from ictool.permissions import allowed

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def names_rule() -> str:
    """The one rule for naming people in a report, the same for every reader and format."""
    return _(
        "Who is named: a reader who may see consent (the IC, the ADs) sees people by name, "
        "except the sender of an anonymous concern or of an alert not shared with them; any "
        "other reader (the producer) sees each person by role only, never by name."
    )


def _namer(db: Database, production_id: int, viewer: dict):
    """`who(person_id)`: the person's name for a reader the rule lets see names, else their
    role; "" for nobody."""
    rows = db["people"].rows_where("production_id = ?", [production_id], select="id, name, role")
    known = {p["id"]: p for p in rows}
    named = allowed(db, viewer, "consent.view")

    def who(person_id: int | None) -> str:
        person = known.get(person_id)
        if person is None:
            return ""
        return person["name"] if named else str(ROLE_LABELS[person["role"]])

    return who, named


def _what(entry: dict, viewer: dict, names) -> str:
    d = entry["detail"]
    action = entry["action"]
    if action == "scene.closure":
        if viewer["role"] != "coordinator":
            return _("Closure answered")
        return _("Closure: fine") if d.get("status") == "ok" else _("Closure: asked to talk")
    if action == "take.good_to_go":
        if d.get("ok"):
            return _("Take %(take)s: good to go", take=d.get("take"))
        return _("Take %(take)s: not yet", take=d.get("take"))
    words = {
        "blocking.saved": lambda: _("Blocking version %(v)s saved", v=d.get("version")),
        "consent.confirmed": lambda: _("Consent given to version %(v)s", v=d.get("version")),
        "consent.withdrawn": lambda: _("Consent withdrawn"),
        "closedset.checked_in": lambda: (
            _("Checked in: %(who)s", who=names(d.get("person_id")))
            + ("" if d.get("on_roster", True) else " " + _("(not on the roster)"))
        ),
        "closedset.checked_out": lambda: _("Checked out: %(who)s", who=names(d.get("person_id"))),
        "closedset.no_photo_acknowledged": lambda: _("No-photography acknowledged"),
        "closedset.set_closed": lambda: (
            _(
                "Set confirmed closed, with %(who)s checked in off the roster",
                who=", ".join(names(i) for i in d["off_roster"]),
            )
            if d.get("off_roster")
            else _("Set confirmed closed")
        ),
        "closedset.set_reopened": lambda: _("Set reopened"),
        "closedset.garment_added": lambda: _("Garment or barrier added"),
        "closedset.garment_confirmed": lambda: _("Garment or barrier confirmed"),
        "closedset.garment_removed": lambda: _("Garment or barrier removed"),
        "closedset.monitor_added": lambda: _("Monitor added"),
        "closedset.monitor_removed": lambda: _("Monitor removed"),
        "roster.added": lambda: _("Added to the roster: %(who)s", who=names(d.get("person_id"))),
        "roster.purpose_changed": lambda: _(
            "Roster purpose changed: %(who)s", who=names(d.get("person_id"))
        ),
        "roster.removed": lambda: _("Taken off the roster: %(who)s", who=names(d.get("person_id"))),
        "roster.essentials_added": lambda: _(
            "Essential crew added to the roster: %(who)s",
            who=", ".join(names(i) for i in d.get("person_ids", [])),
        ),
        "rider.recorded": lambda: _("Nudity rider dates recorded"),
        "take.called": lambda: _("Take %(take)s called", take=d.get("take")),
        "scene.wrapped": lambda: _("Scene wrapped"),
    }
    return words[action]() if action in words else action


def _alert_record(alert: dict, viewer: dict, db: Database, who, named: bool) -> dict:
    """An alert as this reader may see it; without a view, only that it happened. Its
    sender by the report's one rule: named, by role, or "name withheld"."""
    view = alerts.view_for(db, alert, viewer)
    if view is None:
        concern = alert["kind"] == "concern"
        label = alerts.MASKED_LABEL if concern else alerts.LABELS[alert["kind"]]
        view = {
            "label": label,
            "scene": None if concern else {"number": alert["scene_number"]},
            "sender": None,
            "text": None,
            "resolution_note": None,
            "restricted": True,
        }
        view.update({k: alert[k] for k in ("raised_at", "acknowledged_at", "resolved_at")})
        view["state"] = alerts.state(alert)
    private = alert["anonymous"] or view["label"] == alerts.MASKED_LABEL
    if named:
        sender = view["sender"]["name"] if view.get("sender") else None
    else:
        sender = None if private else who(alert["raised_by"])
    return {
        "at": view["raised_at"],
        "label": str(view["label"]),
        "scene": view["scene"]["number"] if view.get("scene") else None,
        "from": sender or _("name withheld"),
        "text": view.get("text"),
        "state": view["state"],
        "acknowledged_at": view.get("acknowledged_at"),
        "resolved_at": view.get("resolved_at"),
        "resolution_note": view.get("resolution_note"),
        "restricted": bool(view.get("restricted")),
    }


def daily(db: Database, day_id: int, viewer: dict) -> dict:
    """The day's report as `viewer` may read it."""
    day = scenes.get_day(db, day_id)
    if day is None or day["production_id"] != viewer["production_id"]:
        raise LookupError("no such shoot day")
    production = productions.get(db, day["production_id"])
    who, named = _namer(db, production["id"], viewer)
    day_scenes = scenes.of_day(db, day_id)
    out_scenes = []
    for scene in day_scenes:
        entries = audit.entries(db, subject=f"scene:{scene['id']}")
        cleared = clearance.clearance(db, scene["id"], viewer)
        out_scenes.append(
            {
                "id": scene["id"],
                "number": scene["number"],
                "description": scene["description"],
                "intimacy": str(INTIMACY_LABELS[scene["intimacy"]]),
                "closed_set": bool(scene["closed_set"]),
                "cleared": cleared["cleared"],
                "reasons": [r["text"] for r in cleared["reasons"]],
                "consent": [
                    {"name": who(c["person_id"]), "state": c["state"], "at": c["at"]}
                    for c in consent.states(db, scene["id"])
                ],
                "blocking": [
                    {"version": v["version"], "at": v["created_at"], "by": who(v["author_id"])}
                    for v in reversed(blocking.history(db, scene["id"]))
                ],
                "timeline": [
                    {
                        "at": e["at"],
                        "what": _what(e, viewer, who),
                        "who": who(e["actor_id"]),
                    }
                    for e in entries
                    if e["action"] != "demo.seeded"
                ],
            }
        )
    raised = alerts.for_day(db, production["id"], [s["id"] for s in day_scenes], day["date"])
    broken = audit.verify(db)
    checkpoint = witness.make(db, witness.app_key(current_app))
    return {
        "production": production["title"],
        "day": {k: day[k] for k in ("id", "date", "call_time", "location")},
        "generated_at": now(),
        "reader": {"name": viewer["name"], "role": str(ROLE_LABELS[viewer["role"]])},
        "names_rule": names_rule(),
        "names_shown": named,
        "ic_on_call_sheet": [who(i) for i in callsheet.ic_on_day(db, day_id)],
        "coordinators": [
            who(p["id"]) for p in people.in_production(db, production["id"], "coordinator")
        ],
        "rehearsals": [
            rehearsals.public(r)
            for r in rehearsals.of_production(db, production["id"])
            if r["date"] == day["date"]
        ],
        "scenes": out_scenes,
        "alerts": [_alert_record(a, viewer, db, who, named) for a in raised],
        "audit": {
            "intact": broken is None,
            "broken_at": broken.entry_id if broken else None,
            "head": checkpoint.head if checkpoint.entries else None,
            "checkpoint": checkpoint.value,
        },
    }


def to_csv(report: dict) -> str:
    """The report as CSV rows: date, scene, section, at, what, who, detail."""
    date = report["day"]["date"]
    rows: list[list[object]] = [["date", "scene", "section", "at", "what", "who", "detail"]]
    rows.append([date, "", "names", report["generated_at"], report["names_rule"], "", ""])
    for s in report["scenes"]:
        n = s["number"]
        state = _("cleared") if s["cleared"] else _("not cleared")
        rows.append(
            [date, n, "clearance", report["generated_at"], state, "", " | ".join(s["reasons"])]
        )
        rows += [
            [date, n, "consent", c["at"] or "", c["state"], c["name"], ""] for c in s["consent"]
        ]
        rows += [
            [date, n, "blocking", v["at"], f"version {v['version']}", v["by"] or "", ""]
            for v in s["blocking"]
        ]
        rows += [[date, n, "timeline", e["at"], e["what"], e["who"], ""] for e in s["timeline"]]
    for a in report["alerts"]:
        detail = " | ".join(x for x in (a["text"], a["resolution_note"]) if x)
        rows.append(
            [
                date,
                a["scene"] or "",
                "alert",
                a["at"],
                f"{a['label']} ({a['state']})",
                a["from"],
                detail,
            ]
        )
    chain = report["audit"]
    rows.append([date, "", "record", report["generated_at"], chain["checkpoint"], "", ""])
    for r in report["rehearsals"]:
        present = {None: "not recorded", True: "IC present", False: "IC absent"}[r["ic_present"]]
        rows.append([date, r["scene_number"], "rehearsal", r["start_time"], present, "", ""])
    return csvout.write(rows)


def _font_path() -> str | None:
    configured = current_app.config.get("REPORT_FONT") if has_app_context() else None
    for path in (configured, *FONT_CANDIDATES):
        if path and Path(path).is_file():
            return path
    return None


_PLAIN = str.maketrans({"—": "-", "–": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "..."})


def to_pdf(report: dict) -> bytes:
    """The report as a PDF (fpdf2): a Unicode font when one is installed, else Helvetica
    with text reduced to Latin-1."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"Daily IC report {report['day']['date']}")
    pdf.set_creator("ictool")
    font = _font_path()
    if font:
        pdf.add_font("body", "", font)
        family = "body"

        def clean(text: object) -> str:
            return textguard.scrub(str(text or ""))
    else:
        family = "Helvetica"

        def clean(text: object) -> str:
            return (
                textguard.scrub(str(text or ""))
                .translate(_PLAIN)
                .encode("latin-1", "replace")
                .decode("latin-1")
            )

    pdf.add_page()

    def line(text: object, size: int = 10, gap: float = 5.5) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, gap, clean(text), new_x="LMARGIN", new_y="NEXT")

    line(_("Daily IC report"), 16, 8)
    line(
        f"{report['production']} · {report['day']['date']} · "
        f"{_('call')} {report['day']['call_time']} · {report['day']['location']}",
        11,
    )
    line(
        _(
            "Prepared for %(name)s (%(role)s) at %(at)s UTC. It shows only what this reader may "
            "see.",
            name=report["reader"]["name"],
            role=report["reader"]["role"],
            at=report["generated_at"][:19].replace("T", " "),
        ),
        8,
    )
    line(report["names_rule"], 8)
    ics = ", ".join(report["ic_on_call_sheet"]) or _("none")
    line(_("IC on the call sheet: %(names)s", names=ics))
    for r in report["rehearsals"]:
        present = {None: _("presence not recorded"), True: _("IC present"), False: _("IC absent")}[
            r["ic_present"]
        ]
        line(
            _(
                "Rehearsal of scene %(n)s at %(t)s: %(p)s",
                n=r["scene_number"],
                t=r["start_time"],
                p=present,
            )
        )
    for s in report["scenes"]:
        pdf.ln(2)
        closed = " · " + _("closed set") if s["closed_set"] else ""
        line(f"{_('Scene')} {s['number']} · {s['intimacy']}{closed}", 13, 7)
        line(s["description"], 9)
        line(
            (_("Cleared") if s["cleared"] else _("Not cleared"))
            + (": " + "; ".join(s["reasons"]) if s["reasons"] else ""),
            10,
        )
        for c in s["consent"]:
            line(f"  {_('Consent')}: {c['name']} — {c['state']}", 9, 5)
        for v in s["blocking"]:
            line(
                f"  {_('Blocking')} v{v['version']} {v['at'][:16].replace('T', ' ')} "
                f"{v['by'] or ''}",
                9,
                5,
            )
        for e in s["timeline"]:
            line(f"  {e['at'][11:19]}  {e['what']}  {e['who']}", 9, 5)
    pdf.ln(2)
    line(_("Pauses and concerns"), 13, 7)
    if not report["alerts"]:
        line(_("None."), 9)
    for a in report["alerts"]:
        scene = f" · {_('scene')} {a['scene']}" if a["scene"] else ""
        line(f"{a['at'][11:19]}  {a['label']}{scene} · {a['from']} · {a['state']}", 9, 5)
        for extra in (a["text"], a["resolution_note"]):
            if extra:
                line(f"    {extra}", 9, 5)
    pdf.ln(2)
    chain = report["audit"]
    state = _("intact") if chain["intact"] else _("BROKEN at entry #%(id)s", id=chain["broken_at"])
    line(_("Audit log: %(state)s; head %(head)s", state=state, head=(chain["head"] or "")[:16]), 8)
    line(_("Record checkpoint: %(value)s", value=chain["checkpoint"]), 7, 4)
    return bytes(pdf.output())
