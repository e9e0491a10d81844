"""What each blocking beat asks (which performers, which nudity, acts and contact, from the
rider's codes in `rider_terms`), and the one rule that holds a beat against each
performer's signed rider: `beats_over`, which clearance, the matrix and the screens ask.
The codes are stored with each blocking version (`blocking.save`).
"""

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import blocking, rider_terms, scenes

BEAT_LISTS = {"nudity": rider_terms.NUDITY, "acts": rider_terms.ACTS, "contact": rider_terms.AREAS}
BEAT_FIELDS = ("performers", *BEAT_LISTS)


def clean_beat_codes(db: Database, scene_id: int, codes: object, beats: int) -> list[dict]:
    """What each beat involves, from a request: one object per beat with `performers` (ids
    of the scene's performers) and `nudity`, `acts`, `contact` (codes)."""
    if not isinstance(codes, list) or len(codes) != beats:
        raise ValueError(
            _("%(key)s must be a list with one object per beat (%(n)s)", key="codes", n=beats)
        )
    cast = scenes.performer_ids(db, scene_id)
    out = []
    for n, beat in enumerate(codes, 1):
        if not isinstance(beat, dict):
            raise ValueError(
                _("%(key)s must be a list with one object per beat (%(n)s)", key="codes", n=beats)
            )
        unknown = sorted(set(beat) - set(BEAT_FIELDS) - {"text"})
        if unknown:
            raise ValueError(
                _(
                    "beat %(n)s: unknown field %(key)s; send %(fields)s",
                    n=n,
                    key=repr(unknown[0]),
                    fields=", ".join(BEAT_FIELDS),
                )
            )
        who = beat.get("performers", [])
        if not isinstance(who, list) or not all(type(p) is int for p in who):
            raise ValueError(
                _("beat %(n)s: %(key)s must be a list of person ids", n=n, key="performers")
            )
        stranger = next((p for p in who if p not in cast), None)
        if stranger is not None:
            raise ValueError(
                _(
                    "beat %(n)s: %(key)s: %(id)s is not a performer in this scene; one of %(ids)s",
                    n=n,
                    key="performers",
                    id=stranger,
                    ids=", ".join(str(p) for p in cast) or "—",
                )
            )
        clean = {"performers": sorted(set(who))}
        for key, allowed in BEAT_LISTS.items():
            try:
                clean[key] = rider_terms.codes_of(beat.get(key, []), key, allowed)
            except ValueError as exc:
                raise ValueError(_("beat %(n)s: %(error)s", n=n, error=str(exc))) from None
        out.append(clean)
    return out


def _over(beat: dict, terms: dict | None) -> list[str]:
    """The codes a beat asks of one performer beyond their terms."""
    asked = [f"nudity:{c}" for c in beat.get("nudity", [])]
    asked += [f"acts:{c}" for c in beat.get("acts", [])]
    touched = [f"touch:{c}" for c in beat.get("contact", [])]
    if terms is None:
        return asked + touched
    over = [c for c in asked if c.split(":", 1)[1] not in terms[c.split(":", 1)[0]]]
    return over + [c for c in touched if c.split(":", 1)[1] in terms["no_touch"]]


def beats_over(
    db: Database, scene: dict, current: dict | None = None, terms: dict | None = None
) -> list[dict]:
    """For each beat of the current blocking that asks more of a performer than their signed
    rider: `{"beat": n, "people": [ids], "over": {id: [codes]}}`. Only scenes with nudity or
    simulated sex are held to a rider (a kiss needs none)."""
    if not scenes.needs_rider(scene):
        return []
    current = current if current is not None else blocking.current(db, scene["id"])
    if current is None or not current.get("codes"):
        return []
    terms = rider_terms.effective(db, scene["id"]) if terms is None else terms
    out = []
    for n, beat in enumerate(current["codes"], 1):
        over = {}
        for pid in beat.get("performers", []):
            codes = _over(beat, terms.get(pid))
            if codes and pid in terms:
                over[pid] = codes
        if over:
            out.append({"beat": n, "people": list(over), "over": over})
    return out


def beat_check(db: Database, scene: dict) -> list[dict]:
    """Per beat of the current blocking: is it within every performer's signed rider?"""
    current = blocking.current(db, scene["id"])
    if current is None:
        return []
    over = {b["beat"]: b for b in beats_over(db, scene, current)}
    return [{"beat": n, "within": n not in over} for n in range(1, len(current["beats"]) + 1)]
