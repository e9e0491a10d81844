"""Text is valid Unicode at the edge, and stored text never stops a page.

On the way in: a write whose JSON or form fields hold text that is not valid Unicode (a lone
surrogate such as "\\udfff", which JSON escapes can carry) is refused with a 422 naming the
field, before any handler runs; `sockets` asks `bad_field` of each event's payload.
On the way out: every response body is encoded with anything unencodable replaced by U+FFFD,
so text an older version stored (or a damaged file holds) still renders.
"""

import re

from flask import Flask, Response, abort, request
from flask_babel import gettext as _

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def scrub(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD (a no-op for valid text)."""
    return _SURROGATE.sub(REPLACEMENT, text)


def _valid(text: str) -> bool:
    return _SURROGATE.search(text) is None


def bad_field(value: object, path: str = "") -> str | None:
    """The name of the first field (e.g. `beats[2]`, `subscription.endpoint`) holding text
    that is not valid Unicode, in keys or values at any depth; None when all is valid."""
    if isinstance(value, str):
        return None if _valid(value) else (path or "body")
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not _valid(key):
                return path or "body"
            found = bad_field(item, name)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = bad_field(item, f"{path}[{i}]")
            if found:
                return found
    return None


def refusal(field: str) -> str:
    """The words for a refused field, in the reader's language."""
    return _(
        "%(key)s must be valid text: it holds a character that is not valid Unicode", key=field
    )


def _check_request() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    field = None
    if request.is_json:
        field = bad_field(request.get_json(silent=True))
    elif request.form:
        field = bad_field({k: request.form.getlist(k) for k in request.form})
        field = field.split("[", 1)[0] if field else None
    if field:
        abort(422, description=refusal(field))


class SafeResponse(Response):
    """A response whose text body is always encodable: stored text never makes a 500."""

    def set_data(self, value: bytes | str) -> None:
        if isinstance(value, str):
            value = scrub(value).encode()
        super().set_data(value)


def init_app(app: Flask) -> None:
    """Refuse invalid text on every write; encode every page safely."""
    app.response_class = SafeResponse
    app.before_request(_check_request)
