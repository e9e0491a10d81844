"""Who has a live socket right now, so the IC and ADs know whether the AD's phone is there.

Kept in this process's memory (a restart forgets it; phones reconnect within seconds).
Only the ADs' comings and goings are announced, to the IC and AD rooms.
"""

import threading

from ictool import announce

WATCHED_ROLES = ("first_ad", "second_ad")

_sockets: dict[int, set[str]] = {}
_who: dict[str, dict] = {}  # sid -> the person's id, role and production
_lock = threading.Lock()


def connected(person: dict, sid: str) -> None:
    """A device of this person connected; announce an AD coming online."""
    who = {k: person[k] for k in ("id", "role", "production_id")}
    with _lock:
        _who[sid] = who
        sids = _sockets.setdefault(who["id"], set())
        first = not sids
        sids.add(sid)
    if first:
        _announce(who, True)


def disconnected(sid: str) -> None:
    """A device went away; announce an AD whose last device left."""
    with _lock:
        who = _who.pop(sid, None)
        if who is None:
            return
        sids = _sockets.get(who["id"], set())
        sids.discard(sid)
        last = not sids
        if last:
            _sockets.pop(who["id"], None)
    if last:
        _announce(who, False)


def is_online(person_id: int) -> bool:
    """Does this person have at least one connected socket?"""
    with _lock:
        return bool(_sockets.get(person_id))


def _announce(person: dict, online: bool) -> None:
    if person["role"] in WATCHED_ROLES:
        announce.presence(person, online)


def of_people(people_list: list[dict]) -> list[dict]:
    """Each person's id, name, role and whether they are online."""
    return [
        {"person_id": p["id"], "name": p["name"], "role": p["role"], "online": is_online(p["id"])}
        for p in people_list
    ]
