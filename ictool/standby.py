"""A standby: a second laptop keeping a restored copy of the record warm, ready to be made
the live server by a person (`ictool promote`, or the button on its page), never by itself.

`litestream restore -f` follows the replica and applies each change as it lands, so the
copy is seconds old. The standby answers phones with "standby" (GET /api/alive) and takes
no alert (503, which phones retry), so a phone never splits the record between two servers.
Promotion: wait for the follower to apply what the replica holds, stop it, check the copy
(SQLite's integrity check and the audit chain), then become `ictool serve` on it.
"""

import json
import logging
import os
import secrets
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import Babel, get_locale
from flask_babel import gettext as _

from ictool import asset_dir, audit
from ictool.i18n import LANGUAGES
from ictool.replica import ReplicaError, _run, die_with_parent

log = logging.getLogger(__name__)
MODES = ("live", "standby")  # what GET /api/alive answers: the live server, or a standby
CATCH_UP_SECONDS = 10


class Standby:
    """The follower process and what the page shows about it."""

    def __init__(self, db_path: Path, url: str, binary: str, instance: Path):
        self.db, self.url, self.binary, self.instance = Path(db_path), url, binary, instance
        self.code = f"{secrets.randbelow(10**6):06d}"  # shown on this laptop's screen
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.promoting = threading.Event()
        self.promoted = threading.Event()
        self.failure: str | None = None
        self.restarts = 0
        self._stop = threading.Event()

    @property
    def txid_file(self) -> Path:
        return self.db.with_name(self.db.name + "-txid")

    def prepare(self) -> None:
        """Refuse a path that holds a live database; a standby copy left by an earlier run
        is kept, and the follower resumes from where it stopped."""
        if self.db.exists() and not self.txid_file.exists():
            raise ReplicaError(
                f"{self.db} exists and is not a standby copy; give --db a new file "
                "(the standby writes its copy there)"
            )
        state = {"pid": os.getpid(), "code": self.code, "db": str(self.db), "port": self.port}
        path = self.instance / "standby.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._supervise, name="standby-follower", daemon=True).start()

    def _spawn(self) -> None:
        cmd = [self.binary, "restore", "-f", "-o", str(self.db), self.url]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        threading.Thread(target=self._read_log, args=(self.proc,), daemon=True).start()

    def _read_log(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr or ():
            if "level=ERROR" in line or line.startswith("Error"):
                self.failure = line.strip()[:300]
                log.warning("standby: %s", line.strip()[:500])

    def _supervise(self) -> None:
        """Restart the follower if it stops (no replica yet, a drive unplugged for a moment)."""
        while not self._stop.wait(1.0):
            proc = self.proc
            if proc is not None and proc.poll() is not None and not self.promoting.is_set():
                self.restarts += 1
                if not self.txid_file.exists():
                    Path(self.db).unlink(missing_ok=True)  # a half-made first restore
                self._stop.wait(min(10.0, 1.0 * self.restarts))
                if not self.promoting.is_set():
                    self._spawn()

    def applied_txid(self) -> int | None:
        try:
            return int(self.txid_file.read_text().strip() or "0", 16)
        except (OSError, ValueError):
            return None

    def replica_txid(self) -> int | None:
        out = _run([self.binary, "ltx", "-level", "all", "-json", self.url], timeout=10)
        if out is None or out.returncode != 0:
            return None
        files = json.loads(out.stdout or "[]")
        return max((int(f["max_txid"], 16) for f in files), default=None)

    def age(self) -> float | None:
        """Seconds since the copy last changed (the follower applied something)."""
        try:
            return max(0.0, time.time() - self.txid_file.stat().st_mtime)
        except OSError:
            return None

    def promote(self) -> None:
        """Catch up with the replica, stop following, check the copy. ReplicaError if unfit."""
        self.promoting.set()
        deadline = time.monotonic() + CATCH_UP_SECONDS
        target = self.replica_txid()
        while target is not None and time.monotonic() < deadline:
            applied = self.applied_txid()
            if applied is not None and applied >= target:
                break
            time.sleep(0.2)
        log.warning(
            "standby: promoting; replica at txid %s, copy at %s after %.1f s",
            target,
            self.applied_txid(),
            CATCH_UP_SECONDS - (deadline - time.monotonic()),
        )
        self._stop.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self.db.is_file():
            self.promoting.clear()
            raise ReplicaError(f"no copy to promote yet: nothing restored from {self.url}")
        conn = sqlite3.connect(self.db)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise ReplicaError(f"the standby copy is damaged: {ok}")
            import sqlite_utils

            broken = audit.verify(sqlite_utils.Database(conn))
            if broken:
                raise ReplicaError(
                    f"the standby copy's audit chain breaks at entry #{broken.entry_id}"
                )
        finally:
            conn.close()
        self.txid_file.unlink(missing_ok=True)
        (self.instance / "standby.json").unlink(missing_ok=True)
        self.promoted.set()


def create_app(standby: Standby, base_url: str) -> Flask:
    """The standby's own small site: its page, its promote button, and "not live" answers."""
    app = Flask(
        "ictool",
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
    )
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(list(LANGUAGES)))
    app.jinja_env.globals["get_locale"] = get_locale

    @app.after_request
    def headers(response):
        from ictool.security import CSP

        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True, mode="standby")

    @app.get("/api/alive")
    def alive():
        response = jsonify(mode="standby", server=base_url)  # until the live server replaces it
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    def page(message: str | None = None, status: int = 200):
        age = standby.age()
        return (
            render_template(
                "standby.html",
                url=_safe(standby.url),
                age=None if age is None else int(age),
                message=message,
                promoting=standby.promoting.is_set(),
            ),
            status,
        )

    @app.get("/")
    @app.get("/standby")
    def home():
        return page()

    @app.post("/standby/promote")
    def promote():
        code = request.form.get("code", "") or (request.get_json(silent=True) or {}).get("code", "")
        if not isinstance(code, str) or not secrets.compare_digest(code.strip(), standby.code):
            return page(_("That is not the code shown on this laptop's screen."), 403)
        if standby.promoting.is_set():
            return page()
        try:
            standby.promote()
        except ReplicaError as exc:
            return page(str(exc), 409)
        return page(_("This laptop is becoming the live server. Phones move to it by themselves."))

    @app.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def not_live(anything: str):
        if anything.startswith(("api/", "socket.io")):
            abort(503, description="standby")
        return page()

    @app.errorhandler(503)
    def unavailable(_exc):
        return jsonify(
            error=_(
                "This is the set's standby server; it takes nothing until the IC makes it live."
            )
        ), 503

    return app


def _safe(url: str) -> str:
    """A replica URL without any password in it, to show on a page."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.password:
        host = parsed.hostname or ""
        user = f"{parsed.username}@" if parsed.username else ""
        port = f":{parsed.port}" if parsed.port else ""
        return parsed._replace(netloc=f"{user}{host}{port}").geturl()
    return url
