"""The /ca page: how a phone comes to trust this laptop's HTTPS, with no sign-in needed.

A phone must install the set's certificate authority (made by `ictool serve --https`) before
it trusts the server. This page offers the CA file, its SHA-256 fingerprint to compare with
the laptop's screen, and the few taps to install it on iOS and Android.
"""

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from ictool import tls

bp = Blueprint("ca", __name__)

CA_MIMETYPE = "application/x-x509-ca-cert"


def _ca_path() -> Path:
    """Where `ictool serve --https` keeps the CA certificate (public; its key stays private)."""
    return Path(current_app.instance_path) / "tls" / "ca.pem"


@bp.get("/ca")
def ca_page() -> str:
    """Install steps, the CA's fingerprint and download links (or why there is none)."""
    path = _ca_path()
    fingerprint = tls.ca_fingerprint(path) if path.is_file() else None
    return render_template(
        "ca.html",
        fingerprint=fingerprint,
        secure=request.is_secure,
        https_url=current_app.config.get("BASE_URL") if current_app.config.get("HTTPS") else None,
    )


@bp.get("/ca.pem")
def ca_pem() -> Response:
    """The CA certificate inline, typed so Safari on iOS offers to install it as a profile."""
    return _ca_file("ictool-set-ca.pem", inline=True)


@bp.get("/ca.crt")
def ca_crt() -> Response:
    """The same certificate named .crt, the name Android's certificate installer lists."""
    return _ca_file("ictool-set-ca.crt", inline=False)


def _ca_file(filename: str, inline: bool) -> Response:
    path = _ca_path()
    if not path.is_file():
        abort(
            404, description=_("This server has no certificate authority: it is not using HTTPS.")
        )
    response = Response(path.read_bytes(), mimetype=CA_MIMETYPE)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache"
    return response
