"""Languages and the words for codes: each person's choice, remembered; else the
phone's language; else English."""

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "sv": "Svenska"}

ROLE_LABELS = {
    "coordinator": _l("Intimacy coordinator"),
    "first_ad": _l("1st AD"),
    "second_ad": _l("2nd AD"),
    "director": _l("Director"),
    "performer": _l("Performer"),
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


def select_locale() -> str | None:
    """The person's language, else the session's, else the phone's; outside a request
    (a background thread with only the app) the default, English."""
    from ictool.auth import current_person

    if not has_request_context():
        return None
    person = current_person()
    if person and person.get("language") in LANGUAGES:
        return person["language"]
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def _template_helpers() -> dict:
    from ictool.auth import current_person

    return {
        "me": current_person(),
        "role_label": lambda code: str(ROLE_LABELS.get(code, code)),
        "intimacy_label": lambda code: str(INTIMACY_LABELS.get(code, code)),
        "rider_label": lambda code: str(RIDER_LABELS.get(code, code)),
    }


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(_template_helpers)
