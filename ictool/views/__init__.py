"""HTTP routes, one blueprint per area. Views ask domain modules; they hold no SQL."""

from flask import Flask, abort, request


def register_blueprints(app: Flask) -> None:
    from ictool.views import api, join, pages

    app.register_blueprint(join.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what to send."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object with Content-Type: application/json.")
    return data


def day_arg() -> int | None:
    """The optional `?day=<id>` of a screen."""
    value = request.args.get("day")
    if value is None:
        return None
    if not value.isdigit():
        abort(400, description="day must be a shoot day id")
    return int(value)
