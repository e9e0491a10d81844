"""Settings: defaults, the instance folder, then `ICTOOL_*` environment variables.

Any setting `KEY` can be given as `ICTOOL_KEY` (Flask's `from_prefixed_env`).
A secret key is never defaulted outside debug/testing: one is generated on first
run and kept in the instance folder.
"""

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "DB": None,  # path of the SQLite file; None means <instance>/ictool.db
    "ESCALATION_SECONDS": 15,
    "MESSAGE_QUEUE": None,  # e.g. redis://127.0.0.1:6379/0 to run several processes
    "BASE_URL": None,  # the address phones use, for join links; guessed when unset
    "PUSH_SUBSCRIBER": "mailto:ictool@localhost",
    "PUSH_ALLOW_PRIVATE": False,  # True lets push reach http:// and LAN hosts: tests only
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True forces it; otherwise Secure whenever served over HTTPS
    "RATE_LIMITS": True,
    "RATE_LIMIT_FAILURES": 10,  # failed sign-ins (join link, bearer token) per minute per address
    "RATE_LIMIT_API": 600,  # /api requests per minute per person (or address if signed out)
    "AUDIT_CHECKPOINT_SECONDS": 3600,  # how often the server signs the audit log's head
    "ALERT_PAGE": 500,  # alerts per page of a list or a replay (pages say when more follow)
    "SOCKETS_PER_ADDRESS": 200,  # live sockets one address may hold (a set behind one NAT)
    "CONNECTIONS_PER_ADDRESS": 400,  # TCP connections one address may hold (ictool serve)
    "SOCKET_SIGN_IN_SECONDS": 5,  # a socket not signed in by then is closed
    "TOKEN_CHECK_SECONDS": 10,  # open sockets' tokens are checked again this often
    "HTTP_IDLE_SECONDS": 15,  # a TCP connection sending no request line for this long closes
    "FD_LIMIT": None,  # file descriptors to allow this process (default: the hard limit)
    "FD_RESERVE": 512,  # descriptors kept from sockets for /healthz, sign-in and pauses
    "RETENTION_DAYS": 1095,  # days after a production ends before `ictool purge` removes it
    "REPORT_FONT": None,  # a .ttf for report PDFs; default: DejaVu Sans when installed
    "PROXY_HOPS": 0,  # proxies in front (nginx: 1) whose X-Forwarded-For/-Proto to trust
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
    "JSON_SORT_KEYS": False,
    "LOG_LEVEL": "INFO",
    "PEERS": None,  # the set's other servers (standbys), e.g. "http://10.0.0.6:5000"
    "REPLICATE": None,  # a Litestream replica URL, e.g. file:///media/usb/ictool
}

UNSAFE_SECRETS = {"", "dev", "secret", "changeme", "change-me", "test"}


def load(app: Flask, test_config: dict | None = None) -> None:
    """Fill `app.config` in order: defaults, instance `config.py`, environment, test config."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ICTOOL")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DB"):
        app.config["DB"] = str(Path(app.instance_path) / "ictool.db")
    app.config["ESCALATION_SECONDS"] = float(app.config["ESCALATION_SECONDS"])
    app.config["RETENTION_DAYS"] = int(app.config["RETENTION_DAYS"])
    app.config["ALERT_PAGE"] = max(1, int(app.config["ALERT_PAGE"]))
    _load_secret(app)
    if app.config.get("PEERS"):
        from ictool import peers

        app.config["CSP"] = peers.csp(app)


def _load_secret(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if key and (key not in UNSAFE_SECRETS or app.debug or app.testing):
        return
    if key:
        raise RuntimeError("SECRET_KEY is a well-known value; unset it to have one generated.")
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = path.read_text().strip()
