"""`ictool serve --https`: TLS on the set's Wi-Fi with this laptop's own certificate authority.

Phones give a page offline storage, push and wake lock only on a secure origin, and a set
has no internet for a public certificate. So the server makes a local CA once (ictool.tls),
a certificate for its LAN addresses and hostname, and serves TLS with it. An optional plain
HTTP port serves only the /ca page (so a phone can fetch the CA before trusting it) and
sends everything else to the HTTPS address.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from flask import Flask

from ictool import tls

# What the plain HTTP side port answers itself; everything else moves to HTTPS.
PLAIN_HTTP_PATHS = ("/ca", "/ca.pem", "/ca.crt", "/healthz")


def certificate_names(host: str) -> tuple[list[str], list[str]]:
    """Hostnames and addresses the server certificate must name for phones to reach us."""
    short = socket.gethostname().split(".")[0]
    hostnames = [name for name in (short, f"{short}.local", "localhost") if name]
    addresses = tls.lan_addresses()
    if host not in ("0.0.0.0", "::", "") and host not in addresses:  # noqa: S104
        addresses.insert(0, host)
    return hostnames, addresses


def setup(app: Flask, host: str, base_url: str) -> ssl.SSLContext:
    """Make sure the CA and server certificate exist; configure the app for HTTPS."""
    hostnames, addresses = certificate_names(host)
    try:
        files = tls.ensure_certificates(Path(app.instance_path), hostnames, addresses)
    except (tls.TlsSetupError, ValueError, OSError) as exc:
        raise RuntimeError(str(exc)) from exc
    app.config["CA_FINGERPRINT"] = tls.ca_fingerprint(files.ca_cert)  # shown at start and on /ca
    app.config["SESSION_COOKIE_SECURE"] = True
    app.config["PREFERRED_URL_SCHEME"] = "https"
    app.config["HTTPS"] = True
    if not app.config.get("BASE_URL"):
        app.config["BASE_URL"] = base_url
    return tls.ssl_context(files)


def plain_http_app(app: Callable, https_port: int) -> Callable:
    """A WSGI app for the plain HTTP port: the CA page itself, else a redirect to HTTPS."""

    def redirect_or_serve(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path in PLAIN_HTTP_PATHS or path.startswith("/static/"):  # the /ca page's CSS
            return app(environ, start_response)
        host_header = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "localhost"
        host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
        query = environ.get("QUERY_STRING", "")
        target = f"https://{host}:{https_port}{quote(path)}" + (f"?{query}" if query else "")
        safe = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        start_response(
            "302 Found" if safe else "307 Temporary Redirect",
            [("Location", target), ("Content-Type", "text/plain"), ("Cache-Control", "no-store")],
        )
        return [f"This server uses HTTPS: {target}\n".encode()]

    return redirect_or_serve
