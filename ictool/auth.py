"""Who is asking: a join link's session cookie, or `Authorization: Bearer <token>`.

The session holds the token's id, not the person's: revoking the token signs the
phone out at its next request.
"""

from flask import g, request, session
from sqlite_utils import Database

from ictool import people
from ictool.db import get_db


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def person_from_request(db: Database) -> tuple[dict, str] | None:
    """The signed-in person and how ("bearer" or "cookie"), from the current request."""
    token = bearer_token()
    if token:
        found = people.by_token(db, token)
        return (found[0], "bearer") if found else None
    token_id, generation = session.get("token_id"), session.get("generation", 0)
    if isinstance(token_id, int) and isinstance(generation, int):
        person = people.by_token_id(db, token_id, generation)
        if person:
            return person, "cookie"
    return None


def current_person() -> dict | None:
    """The person making this request, or None; looked up once per request."""
    if "person" not in g:
        found = person_from_request(get_db())
        g.person, g.auth_via = found if found else (None, None)
    return g.person


def sign_in(token: str) -> dict | None:
    """Sign this browser in with a join token; returns the person or None."""
    found = people.by_token(get_db(), token)
    if not found:
        return None
    person, token_id = found
    session.clear()
    session.permanent = True
    session["token_id"] = token_id
    session["generation"] = people.session_generation(get_db(), token_id)
    g.person, g.auth_via = person, "cookie"
    return person


def sign_out() -> None:
    """End this browser's session on the server too: a copy of its cookie signs nobody in."""
    token_id = session.get("token_id")
    if isinstance(token_id, int) and person_from_request(get_db()):
        people.end_sessions(get_db(), token_id)
    session.clear()
