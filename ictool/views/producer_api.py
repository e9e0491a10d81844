"""The producer's side over HTTP (JSON): readiness, budget, briefing, rehearsals, the IC on
the call sheet, schedule import, calendars. Each route checks one capability."""

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext as _

from ictool import (
    announce,
    briefing,
    budget,
    callsheet,
    ical,
    production_settings,
    productions,
    readiness,
    rehearsals,
    report,
    scenes,
    schedule_import,
    uss_export,
    uss_file,
    uss_import,
)
from ictool.auth import current_person
from ictool.db import get_db
from ictool.permissions import allowed, require
from ictool.views import json_body

bp = Blueprint("producer_api", __name__, url_prefix="/api")


def me(capability: str) -> dict:
    """The signed-in person, if they hold `capability` (else 401/403)."""
    return require(get_db(), current_person(), capability)


def unprocessable(exc: Exception):
    abort(422, description=str(exc))


def _int(value: object, what: str) -> int:
    if type(value) is not int:
        abort(422, description=_("%(key)s must be a whole number", key=what))
    return value


@bp.get("/readiness")
def readiness_checklist():
    """The production's readiness checklist."""
    person = me("readiness.view")
    return jsonify(readiness.checklist(get_db(), person["production_id"]))


@bp.post("/production/ic-engaged")
def ic_engaged():
    """Record when the IC was engaged (null: not yet)."""
    person = me("production.edit")
    body = json_body()
    if "date" not in body:
        abort(
            422,
            description=_(
                "send %(key)s: YYYY-MM-DD, or null when no IC is engaged yet", key="date"
            ),
        )
    engaged = body["date"]
    try:
        if engaged is not None and not isinstance(engaged, str):
            raise ValueError("date must be YYYY-MM-DD or null")
        productions.set_ic_engaged(get_db(), person["production_id"], engaged, person["id"])
    except ValueError:
        abort(422, description=_("%(key)s must be YYYY-MM-DD or null", key="date"))
    return jsonify(productions.public(productions.get(get_db(), person["production_id"])))


@bp.post("/production/settings")
def production_settings_update():
    """Set the prep window and retention period in days (null: back to the default)."""
    person = me("production.edit")
    body = json_body()
    values = {k: body[k] for k in production_settings.PERIODS if k in body}
    try:
        settings = production_settings.set_periods(
            get_db(), person["production_id"], person["id"], **values
        )
    except ValueError as exc:
        unprocessable(exc)
    return jsonify({k: settings[k] for k in ("prep_window_days", "retention_days")})


@bp.get("/consultations")
def consultation_list():
    person = me("readiness.view")
    return jsonify(readiness.consultations(get_db(), person["production_id"]))


@bp.post("/consultations")
def consultation_log():
    """Log a preliminary consultation: date, with whom, a short note."""
    person = me("consultation.log")
    body = json_body()
    try:
        row_id = readiness.log_consultation(
            get_db(),
            person["production_id"],
            body.get("held_on"),
            body.get("consultant"),
            body.get("summary", ""),
            person["id"],
        )
    except ValueError as exc:
        unprocessable(exc)
    return jsonify(id=row_id), 201


def budget_view(production_id: int) -> dict:
    """The budget summary with amounts also as text."""
    data = budget.summary(get_db(), production_id)
    shown = {k: budget.money(v) for k, v in data.items() if k.endswith("_cents")}
    return dict(data, shown={k.removesuffix("_cents"): v for k, v in shown.items()})


@bp.get("/budget")
def budget_summary():
    person = me("budget.view")
    return jsonify(budget_view(person["production_id"]))


@bp.post("/budget/rates")
def budget_rates():
    """Set the IC day rate, prep fee, currency or prep days per intimate scene."""
    person = me("budget.edit")
    fields = ("day_rate", "prep_fee", "currency", "prep_days_per_scene")
    values = {k: v for k, v in json_body().items() if k in fields}
    try:
        budget.set_rates(get_db(), person["production_id"], person["id"], **values)
    except ValueError as exc:
        unprocessable(exc)
    return jsonify(budget_view(person["production_id"]))


@bp.post("/budget/lines")
def budget_line_add():
    """Add another safety line (label, amount) for comparison and the total."""
    person = me("budget.edit")
    body = json_body()
    try:
        budget.add_line(
            get_db(), person["production_id"], body.get("label"), body.get("amount"), person["id"]
        )
    except ValueError as exc:
        unprocessable(exc)
    return jsonify(budget_view(person["production_id"])), 201


@bp.delete("/budget/lines/<int:line_id>")
def budget_line_remove(line_id: int):
    person = me("budget.edit")
    if not budget.remove_line(get_db(), person["production_id"], line_id, person["id"]):
        abort(404, description=_("No such budget line."))
    return jsonify(budget_view(person["production_id"]))


def budget_csv_response(production_id: int) -> Response:
    text = budget.to_csv(budget.summary(get_db(), production_id))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ic-budget.csv"'},
    )


@bp.get("/budget.csv")
def budget_csv():
    return budget_csv_response(me("budget.view")["production_id"])


def briefing_for(person: dict, language: str | None) -> dict:
    """The briefing text in a language, with this person's acknowledgement."""
    ack = briefing.acknowledged(get_db(), person["id"])
    return dict(briefing.text(language), acknowledged_at=ack["acknowledged_at"] if ack else None)


@bp.get("/briefing")
def briefing_text():
    """The briefing in ?lang= (else the person's language) and whether they acknowledged it."""
    person = me("briefing.ack")
    return jsonify(briefing_for(person, request.args.get("lang") or person["language"]))


def acknowledge(person: dict, language: str | None) -> dict:
    """Save the acknowledgement, then tell the producers' screens."""
    ack = briefing.acknowledge(get_db(), person, language)
    announce.briefing_acknowledged(person, ack)
    return ack


@bp.post("/briefing/ack")
def briefing_ack():
    """The signed-in department head acknowledges the current briefing."""
    person = me("briefing.ack")
    body = request.get_json(silent=True)
    language = (body.get("language") if isinstance(body, dict) else None) or person["language"]
    ack = acknowledge(person, language if isinstance(language, str) else None)
    return jsonify(acknowledged_at=ack["acknowledged_at"], version=ack["version"])


@bp.get("/briefing/status")
def briefing_status():
    """Every department head: acknowledged or not, and when."""
    person = me("briefing.status")
    return jsonify(
        version=briefing.VERSION, people=briefing.status(get_db(), person["production_id"])
    )


@bp.get("/rehearsals")
def rehearsal_list():
    person = me("rehearsal.view")
    rows = rehearsals.of_production(get_db(), person["production_id"])
    return jsonify([rehearsals.public(r) for r in rows])


@bp.post("/rehearsals")
def rehearsal_add():
    """Schedule a blocking rehearsal of a scene."""
    person = me("rehearsal.edit")
    body = json_body()
    scene = scenes.get(get_db(), _int(body.get("scene_id"), "scene_id"))
    if scene is None or scene["production_id"] != person["production_id"]:
        abort(422, description=_("%(key)s is not a scene of this production", key="scene_id"))
    try:
        rehearsal_id = rehearsals.add(
            get_db(),
            scene["id"],
            body.get("date"),
            body.get("start_time"),
            body.get("location") or "",
            body.get("duration_minutes", 120),
            person["id"],
        )
    except ValueError as exc:
        unprocessable(exc)
    rows = rehearsals.of_production(get_db(), person["production_id"])
    return jsonify(rehearsals.public(next(r for r in rows if r["id"] == rehearsal_id))), 201


@bp.post("/rehearsals/<int:rehearsal_id>/presence")
def rehearsal_presence(rehearsal_id: int):
    """Record whether the IC was at a rehearsal."""
    person = me("rehearsal.presence")
    found = rehearsals.get(get_db(), rehearsal_id)
    if found is None or found["production_id"] != person["production_id"]:
        abort(404, description=_("No such rehearsal."))
    present = json_body().get("present")
    if not isinstance(present, bool):
        abort(422, description=_("%(key)s must be true or false", key="present"))
    return jsonify(
        rehearsals.public(rehearsals.record_presence(get_db(), rehearsal_id, present, person["id"]))
    )


@bp.post("/days/<int:day_id>/ic")
def call_sheet_ic(day_id: int):
    """Put an IC on (or off) a day's call sheet."""
    person = me("callsheet.edit")
    day = scenes.get_day(get_db(), day_id)
    if day is None or day["production_id"] != person["production_id"]:
        abort(404, description=_("No such shoot day."))
    body = json_body()
    on_sheet = body.get("on_sheet", True)
    if not isinstance(on_sheet, bool):
        abort(422, description=_("%(key)s must be true or false", key="on_sheet"))
    try:
        ids = callsheet.set_ic(
            get_db(), day_id, _int(body.get("person_id"), "person_id"), on_sheet, person["id"]
        )
    except (LookupError, ValueError) as exc:
        unprocessable(exc)
    return jsonify(day_id=day_id, ic=ids)


FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def import_options() -> dict:
    """`preview`, `remove_missing`, `new_cast` (repeatable) and `expect` from the query
    string or, for an upload, the form."""
    values = request.values
    options = {}
    for key in ("preview", "remove_missing"):
        raw = values.get(key, "").strip().lower()
        if raw not in FLAGS:
            abort(422, description=_("%(key)s must be true or false", key=key))
        options[key] = FLAGS[raw]
    new_cast = [n for n in values.getlist("new_cast") if n.strip()]
    if len(new_cast) > 200 or any(len(n) > 80 for n in new_cast):
        abort(422, description=_("new_cast must be performers' names of at most 80 characters"))
    options["new_cast"] = tuple(new_cast)
    expect = values.get("expect") or None
    if expect is not None and len(expect) > 64:
        abort(422, description=_("expect must be the fingerprint of a preview"))
    options["expect"] = expect
    for key in ("stripboard", "calendar"):
        options[key] = values.get(key, "").strip()[:200] or None
    options["marks"] = _marks(values)
    return options


CLOSED_CHOICES = {"yes": True, "no": False, "": None}


def _marks(values) -> dict:
    """The intimacy level and closed set marked per USS breakdown in a preview:
    `intimacy:<breakdown id>` (a level) and `closed_set:<breakdown id>` (yes, no or empty)."""
    marks: dict[str, dict] = {}
    for key in values:
        if not isinstance(key, str):  # a multipart part sent without a name
            continue
        kind, _sep, breakdown_id = key.partition(":")
        if kind not in ("intimacy", "closed_set") or not breakdown_id:
            continue
        raw = values.get(key, "").strip()
        if kind == "intimacy" and raw not in scenes.INTIMACY:
            abort(
                422,
                description=_(
                    "%(key)s must be one of %(codes)s", key=key, codes=", ".join(scenes.INTIMACY)
                ),
            )
        if kind == "closed_set" and raw not in CLOSED_CHOICES:
            abort(422, description=_("%(key)s must be yes, no or empty", key=key))
        marks.setdefault(breakdown_id, {})[kind] = (
            raw if kind == "intimacy" else CLOSED_CHOICES[raw]
        )
    if len(marks) > uss_file.MAX_BREAKDOWNS:
        abort(422, description=_("too many marks"))
    return marks


def is_uss(data: bytes | str, filename: str | None = None) -> bool:
    """A USS file: sent as JSON, named .uss or .json, or a JSON object in the body."""
    if (filename or "").lower().endswith(
        (".uss", ".json")
    ) or request.mimetype == "application/json":
        return True
    return uss_file.looks_like_uss(data)


def run_import(person: dict, data: bytes | str, options: dict, uss: bool = False) -> dict:
    """Preview or apply a call sheet or a USS file for the signed-in person; intimacy
    marks need the right to set a scene's intimacy."""
    if uss:
        if options["marks"] and not allowed(get_db(), person, "scene.intimacy"):
            abort(403, description=_("Only the IC or an AD may mark a scene's intimacy."))
        return uss_import.import_uss(
            get_db(),
            person["production_id"],
            data,
            person["id"],
            remove_missing=options["remove_missing"],
            dry_run=options["preview"],
            expect=options["expect"],
            stripboard=options["stripboard"],
            calendar=options["calendar"],
            marks=options["marks"],
        )
    return schedule_import.import_csv(
        get_db(),
        person["production_id"],
        data,
        person["id"],
        remove_missing=options["remove_missing"],
        new_cast=options["new_cast"],
        dry_run=options["preview"],
        expect=options["expect"],
    )


@bp.post("/schedule/import")
def schedule_import_csv():
    """Import a call-sheet CSV (text/csv body, or a multipart `file`) or a USS file (JSON
    body or a `.uss` upload), first or revised: with `?preview=1` say what it would add,
    change, move and remove; else apply, all or nothing."""
    person = me("schedule.import")
    options = import_options()
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    try:
        report = run_import(person, data, options, is_uss(data, upload and upload.filename))
    except schedule_import.ImportFailed as failed:
        errors = [e.public() for e in failed.errors]
        return jsonify(error=str(failed), status=422, errors=errors), 422
    except schedule_import.PreviewStale as exc:
        abort(409, description=str(exc))
    return jsonify(report), 200 if options["preview"] else 201


@bp.get("/schedule.uss")
def schedule_uss():
    """The production's schedule as a Universal Schedule Standard 1.0.0 file (no blocking,
    rider or concern: scenes, days, cast and rehearsals only)."""
    person = me("schedule.import")
    body = uss_export.dumps(uss_export.build(get_db(), person["production_id"]))
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="schedule.uss"'},
    )


def calendar_response(person: dict) -> Response:
    return Response(
        ical.calendar(get_db(), person),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="ictool.ics"'},
    )


@bp.get("/calendar.ics")
def calendar():
    """Intimate scenes and rehearsals for the IC (all) or a performer (their own)."""
    return calendar_response(me("calendar.export"))


def report_for(day_id: int) -> dict:
    """The day's IC report as the signed-in reader may see it (report.view)."""
    person = me("report.view")
    try:
        return report.daily(get_db(), day_id, person)
    except LookupError:
        abort(404, description=_("No such shoot day."))


def report_file(day_id: int, kind: str) -> Response:
    """The day's report as a CSV or PDF download."""
    data = report_for(day_id)
    name = f"ic-report-{data['day']['date']}.{kind}"
    body, mimetype = (
        (report.to_pdf(data), "application/pdf")
        if kind == "pdf"
        else (report.to_csv(data), "text/csv")
    )
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports/days/<int:day_id>")
def report_json(day_id: int):
    """The daily IC report (JSON)."""
    return jsonify(report_for(day_id))


@bp.get("/reports/days/<int:day_id>.csv")
def report_csv(day_id: int):
    return report_file(day_id, "csv")


@bp.get("/reports/days/<int:day_id>.pdf")
def report_pdf(day_id: int):
    return report_file(day_id, "pdf")
