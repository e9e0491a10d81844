"""Is this scene cleared to shoot? The one rule every screen, the API and the live channel ask.

`clearance(db, scene_id)` returns `{"scene_id", "cleared", "reasons"}`; each reason is
`{"code", "text", "blocking", "people"}` with a stable `code`, a translated `text` naming
the people concerned, whether it stops the scene (`blocking`), and their ids.

Which checks apply to which scene:

- A scene with no intimate content and no closed set has nothing to check: it is cleared.
- Scenes with simulated sex or nudity (`scenes.needs_rider`; never a kiss) need, for each
  performer in it, a signed nudity rider (`rider_missing`; `rider_late` when signed less
  than the production's notice period before the day's call: a *flag* that is shown but
  does not stop the scene, as the performer's signed consent stands and the lateness is
  the production's to answer for). A blocking beat that asks of a performer anything
  outside their current signed rider terms (`beat_codes.beats_over`) stops the scene
  (`rider_exceeded`, one reason per beat, naming the beat and the performers; never the
  terms, which only the IC and that performer read).
- Every intimate scene (kiss and above) needs blocking to agree to (`blocking_missing`);
  every performer's consent to the *current*
  blocking version (`consent_pending`, `consent_withdrawn`); and every performer's "good to
  go" for the current take (`not_good_to_go`: silence is not a yes).
- Scenes with simulated sex or nudity also need a garment and barrier checklist with every
  item confirmed by both costume and the IC (`garments_unconfirmed`; an empty list counts
  as unconfirmed).
- A closed-set scene, intimate or not, needs the 1st AD's standing "set is closed"
  (`set_not_closed`), nobody checked in who is off the roster (`off_roster_present`), and
  a no-photography acknowledgement from everyone checked in (`photo_ack_missing`).

A performer asking sees the names of the people concerned only where they are not
private: their own rider, consent and good-to-go are "you", a colleague's are "another
performer". Readers who may see consent (the IC, the ADs, the director) see the names; any
other reader (the producer) sees counts only ("2 performers"), never names or ids.
"""

from dataclasses import dataclass, field

from flask import has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import (
    beat_codes,
    blocking,
    closedset,
    consent,
    people,
    productions,
    riders,
    scenes,
    takes,
)
from ictool.permissions import allowed

CODES = (
    "rider_missing",
    "rider_late",
    "rider_exceeded",
    "blocking_missing",
    "consent_withdrawn",
    "consent_pending",
    "set_not_closed",
    "off_roster_present",
    "photo_ack_missing",
    "garments_unconfirmed",
    "not_good_to_go",
)
FLAGS = {"rider_late"}  # shown, never blocking
PRIVATE = {
    "rider_missing",
    "rider_late",
    "rider_exceeded",
    "consent_withdrawn",
    "consent_pending",
    "not_good_to_go",
}
GARMENT_CONTENT = {"simulated_sex", "partial_nudity", "full_nudity"}


@dataclass
class Fact:
    """One reason, before it is put into words for a reader."""

    code: str
    people: list[dict] = field(default_factory=list)
    count: int = 0
    version: int | None = None
    take: int | None = None
    hours: int | None = None
    beat: int | None = None


def facts(db: Database, scene: dict) -> list[Fact]:
    """Every reason this scene is not cleared (or is flagged), in a fixed order."""
    out: list[Fact] = []
    if scenes.is_intimate(scene):
        out += _performer_facts(db, scene)
    if scene["intimacy"] in GARMENT_CONTENT:
        items = closedset.garments(db, scene["id"])
        open_items = [g for g in items if not g["confirmed"]]
        if not items or open_items:
            out.append(Fact("garments_unconfirmed", count=len(open_items)))
    if scene["closed_set"]:
        out += _closed_set_facts(db, scene)
    if scenes.is_intimate(scene):
        take = takes.current_take(db, scene["id"])
        said = takes.answers(db, scene["id"], take)
        waiting = [p for p in scenes.performers(db, scene["id"]) if not said.get(p["id"])]
        if waiting:
            out.append(Fact("not_good_to_go", waiting, take=take))
    order = {code: i for i, code in enumerate(CODES)}
    return sorted(out, key=lambda f: order[f.code])


def _performer_facts(db: Database, scene: dict) -> list[Fact]:
    performers = scenes.performers(db, scene["id"])
    out = []
    if scenes.needs_rider(scene):
        hours = productions.rider_notice_hours(productions.get(db, scene["production_id"]))
        status = {r["person_id"]: r["status"] for r in riders.rows(db, scene)}
        out += [
            Fact("rider_missing", [p for p in performers if status[p["id"]] == "missing"]),
            Fact("rider_late", [p for p in performers if status[p["id"]] == "late"], hours=hours),
        ]
    current = blocking.current(db, scene["id"])
    by_id = {p["id"]: p for p in performers}
    for over in beat_codes.beats_over(db, scene, current):
        who = [by_id[pid] for pid in over["people"] if pid in by_id]
        out.append(Fact("rider_exceeded", who, beat=over["beat"]))
    if current is None:
        out.append(Fact("blocking_missing"))
    states = {s["person_id"]: s["state"] for s in consent.states(db, scene["id"])}
    by_state = {
        state: [p for p in performers if states.get(p["id"]) == state]
        for state in ("withdrawn", "pending")
    }
    out.append(Fact("consent_withdrawn", by_state["withdrawn"]))
    if current is not None:
        out.append(Fact("consent_pending", by_state["pending"], version=current["version"]))
    return [f for f in out if f.people or f.code == "blocking_missing"]


def _closed_set_facts(db: Database, scene: dict) -> list[Fact]:
    out = []
    if closedset.set_closed(db, scene["id"]) is None:
        out.append(Fact("set_not_closed"))
    here = closedset.present(db, scene["id"])
    off = [p for p in here if not p["on_roster"]]
    if off:
        out.append(Fact("off_roster_present", off))
    no_ack = [p for p in here if not p["photo_ack"]]
    if no_ack:
        out.append(Fact("photo_ack_missing", no_ack))
    return out


def _who(fact: Fact, viewer: dict | None, named: bool) -> tuple[str, list[int]]:
    ids = [p["id"] for p in fact.people]
    if named:
        return ", ".join(p["name"] for p in fact.people), ids
    if viewer["role"] not in people.CAST_ROLES:  # the producer: counts, never names
        if fact.code in PRIVATE:
            return ngettext("%(num)s performer", "%(num)s performers", len(ids)), []
        return ngettext("%(num)s person", "%(num)s people", len(ids)), []
    if fact.code not in PRIVATE:
        return ", ".join(p["name"] for p in fact.people), ids
    mine = viewer["id"] in ids
    others = len(ids) - int(mine)
    parts = [_("you")] if mine else []
    if others:
        parts.append(ngettext("%(num)s other performer", "%(num)s other performers", others))
    return ", ".join(parts), [viewer["id"]] if mine else []


def text(fact: Fact, who: str) -> str:
    """The reason in the reader's language."""
    words = {
        "rider_missing": lambda: _("Nudity rider missing: %(who)s.", who=who),
        "rider_late": lambda: _(
            "Nudity rider signed less than %(hours)s hours before call: %(who)s.",
            hours=fact.hours,
            who=who,
        ),
        "rider_exceeded": lambda: _(
            "Blocking beat %(beat)s asks more than the signed rider of %(who)s.",
            beat=fact.beat,
            who=who,
        ),
        "blocking_missing": lambda: _("No blocking written yet: there is nothing to agree to."),
        "consent_withdrawn": lambda: _("Consent withdrawn: %(who)s.", who=who),
        "consent_pending": lambda: _(
            "Waiting for consent to blocking version %(version)s: %(who)s.",
            version=fact.version,
            who=who,
        ),
        "set_not_closed": lambda: _("The 1st AD has not confirmed that the set is closed."),
        "off_roster_present": lambda: _("Checked in but not on the roster: %(who)s.", who=who),
        "photo_ack_missing": lambda: _("No-photography not acknowledged yet: %(who)s.", who=who),
        "garments_unconfirmed": lambda: (
            ngettext(
                "%(num)s garment or barrier item not confirmed by costume and the IC.",
                "%(num)s garment or barrier items not confirmed by costume and the IC.",
                fact.count,
            )
            if fact.count
            else _("No modesty garment or barrier checklist yet.")
        ),
        "not_good_to_go": lambda: _(
            "Take %(take)s: no “good to go” yet from %(who)s.", take=fact.take, who=who
        ),
    }
    return words[fact.code]()


def clearance(db: Database, scene_id: int, viewer: dict | None = None) -> dict:
    """Cleared, or not and exactly why, for this scene (as `viewer` may read it)."""
    if not has_request_context():  # a job or the CLI: no reader's language to pick
        with force_locale("en"):
            return _clearance(db, scene_id, viewer)
    return _clearance(db, scene_id, viewer)


def _clearance(db: Database, scene_id: int, viewer: dict | None) -> dict:
    scene = scenes.get(db, scene_id)
    if scene is None:
        raise LookupError(_("No such scene."))
    reasons = []
    named = viewer is None or allowed(db, viewer, "consent.view", scene)
    for fact in facts(db, scene):
        who, ids = _who(fact, viewer, named)
        reasons.append(
            {
                "code": fact.code,
                "text": text(fact, who),
                "blocking": fact.code not in FLAGS,
                "people": ids,
            }
        )
    return {
        "scene_id": scene_id,
        "cleared": not any(r["blocking"] for r in reasons),
        "reasons": reasons,
    }
