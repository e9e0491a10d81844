"""The producer's pages and the crew briefing page, server-rendered: plain forms that post
and come back (no JS needed), each route checking one capability like the API does."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ictool import (
    briefing,
    budget,
    callsheet,
    people,
    production_settings,
    productions,
    readiness,
    rehearsals,
    scenes,
    schedule_import,
    uss_file,
)
from ictool.db import get_db
from ictool.permissions import allowed
from ictool.views.producer_api import (
    acknowledge,
    briefing_for,
    budget_csv_response,
    budget_view,
    calendar_response,
    import_options,
    is_uss,
    me,
    run_import,
)

bp = Blueprint("producer_pages", __name__)


def _form_id(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdigit() or len(value) > 18:
        abort(400, description=_("Choose an item from the list."))
    return int(value)


def _attempt(action: Callable[[], object], done: str, back: str):
    """Run a form's action; say what happened; go back to the page (post/redirect/get)."""
    try:
        action()
    except (ValueError, LookupError) as exc:
        flash(str(exc).strip("'"), "error")
    else:
        flash(done, "ok")
    return redirect(url_for(back))


@bp.get("/producer/budget")
def budget_page():
    person = me("budget.view")
    return render_template(
        "producer_budget.html",
        budget=budget_view(person["production_id"]),
        can_edit=allowed(get_db(), person, "budget.edit"),
    )


@bp.get("/producer/budget.csv")
def budget_csv():
    return budget_csv_response(me("budget.view")["production_id"])


@bp.post("/producer/budget/rates")
def budget_rates():
    person = me("budget.edit")
    fields = ("day_rate", "prep_fee", "currency", "prep_days_per_scene")
    values = {k: request.form[k] for k in fields if request.form.get(k, "").strip()}
    return _attempt(
        lambda: budget.set_rates(get_db(), person["production_id"], person["id"], **values),
        _("Rates saved."),
        "producer_pages.budget_page",
    )


@bp.post("/producer/budget/lines")
def budget_line_add():
    person = me("budget.edit")
    return _attempt(
        lambda: budget.add_line(
            get_db(),
            person["production_id"],
            request.form.get("label", ""),
            request.form.get("amount", ""),
            person["id"],
        ),
        _("Safety line added."),
        "producer_pages.budget_page",
    )


@bp.post("/producer/budget/lines/<int:line_id>/delete")
def budget_line_remove(line_id: int):
    person = me("budget.edit")
    if not budget.remove_line(get_db(), person["production_id"], line_id, person["id"]):
        abort(404)
    flash(_("Safety line removed."), "ok")
    return redirect(url_for("producer_pages.budget_page"))


@bp.get("/producer/briefing")
def briefing_status():
    person = me("briefing.status")
    return render_template(
        "producer_briefing.html",
        people=briefing.status(get_db(), person["production_id"]),
        text=briefing.text(str(get_locale())),
    )


@bp.get("/briefing")
def briefing_page():
    """A department head reads the briefing in their language and acknowledges it."""
    person = me("briefing.ack")
    return render_template("briefing.html", briefing=briefing_for(person, str(get_locale())))


@bp.post("/briefing/ack")
def briefing_ack():
    person = me("briefing.ack")
    acknowledge(person, request.form.get("language") or str(get_locale()))
    flash(_("Thank you: your acknowledgement is recorded."), "ok")
    return redirect(url_for("producer_pages.briefing_page"))


@bp.get("/producer/setup")
def setup_page():
    person = me("production.edit")
    db, pid = get_db(), person["production_id"]
    days = [
        dict(
            day,
            ic=callsheet.ic_on_day(db, day["id"]),
            intimate=any(scenes.is_intimate(s) for s in scenes.of_day(db, day["id"])),
        )
        for day in scenes.days(db, pid)
    ]
    return render_template(
        "producer_setup.html",
        production=productions.public(productions.get(db, pid)),
        settings=production_settings.get(db, pid),
        consultations=readiness.consultations(db, pid),
        days=days,
        coordinators=people.in_production(db, pid, "coordinator"),
    )


@bp.post("/producer/setup/engaged")
def setup_engaged():
    person = me("production.edit")
    engaged = request.form.get("date", "").strip() or None
    return _attempt(
        lambda: productions.set_ic_engaged(
            get_db(), person["production_id"], engaged, person["id"]
        ),
        _("Engagement date saved."),
        "producer_pages.setup_page",
    )


@bp.post("/producer/setup/consultation")
def setup_consultation():
    person = me("consultation.log")
    form = request.form
    return _attempt(
        lambda: readiness.log_consultation(
            get_db(),
            person["production_id"],
            form.get("held_on", ""),
            form.get("consultant", ""),
            form.get("summary", ""),
            person["id"],
        ),
        _("Consultation logged."),
        "producer_pages.setup_page",
    )


@bp.post("/producer/setup/callsheet")
def setup_callsheet():
    person = me("callsheet.edit")
    day = scenes.get_day(get_db(), _form_id("day_id"))
    if day is None or day["production_id"] != person["production_id"]:
        abort(404)
    on_sheet = request.form.get("on_sheet") == "1"
    return _attempt(
        lambda: callsheet.set_ic(
            get_db(), day["id"], _form_id("person_id"), on_sheet, person["id"]
        ),
        _("Call sheet updated."),
        "producer_pages.setup_page",
    )


@bp.post("/producer/setup/settings")
def setup_settings():
    person = me("production.edit")

    def save() -> None:
        values = {}
        for key in production_settings.PERIODS:
            raw = request.form.get(key, "").strip()
            if raw and not raw.isdigit():
                raise ValueError(_("Enter a number of days."))
            values[key] = int(raw) if raw else None
        production_settings.set_periods(get_db(), person["production_id"], person["id"], **values)

    return _attempt(save, _("Settings saved."), "producer_pages.setup_page")


@bp.get("/rehearsals")
def rehearsals_page():
    person = me("rehearsal.view")
    db, pid = get_db(), person["production_id"]
    return render_template(
        "rehearsals.html",
        rehearsals=[rehearsals.public(r) for r in rehearsals.of_production(db, pid)],
        scenes=[s for s in scenes.of_production(db, pid) if scenes.is_intimate(s)],
        can_edit=allowed(db, person, "rehearsal.edit"),
        can_record=allowed(db, person, "rehearsal.presence"),
    )


@bp.post("/rehearsals")
def rehearsal_add():
    person = me("rehearsal.edit")
    scene = scenes.get(get_db(), _form_id("scene_id"))
    if scene is None or scene["production_id"] != person["production_id"]:
        abort(404)
    form = request.form
    return _attempt(
        lambda: rehearsals.add(
            get_db(),
            scene["id"],
            form.get("date", ""),
            form.get("start_time", ""),
            form.get("location", ""),
            actor_id=person["id"],
        ),
        _("Rehearsal scheduled."),
        "producer_pages.rehearsals_page",
    )


@bp.post("/rehearsals/<int:rehearsal_id>/presence")
def rehearsal_presence(rehearsal_id: int):
    person = me("rehearsal.presence")
    found = rehearsals.get(get_db(), rehearsal_id)
    if found is None or found["production_id"] != person["production_id"]:
        abort(404)
    present = request.form.get("present") == "1"
    rehearsals.record_presence(get_db(), rehearsal_id, present, person["id"])
    flash(_("IC presence recorded."), "ok")
    return redirect(url_for("producer_pages.rehearsals_page"))


def _import_page(status: int = 200, **values):
    context = {"errors": None, "report": None, "csv": "", "options": {}, **values}
    context["intimacy_codes"] = scenes.INTIMACY
    return render_template("producer_import.html", **context), status


@bp.get("/producer/import")
def import_page():
    me("schedule.import")
    return _import_page()


@bp.post("/producer/import")
def import_upload():
    """Check a call sheet and show what it would change (step=preview, the default), or
    apply the previewed file (step=apply): the page carries the file's text between them."""
    person = me("schedule.import")
    options = import_options()
    options["preview"] = request.form.get("step") != "apply"
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read()
        uss = is_uss(raw, upload.filename)
        try:
            text = uss_file.decode(raw) if uss else schedule_import.decode(raw)
        except schedule_import.ImportFailed as failed:
            return _import_page(422, errors=failed.errors)
    else:
        text = request.form.get("csv", "")
        uss = uss_file.looks_like_uss(text)
    if not text.strip():
        return _import_page(422, errors=[schedule_import.RowError(1, "-", _("Choose a file."))])
    try:
        try:
            report = run_import(person, text, options, uss)
        except schedule_import.PreviewStale as exc:  # show the new preview instead
            message = str(exc)
            if uss:  # the IC's marks may change scenes already in the schedule
                message = _(
                    "The schedule or your marks change what this import does: check the"
                    " changes, then apply them."
                )
            flash(message, "error")
            options["preview"] = True
            report = run_import(person, text, options, uss)
    except schedule_import.ImportFailed as failed:
        return _import_page(422, errors=failed.errors, csv=text, options=options)
    return _import_page(report=report, csv=text, options=options)


@bp.get("/calendar.ics")
def calendar():
    """The signed-in IC's or performer's intimate scenes and rehearsals, to add to a calendar."""
    return calendar_response(me("calendar.export"))


@bp.get("/reports")
def reports_page():
    """The daily IC reports: one per shoot day, as PDF or CSV."""
    person = me("report.view")
    return render_template("reports.html", days=scenes.days(get_db(), person["production_id"]))
