"""Blocking: a scene's agreed choreography as ordered beats, versioned.

A save never changes an earlier version; it adds the next one with its author and time.
Each beat may say what it asks (`codes`: which performers, nudity, acts and contact, from
the rider's codes in `rider_terms`), so the beat can be held against each signed rider.
"""

import difflib
import json

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, rider_terms, scenes
from ictool.db import now, transaction

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


MAX_BEATS = 60
MAX_BEAT_CHARS = 500


def split_beats(beats: object) -> tuple[object, list | None]:
    """Beats sent as objects (`{"text", "performers"?, "nudity"?, "acts"?, "contact"?}`)
    become their words and their codes; beats sent as strings have no codes."""
    if isinstance(beats, list) and beats and any(isinstance(b, dict) for b in beats):
        texts = [b.get("text") if isinstance(b, dict) else b for b in beats]
        return texts, [b if isinstance(b, dict) else {} for b in beats]
    return beats, None


def clean_beats(beats: object) -> list[str]:
    """Validate beats from a request: a non-empty list of short, non-empty strings."""
    if not isinstance(beats, list) or not beats:
        raise ValueError(_("%(key)s must be a non-empty list of strings", key="beats"))
    if len(beats) > MAX_BEATS:
        raise ValueError(_("at most %(n)s beats", n=MAX_BEATS))
    out = []
    for i, beat in enumerate(beats, 1):
        if not isinstance(beat, str) or not beat.strip():
            raise ValueError(_("beat %(n)s must be non-empty text", n=i))
        if len(beat) > MAX_BEAT_CHARS:
            raise ValueError(
                _("beat %(n)s is longer than %(max)s characters", n=i, max=MAX_BEAT_CHARS)
            )
        out.append(beat.strip())
    return out


def save(
    db: Database, scene_id: int, beats: object, author_id: int | None, codes: object = None
) -> dict:
    """Save new beats (with what each asks, when given) as the scene's next version."""
    beats, sent_codes = split_beats(beats)
    beats = clean_beats(beats)
    codes = sent_codes if codes is None else codes
    if codes is not None:
        codes = clean_beat_codes(db, scene_id, codes, len(beats))
        if not any(any(c.values()) for c in codes):
            codes = None
    with transaction(db):
        latest = current(db, scene_id)
        if sent_codes is None and codes is None and latest and latest["codes"]:
            kept = dict(zip(latest["beats"], latest["codes"], strict=True))  # beats unchanged
            codes = [kept.get(b, {}) for b in beats]
            codes = codes if any(any(c.values()) for c in codes) else None
        version = (latest["version"] if latest else 0) + 1
        db["blocking_versions"].insert(
            {
                "scene_id": scene_id,
                "version": version,
                "beats": json.dumps(beats),
                "beat_codes": json.dumps(codes) if codes else None,
                "author_id": author_id,
                "created_at": now(),
            }
        )
        scene = db["scenes"].get(scene_id)
        audit.record(
            db,
            "blocking.saved",
            actor_id=author_id,
            production_id=scene["production_id"],
            subject=f"scene:{scene_id}",
            version=version,
        )
    return current(db, scene_id)


def save_codes(db: Database, scene_id: int, version: object, codes: object, author_id: int) -> dict:
    """Say what each beat of the current version asks: saved as the next version (the same
    words), since what a performer agrees to changed. ValueError for a version not current."""
    latest = current(db, scene_id)
    if latest is None:
        raise ValueError(_("No blocking has been written for this scene yet."))
    if version != latest["version"]:
        raise ValueError(
            _(
                "%(key)s must be the current blocking version (%(n)s)",
                key="version",
                n=latest["version"],
            )
        )
    return save(db, scene_id, latest["beats"], author_id, codes)


def _row(row: dict) -> dict:
    out = dict(row, beats=json.loads(row["beats"]))
    codes = out.pop("beat_codes", None)
    return dict(out, codes=json.loads(codes) if codes else None)


def current(db: Database, scene_id: int) -> dict | None:
    """The latest version of a scene's blocking, or None if none was written."""
    rows = list(
        db["blocking_versions"].rows_where(
            "scene_id = ?", [scene_id], order_by="version DESC", limit=1
        )
    )
    return _row(rows[0]) if rows else None


def version(db: Database, scene_id: int, number: int) -> dict | None:
    rows = list(
        db["blocking_versions"].rows_where("scene_id = ? AND version = ?", [scene_id, number])
    )
    return _row(rows[0]) if rows else None


def history(db: Database, scene_id: int) -> list[dict]:
    """Every version, newest first, with the author's name."""
    rows = db.query(
        """SELECT blocking_versions.*, people.name AS author_name FROM blocking_versions
           LEFT JOIN people ON people.id = author_id WHERE scene_id = ? ORDER BY version DESC""",
        [scene_id],
    )
    return [_row(r) for r in rows]


def diff(old: list[str], new: list[str]) -> list[dict]:
    """What changed between two lists of beats, beat by beat, for people to read."""
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [{"change": "same", "beat": b} for b in old[i1:i2]]
            continue
        out += [{"change": "removed", "beat": b} for b in old[i1:i2]]
        out += [{"change": "added", "beat": b} for b in new[j1:j2]]
    return out
