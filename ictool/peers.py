"""The set's servers: this one and its standbys (`ICTOOL_PEERS`), so a phone can carry on
with another when the live one stops answering.

Each signed-in phone learns the addresses and a failover ticket: the person's join-token id,
signed with the set's secret key (which a standby restored from a backup shares). On a
standby that has been promoted, the ticket signs the phone in again; a revoked join link
stays revoked, because the ticket names the token and the token is checked as always.
"""

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer

TICKET_SALT = "ictool-failover"
TICKET_MAX_AGE = 14 * 24 * 3600  # a production's fortnight; the token itself can expire sooner


def addresses(app: Flask, this: str) -> list[str]:
    """This server first, then the configured peers, without duplicates or slashes."""
    peers = app.config.get("PEERS") or []
    if isinstance(peers, str):
        peers = [p for p in peers.replace(",", " ").split() if p]
    out: list[str] = []
    for url in [this, *peers]:
        url = url.rstrip("/")
        if url.startswith(("http://", "https://")) and url not in out:
            out.append(url)
    return out


def csp(app: Flask) -> str:
    """The page policy, allowing `connect-src` to the peers so the app can ask them."""
    from ictool.security import CSP

    others = " ".join(addresses(app, "")[0:])
    return CSP.replace("connect-src 'self'", f"connect-src 'self' {others}") if others else CSP


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=TICKET_SALT)


def ticket(app: Flask, token_id: int) -> str:
    """A ticket a standby with the same secret key accepts in place of the join link."""
    return _serializer(app).dumps({"t": token_id})


def token_id_of(app: Flask, text: object) -> int | None:
    """The token id a ticket names, or None if it is forged, damaged or too old."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    try:
        data = _serializer(app).loads(text, max_age=TICKET_MAX_AGE)
    except BadSignature:
        return None
    value = data.get("t") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
