"""The one rule that holds each blocking beat's codes (checked and stored with the
blocking version by `blocking.save`) against each performer's signed rider (`rider_terms`):
`beats_over`, which clearance, the matrix and the screens ask; and `statuses`, each
performer's rider in one word.

Above `blocking`, `riders` and `rider_terms`, which never import it.
"""

from sqlite_utils import Database

from ictool import blocking, rider_terms, riders, scenes


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


def statuses(db: Database, scene: dict) -> dict[int, str]:
    """Each performer's rider in one word for the matrix and the ADs: not_sent, sent,
    signed, late, exceeded (by the blocking) or withdrawn (a term, since signing)."""
    if not scenes.needs_rider(scene):
        return {}
    base = {r["person_id"]: r for r in riders.rows(db, scene)}
    signed = rider_terms.signed_versions(db, scene["id"])
    withdrawn = rider_terms.term_withdrawals(db, scene["id"])
    terms = rider_terms.effective(db, scene["id"], signed, withdrawn)
    exceeded = {pid for b in beats_over(db, scene, terms=terms) for pid in b["people"]}
    out = {}
    for pid, r in base.items():
        sv = signed.get(pid)
        if sv and any(w["version"] == sv["version"] for w in withdrawn.get(pid, [])):
            out[pid] = "withdrawn"
        elif pid in exceeded:
            out[pid] = "exceeded"
        elif r["status"] in ("signed", "late"):
            out[pid] = r["status"]
        else:
            out[pid] = "sent" if r["sent_on"] else "not_sent"
    return out
