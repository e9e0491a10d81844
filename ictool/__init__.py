"""ictool: the on-set tool for intimacy coordination.

`create_app` only wires things together; every rule lives in a domain module.
"""

import os

if os.environ.get("ICTOOL_GEVENT") == "1":  # set by `ictool serve` before it re-executes itself
    from gevent import monkey

    monkey.patch_all()

from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402


def asset_dir(name: str) -> Path:
    """Where `templates` or `static` live: inside the installed package, else the repo root."""
    here = Path(__file__).resolve().parent
    inside = here / name
    return inside if inside.is_dir() else here.parent / name


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the set server: config, database, translations, blueprints, realtime."""
    from ictool import config, db, errors, i18n, ratelimit, realtime, security, sockets
    from ictool.views import register_blueprints

    app = Flask(
        __name__,
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
        instance_path=instance_path or os.environ.get("ICTOOL_INSTANCE"),
        instance_relative_config=True,
    )
    config.load(app, test_config)
    db.init_app(app)
    i18n.init_app(app)
    ratelimit.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    realtime.init_app(app)
    sockets.register()
    return app
