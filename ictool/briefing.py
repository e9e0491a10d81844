"""The crew briefing: the IC's role and the closed-set rules, in every shipped language,
acknowledged by each department head on their phone.

The text is versioned: an acknowledgement is of one version, and changing the text
means bumping VERSION so everyone acknowledges the new one. The English source is
marked translatable; its French, German, Spanish and Swedish live in the catalogues
(ictool/translations), with the same terms as the rest of the screens.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from ictool import audit, people
from ictool.db import now, transaction
from ictool.i18n import LANGUAGES

VERSION = 1
REQUIRED_ROLES = ("crew",)  # department heads; the demo's crew are one per department
MAY_ACKNOWLEDGE = ("crew", "first_ad", "second_ad", "director", "coordinator", "producer")

ENGLISH = {
    "title": _l("Working with the intimacy coordinator"),
    "points": [
        _l(
            "The intimacy coordinator (IC) choreographs scenes with nudity or simulated sex, "
            "as a stunt coordinator does for action, and is part of the team: on the call "
            "sheet and at blocking rehearsals."
        ),
        _l(
            "The IC agrees each performer's boundaries in advance. Nothing is added on the "
            "day without the performers' new agreement."
        ),
        _l(
            "Anyone can pause a scene at any time: say “hold” or use the pause button in "
            "ictool. The IC and the 1st AD stop the work; nobody has to explain why."
        ),
        _l(
            "Closed set: only the people on the scene's list stay. The 1st AD confirms the set "
            "is closed before anyone undresses."
        ),
        _l(
            "No photos, video or personal phones out on a closed set; monitors only where "
            "the scene's list allows."
        ),
        _l(
            "Keep your department to these rules and bring any concern to the IC, privately "
            "if you prefer. Nobody is penalised for raising one."
        ),
    ],
    "acknowledge": _l("I have read this briefing and will brief my department."),
}


def text(language: str | None) -> dict:
    """The briefing in a shipped language (else English), from the catalogues, with its
    version."""
    if language not in LANGUAGES:
        language = "en"
    with force_locale(language):
        return {
            "title": str(ENGLISH["title"]),
            "points": [str(p) for p in ENGLISH["points"]],
            "acknowledge": str(ENGLISH["acknowledge"]),
            "language": language,
            "version": VERSION,
        }


def acknowledged(db: Database, person_id: int) -> dict | None:
    """This person's acknowledgement of the current version, or None."""
    rows = list(
        db["briefing_acks"].rows_where("person_id = ? AND version = ?", [person_id, VERSION])
    )
    return rows[0] if rows else None


def acknowledge(db: Database, person: dict, language: str | None) -> dict:
    """Record that a person read the current briefing (again is harmless: the first time stays)."""
    if person["role"] not in MAY_ACKNOWLEDGE:
        raise PermissionError(_("This role does not acknowledge the crew briefing."))
    found = acknowledged(db, person["id"])
    if found:
        return found
    language = language if language in LANGUAGES else "en"
    with transaction(db):
        db["briefing_acks"].insert(
            {
                "production_id": person["production_id"],
                "person_id": person["id"],
                "version": VERSION,
                "language": language,
                "acknowledged_at": now(),
            }
        )
        audit.record(
            db,
            "briefing.acknowledged",
            actor_id=person["id"],
            production_id=person["production_id"],
            subject=f"person:{person['id']}",
            version=VERSION,
        )
    return acknowledged(db, person["id"])


def status(db: Database, production_id: int) -> list[dict]:
    """Every department head: who has acknowledged the current version, and when."""
    acks = {
        row["person_id"]: row
        for row in db["briefing_acks"].rows_where(
            "production_id = ? AND version = ?", [production_id, VERSION]
        )
    }
    out = []
    for person in people.with_roles(db, production_id, REQUIRED_ROLES):
        ack = acks.get(person["id"])
        out.append(
            dict(
                people.public(person),
                acknowledged_at=ack["acknowledged_at"] if ack else None,
                language=ack["language"] if ack else None,
            )
        )
    return sorted(out, key=lambda p: (p["acknowledged_at"] is not None, p["name"]))
