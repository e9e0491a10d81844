"""ictool: the on-set tool for intimacy coordination.

`create_app` only wires things together; every rule lives in a domain module.
"""

import os
import sys


def use_gevent() -> None:
    """Make this process cooperative: gevent patches the standard library before Flask,
    sqlite3 users or anything networking is imported (`ictool serve` calls this first).
    ICTOOL_GEVENT=1 then tells the modules loaded after it (db, realtime, escalation)."""
    from gevent import monkey

    monkey.patch_all()
    os.environ["ICTOOL_GEVENT"] = "1"
    # Optional packages that sqlite-utils and python-socketio import when they happen to be
    # installed; the server never uses them. Refusing them keeps /healthz under 1.5 s after
    # start and saves ~20 MB per process (measured by `ictool bench`).
    for unused in ("numpy", "pandas", "aiohttp"):
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]


if os.environ.get("ICTOOL_GEVENT") == "1":  # started by a process that runs on gevent
    use_gevent()

from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:  # Flask loads in create_app, after `ictool serve` has patched for gevent
    from flask import Flask


def asset_dir(name: str) -> Path:
    """Where `templates` or `static` live: inside the installed package, else the repo root."""
    here = Path(__file__).resolve().parent
    inside = here / name
    return inside if inside.is_dir() else here.parent / name


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> "Flask":
    """Build the set server: config, database, translations, blueprints, realtime."""
    from flask import Flask

    from ictool import (
        auth,
        config,
        connections,
        db,
        errors,
        escalation,
        i18n,
        ratelimit,
        realtime,
        security,
        sockets,
        textguard,
    )
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
    i18n.init_app(app, auth.current_person)
    ratelimit.init_app(app)
    security.init_app(app)
    textguard.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    realtime.init_app(app)
    sockets.register()
    connections.init_app(app)
    escalation.init_app(app)
    return app
