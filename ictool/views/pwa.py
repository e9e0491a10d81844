"""The installable app: the service worker at /sw.js and the offline page it precaches.

The worker is the hand-written static/sw.js. Serving it from the site root lets it control
every page (`Service-Worker-Allowed: /`); `no-cache` makes phones check for a new version on
each visit. Its first `BUILD` line is filled in here with a version that changes whenever any
static file changes, the list of files to precache, and the role screens, so the list never
goes stale when a module is added and old caches are dropped after every upgrade.
"""

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from ictool.permissions import HOME_SCREENS

bp = Blueprint("pwa", __name__)

SHELL_SUFFIXES = {".css", ".js", ".png", ".svg", ".webmanifest", ".woff2"}
BUILD_LINE = 'const BUILD = { version: "dev", shell: [], homes: [], offline: "/offline" };'


def _static_files() -> list[Path]:
    """Every file of the app shell under static/, in a stable order (not the worker itself)."""
    root = Path(current_app.static_folder or "")
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in SHELL_SUFFIXES and p.relative_to(root) != Path("sw.js")
    )


def build_info() -> dict:
    """The version, precache list and role screens that the service worker is given."""
    root = Path(current_app.static_folder or "")
    files = _static_files()
    shell = [url_for("static", filename=p.relative_to(root).as_posix()) for p in files]
    homes = sorted({url_for(endpoint) for endpoint in HOME_SCREENS.values()})
    digest = hashlib.sha256(json.dumps([shell, homes]).encode())
    offline_page = Path(current_app.template_folder or "") / "offline.html"
    translations = Path(__file__).resolve().parent.parent / "translations"
    # The offline page and its words are precached too, so they count in the version.
    for path in [*files, root / "sw.js", offline_page, *sorted(translations.glob("*/*/*.mo"))]:
        if path.is_file():
            digest.update(path.read_bytes())
    return {
        "version": digest.hexdigest()[:16],
        "shell": shell,
        "homes": homes,
        "offline": url_for("pwa.offline"),
    }


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, allowed to control the whole site and never served stale."""
    source = (Path(current_app.static_folder or "") / "sw.js").read_text(encoding="utf-8")
    build = json.dumps(build_info(), separators=(", ", ": "))
    response = Response(
        source.replace(BUILD_LINE, f"const BUILD = {build};", 1),
        mimetype="text/javascript",
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline() -> str:
    """What the app shows offline for a page it never saved; no personal data in it."""
    return render_template("offline.html")
