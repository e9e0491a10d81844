"""HTTP routes, one blueprint per area. Views ask domain modules; they hold no SQL."""

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # SQLite's largest integer: a longer number in a URL is a 404, not a 500


class IdConverter(IntegerConverter):
    """`<int:...>` in every route, bounded to what SQLite can store: a longer number does
    not match (404), and one past SQLite's range becomes 0, an id nothing has (404 too;
    rejecting it in the converter would make werkzeug answer 405 for some methods)."""

    regex = r"\d{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


def register_blueprints(app: Flask) -> None:
    from ictool.views import (
        alerts_api,
        api,
        ca,
        join,
        pages,
        people_api,
        people_pages,
        producer_api,
        producer_pages,
        pwa,
        rider_api,
        rider_pages,
        roster_api,
        scene_pages,
        scenes_api,
        schedule_api,
        schedule_pages,
        servers,
        setup_pages,
    )

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(join.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(ca.bp)
    app.register_blueprint(alerts_api.bp)
    app.register_blueprint(scenes_api.bp)
    app.register_blueprint(scene_pages.bp)
    app.register_blueprint(roster_api.bp)
    app.register_blueprint(rider_api.bp)
    app.register_blueprint(rider_pages.bp)
    app.register_blueprint(producer_api.bp)
    app.register_blueprint(producer_pages.bp)
    app.register_blueprint(setup_pages.bp)
    app.register_blueprint(people_pages.bp)
    app.register_blueprint(people_api.bp)
    app.register_blueprint(schedule_api.bp)
    app.register_blueprint(schedule_pages.bp)
    app.register_blueprint(servers.bp)


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what to send."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description=_("Send a JSON object with Content-Type: application/json."))
    return data


def day_arg() -> int | None:
    """The optional `?day=<id>` of a screen."""
    value = request.args.get("day")
    if value is None:
        return None
    if not value.isdigit() or int(value) > MAX_ID:
        abort(400, description=_("%(key)s must be a shoot day id", key="day"))
    return int(value)
