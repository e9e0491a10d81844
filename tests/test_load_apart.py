"""The load tools stay apart from the product: the product's server has no event of the
benchmark's, and no product module imports the load package (`ictool bench` and `ictool soak`
reach it through the command table only, by name, when asked for)."""

import ast
from pathlib import Path

from ictool import create_app, demo, people
from ictool.db import connect
from ictool.realtime import socketio

ROOT = Path(__file__).resolve().parents[1]


def test_the_product_server_has_no_benchmark_event_even_when_asked_the_old_way(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ICTOOL_BENCH", "1")  # what used to switch the hook on
    app = create_app(
        {"TESTING": True, "DB": str(tmp_path / "t.db"), "SECRET_KEY": "test"},
        instance_path=str(tmp_path / "instance"),
    )
    db = connect(app.config["DB"])
    demo.seed(db)
    by_name = {p["name"]: p["id"] for p in db["people"].rows}
    clients = [
        socketio.test_client(app, auth={"token": people.issue_token(db, by_name[name])})
        for name in ("Maya Okafor", "Tom Brennan")
    ]
    db.close()
    coordinator, ad = clients
    ad.get_received()
    answer = coordinator.emit("bench:clearance", {"n": 1}, callback=True)
    assert answer is None  # no handler: nothing answers, nothing is broadcast
    assert not [m for m in ad.get_received() if m["name"] == "scene:clearance"]
    for client in clients:
        client.disconnect()


def test_no_product_module_imports_the_load_tools():
    importing = []
    for path in sorted((ROOT / "ictool").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name.split(".")[0] == "ictool_load" for name in names):
                importing.append(str(path.relative_to(ROOT)))
    assert importing == []
