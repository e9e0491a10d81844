"""Errors people can act on get words; the API gets JSON `{"error": ...}`.

Anything unexpected is logged with an id (never with request bodies) and the
person sees that id, so a report can be matched without private text in logs.
"""

import logging
import secrets

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("ictool")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _friendly(code: int) -> str:
    return {
        400: _("That request was not understood."),
        401: _("Please open your personal join link (or scan your QR code) to sign in."),
        403: _("This is not available to your role."),
        404: _("Nothing here."),
        405: _("That action is not allowed here."),
        413: _("That is too large to send."),
        422: _("Some of what was sent is not valid."),
        429: _("Too many attempts. Wait a moment and try again."),
    }.get(code, _("Something went wrong."))


def _http_error(exc: HTTPException):
    code = exc.code or 500
    message = exc.description if exc.description and _custom(exc) else _friendly(code)
    # keep what the exception says beyond its body, e.g. Retry-After on a 429, Allow on a 405
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return jsonify(error=message, status=code), code, headers
    return render_template("error.html", code=code, message=message), code, headers


def _custom(exc: HTTPException) -> bool:
    return exc.description != type(exc).description


def _unexpected(exc: Exception):
    error_id = secrets.token_hex(4)
    log.error(
        "error %s on %s %s: %s",
        error_id,
        request.method,
        request.path,
        type(exc).__name__,
        exc_info=exc,
    )
    message = _("Something went wrong (error %(id)s).", id=error_id)
    if wants_json():
        return jsonify(error=message, status=500), 500
    return render_template("error.html", code=500, message=message), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(Exception, _unexpected)


class Invalid(ValueError):
    """A field a person typed is not acceptable: `field` names it, the message says why
    (in the person's language). Views answer it with a 4xx naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
