"""One way out: live events leave from `ictool.announce` only, after the write they tell of
has committed; a rolled-back write tells nobody anything."""

import ast
from pathlib import Path

import pytest

from ictool import closedset
from ictool.db import get_db, transaction

PACKAGE = Path(__file__).resolve().parents[1] / "ictool"
# Not domain modules: the way out itself, the live channel and web push, the socket layer
# (it registers handlers and joins rooms), the connection budget (it closes transports), the
# escalation job (it sleeps on the channel's loop), the app factory and the CLI.
NOT_DOMAIN = {"announce", "realtime", "push", "sockets", "connections", "escalation"}
NOT_DOMAIN |= {"__init__", "__main__", "cli"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_no_domain_module_imports_realtime_or_push():
    offenders = {
        path.name
        for path in PACKAGE.glob("*.py")
        if path.stem not in NOT_DOMAIN and _imports(path) & {"ictool.realtime", "ictool.push"}
    }
    assert offenders == set()


def test_only_announce_publishes_or_hands_pushes_over():
    callers = set()
    for path in [*PACKAGE.glob("*.py"), *PACKAGE.glob("views/*.py")]:
        if path.stem in {"announce", "realtime", "push"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if name in {"publish", "send_later"}:
                callers.add(path.name)
    assert callers == set()


def _clearances(client) -> list[dict]:
    return [e["args"][0] for e in client.get_received() if e["name"] == "scene:clearance"]


def test_a_rolled_back_write_announces_nothing_and_a_committed_one_announces_itself(
    app, sock, person
):
    ic, ad = sock("Maya Okafor"), sock("Tom Brennan")
    ic.get_received(), ad.get_received()
    maya = person("Maya Okafor")
    with app.test_request_context():
        db = get_db()
        scene = next(db["scenes"].rows_where("number = '15'"))
        with pytest.raises(RuntimeError), transaction(db):
            closedset.add_monitor(db, scene, "video village", maya["id"])
            raise RuntimeError("the rest of the request failed")
        assert db.execute("SELECT COUNT(*) FROM scene_monitors").fetchone()[0] == 0
        assert _clearances(ic) == [] and _clearances(ad) == []

        closedset.add_monitor(db, scene, "video village", maya["id"])  # nobody announces by hand
        [told_ic], [told_ad] = _clearances(ic), _clearances(ad)
        assert told_ic["scene_id"] == told_ad["scene_id"] == scene["id"]


def test_an_announcement_inside_an_open_transaction_is_refused(app):
    from ictool import announce

    with app.test_request_context():
        db = get_db()
        scene = next(db["scenes"].rows_where("number = '15'"))
        with pytest.raises(RuntimeError), transaction(db):
            announce.scene_clearance(db, scene["id"])
