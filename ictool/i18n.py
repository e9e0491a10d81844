"""Languages and the words for codes: each person's choice, remembered; else the
phone's language; else English."""

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from babel.dates import format_skeleton
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "sv": "Svenska"}

ROLE_LABELS = {
    "coordinator": _l("Intimacy coordinator"),
    "first_ad": _l("1st AD"),
    "second_ad": _l("2nd AD"),
    "director": _l("Director"),
    "performer": _l("Performer"),
    "background": _l("Background performer"),
    "crew": _l("Crew"),
    "producer": _l("Producer"),
}
INTIMACY_LABELS = {
    "none": _l("No intimacy"),
    "kiss": _l("Kiss"),
    "simulated_sex": _l("Simulated sex"),
    "partial_nudity": _l("Partial nudity"),
    "full_nudity": _l("Full nudity"),
}
RIDER_LABELS = {
    "signed": _l("rider signed"),
    "late": _l("rider signed late"),
    "missing": _l("rider missing"),
    "sent": _l("rider sent, not signed yet"),
}

babel = Babel()
_signed_in: list[Callable[[], dict | None]] = []  # the app's current_person, from init_app


def _current_person() -> dict | None:
    return _signed_in[0]() if _signed_in else None


def select_locale() -> str | None:
    """The person's language, else the session's, else the phone's; outside a request
    (a background thread with only the app) the default, English."""
    if not has_request_context():
        return None
    person = _current_person()
    if person and person.get("language") in LANGUAGES:
        return person["language"]
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def role_label(code: str | None) -> str:
    """A role code ('first_ad') in the reader's language ('1st AD', '1er assistant…')."""
    return str(ROLE_LABELS.get(code, code or ""))


def roster_label(purpose: str | None, role: str) -> str:
    """Why someone is on a closed set: a role code is translated, a person's own words
    ('camera operator') are shown as they were written, nothing falls back to the role."""
    if not purpose:
        return role_label(role)
    return role_label(purpose) if purpose in ROLE_LABELS else purpose


def _parse(value: object) -> date | time | datetime | None:
    """A stored date ('2026-12-02'), clock time ('07:30') or ISO timestamp, or None."""
    if isinstance(value, date | time):
        return value
    text = str(value or "")
    for kind in (datetime, date, time):
        try:
            return kind.fromisoformat(text)
        except ValueError:
            continue
    return None


def _formatter(show):
    def fmt(value: object) -> str:
        parsed = _parse(value)
        return show(parsed) if parsed is not None else str(value or "")

    return fmt


def _day(value: date) -> str:
    """'Wed, Dec 2' / 'mer. 2 déc.': a shoot day, short, in the reader's order and words."""
    return format_skeleton("MMMEd", value, locale=get_locale())


def _clock(value: time | datetime) -> str:
    """A time of day: a stored UTC timestamp in the set's time zone, a call time as is;
    24-hour where the language uses it."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return format_time(value.time(), "short")
    return format_time(value, "short")


def _when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    return format_date(value, "medium")


def shown_date(value: str) -> str:
    """A stored date ('2026-12-02') as the reader reads dates ('2 déc. 2026'); as stored
    outside a request (the CLI speaks English and ISO dates)."""
    parsed = _parse(value)
    if not has_request_context() or not isinstance(parsed, date):
        return str(value)
    return format_date(parsed, "medium")


def local_zone() -> str:
    """The set server's own time zone (an IANA name), so times read as the set's clocks."""
    link = Path("/etc/localtime")
    try:
        target = str(link.resolve())
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def _template_helpers() -> dict:
    return {
        "me": _current_person(),
        "role_label": role_label,
        "roster_label": roster_label,
        "intimacy_label": lambda code: str(INTIMACY_LABELS.get(code, code)),
        "rider_label": lambda code: str(RIDER_LABELS.get(code, code)),
    }


def init_app(app: Flask, current_person: Callable[[], dict | None]) -> None:
    """Languages, dates and the words for codes in pages; `current_person` tells whose
    language a request is in (handed in, so the words need not know how sign-in works)."""
    _signed_in[:] = [current_person]
    # ICTOOL_BABEL_DEFAULT_TIMEZONE overrides it (e.g. Europe/Oslo on a laptop set to UTC)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", local_zone())
    babel.init_app(app, locale_selector=select_locale)
    # dates and times through the reader's locale: |day (shoot days), |date (a date),
    # |clock (a call time or a stored timestamp), |when (date and time)
    app.jinja_env.filters["day"] = _formatter(_day)
    app.jinja_env.filters["date"] = _formatter(lambda v: format_date(v, "medium"))
    app.jinja_env.filters["clock"] = _formatter(_clock)
    app.jinja_env.filters["when"] = _formatter(_when)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(_template_helpers)
