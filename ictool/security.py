"""Web defences every response gets: CSRF on cookie-authenticated writes, a strict
Content-Security-Policy, no referrer (join links carry secrets), safe cookies."""

import json
import secrets

from flask import Flask, abort, current_app, request, session
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

from ictool.auth import bearer_token

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; manifest-src 'self'; "
    "worker-src 'self'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    """This session's CSRF token, made on first use (pages put it in a meta tag and forms)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


# Routes that take a whole schedule file (a USS file may be 5 MB; the import page carries
# it between preview and apply in a form field): their own, larger limit.
LARGE_BODIES = {
    "producer_api.schedule_import_csv": 6 * 1024 * 1024,
    "producer_pages.import_upload": 16 * 1024 * 1024,
}


def _check_size() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    large = LARGE_BODIES.get(request.endpoint or "")
    if large and limit:
        limit = request.max_content_length = request.max_form_memory_size = large
    if limit and (request.content_length or 0) > limit:
        abort(413, description=_("That is too large to send (over %(kb)s KB).", kb=limit // 1024))


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS or bearer_token():
        return
    if "token_id" not in session:
        return  # nobody is signed in by cookie: the route itself answers 401
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(403, description=_("This form has expired. Reload the page and try again."))


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config.get("CSP") or CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.path.startswith(("/api/", "/join/", "/setup/")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


MAX_INT = 2**63 - 1  # the largest integer SQLite stores


def bounded_int(text: str) -> int:
    """A JSON integer, refused (as bad JSON) past what SQLite can store."""
    value = int(text)
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise ValueError("integer out of range")
    return value


def safe_loads(text, **kwargs):
    """json.loads that turns absurd input (huge integers, thousands of nested brackets)
    into a ValueError, which every caller already treats as bad JSON."""
    kwargs.setdefault("parse_int", bounded_int)
    try:
        return json.loads(text, **kwargs)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a huge integer or a body nested thousands deep is a 400, not a 500."""

    def loads(self, s, **kwargs):
        return safe_loads(s, **kwargs)


class SocketJSON:
    """The JSON module Socket.IO packets are decoded with: the same limits as HTTP."""

    dumps = staticmethod(json.dumps)
    loads = staticmethod(safe_loads)


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.json = JSONProvider(app)
    app.before_request(_check_size)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
