"""The alert channel under attack from an insider on the set's Wi-Fi (issue 16), each test
written as the attack against a real `ictool serve` with real Socket.IO clients:
a limiter cannot refuse a safety action, a revoked phone stops listening at once, one
sender cannot bury another's pause, and idle sockets cannot starve the server."""

import sqlite3
import uuid

import pytest
import requests
import socketio
from serverproc import ServerProcess, demo_database


@pytest.fixture
def server(tmp_path):
    """A real server on the demo; `server(**settings)` starts it with ICTOOL_* settings."""
    started = []

    def start(**settings) -> ServerProcess:
        db_path = tmp_path / f"live{len(started)}.db"
        cast = demo_database(db_path)
        env = {f"ICTOOL_{k}": str(v) for k, v in settings.items()}
        proc = ServerProcess(db_path, tmp_path / f"instance{len(started)}", env=env)
        proc.people = cast
        started.append(proc.start())
        return proc

    yield start
    for proc in started:
        proc.stop()


def phone(live, name: str, token: str | None = None, **options) -> socketio.Client:
    client = socketio.Client(reconnection=False, **options)
    client.connect(
        live.url,
        auth={"token": token or live.people[name]["token"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


def bearer(live, name: str) -> dict:
    return {"Authorization": f"Bearer {live.people[name]['token']}"}


def cid() -> str:
    return f"attack-{uuid.uuid4().hex}"


def scene_id(live, number: str) -> int:
    with sqlite3.connect(live.db) as conn:
        return conn.execute("SELECT id FROM scenes WHERE number = ?", [number]).fetchone()[0]


# --- 7. a limiter never refuses a safety action -------------------------------------------


def test_a_guessing_address_cannot_get_a_valid_phones_pause_refused(server):
    live = server(RATE_LIMIT_FAILURES=10)
    for _ in range(2):  # someone on the same NAT guesses tokens, over the socket
        with pytest.raises(socketio.exceptions.ConnectionError):
            phone(live, "", token=f"guess-{uuid.uuid4().hex}")
    for _ in range(11):  # and over HTTP
        guess = {"Authorization": f"Bearer guess-{uuid.uuid4().hex}"}
        requests.get(f"{live.url}/api/me", headers=guess, timeout=5)
    guess = requests.get(f"{live.url}/api/me", headers={"Authorization": "Bearer nope"})
    assert guess.status_code == 429  # guesses are still told to stop

    url, alex = f"{live.url}/api/alerts", bearer(live, "Alex Rivera")
    pause = requests.post(url, json={"kind": "pause", "client_id": cid()}, headers=alex)
    assert pause.status_code == 201, pause.text
    concern = {"kind": "concern", "client_id": cid(), "text": "too close to the lens"}
    assert requests.post(url, json=concern, headers=alex).status_code == 201
    sam = phone(live, "Sam Lindqvist")  # a valid token connects from the guessing address
    try:
        ack = sam.call("alert:raise", {"kind": "pause", "client_id": cid()}, timeout=10)
        assert ack["status"] == 201
    finally:
        sam.disconnect()


def test_the_api_limit_never_refuses_a_consent_withdrawal(server):
    live = server(RATE_LIMIT_API=5)
    alex = bearer(live, "Alex Rivera")
    for _ in range(6):
        last = requests.get(f"{live.url}/api/me", headers=alex)
    assert last.status_code == 429  # the person's API budget is spent
    withdraw = f"{live.url}/api/scenes/{scene_id(live, '15')}/consent/withdraw"
    answer = requests.post(withdraw, json={"client_id": cid()}, headers=alex)
    assert answer.status_code == 201, answer.text
    pause = requests.post(
        f"{live.url}/api/alerts", json={"kind": "pause", "client_id": cid()}, headers=alex
    )
    assert pause.status_code == 201
