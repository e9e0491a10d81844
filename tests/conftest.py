"""Fixtures: an app on a real SQLite file in tmp_path, seeded with the demo;
a browser-like client signed in as anyone; and a real server process."""

import pytest
from browser import chromium, new_phone  # noqa: F401  (shared browser fixtures)
from serverproc import ServerProcess, demo_database

from ictool import create_app, demo, people
from ictool.db import connect
from ictool.realtime import socketio


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DB": str(tmp_path / "ictool.db"),
            "SECRET_KEY": "test",
            "SERVER_NAME": "set.local",
        },
        instance_path=str(tmp_path / "instance"),
    )
    db = connect(app.config["DB"])
    demo.seed(db)
    db.close()
    return app


@pytest.fixture
def db(app):
    conn = connect(app.config["DB"])
    yield conn
    conn.close()


@pytest.fixture
def person(db):
    """Look a demo person up by name."""

    def find(name: str) -> dict:
        rows = list(db["people"].rows_where("name = ?", [name]))
        assert rows, f"no demo person {name}"
        return rows[0]

    return find


@pytest.fixture
def token(db, person):
    """A fresh join token for a demo person, by name."""
    return lambda name: people.issue_token(db, person(name)["id"])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app, token):
    """A test client signed in through the join link of a demo person."""

    def sign_in(name: str):
        c = app.test_client()
        response = c.get(f"/join/{token(name)}")
        assert response.status_code == 302, response.status_code
        return c

    return sign_in


def csrf(client) -> str:
    """The CSRF token of a signed-in test client's session."""
    with client.session_transaction() as s:
        if "csrf" not in s:
            s["csrf"] = "test-csrf-token"
        return s["csrf"]


@pytest.fixture
def live(tmp_path):
    """A real `ictool serve` process on the demo; `.people[name]["token"]` signs in."""
    db_path = tmp_path / "live.db"
    cast = demo_database(db_path)
    server = ServerProcess(db_path, tmp_path / "instance")
    server.people = cast
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sock(app, token):
    """In-process Socket.IO clients (threading mode), signed in by join token: `sock(name)`."""
    opened = []

    def connect(name: str):
        client = socketio.test_client(app, auth={"token": token(name)})
        assert client.is_connected()
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.disconnect()
