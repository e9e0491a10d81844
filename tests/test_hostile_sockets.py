"""Hostile input over Socket.IO: arbitrary payloads at every registered socket event, from
real clients signed in as different roles, against a real `ictool serve`; raw garbage
frames on the WebSocket itself. Afterwards the server still answers and a pause still
reaches the 1st AD."""

import contextlib
import json
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
import websocket
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ictool.realtime import socketio as server_socketio

ROLES = ["Maya Okafor", "Tom Brennan", "Alex Rivera", "Kenji Mori", "Ruth Adeyemi"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)  # larger: see the garbage frames
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
KEYS = ["kind", "client_id", "text", "scene_id", "id", "since", "note", "audience", "preset"]
KEYS += ["anonymous"]
likely = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(["pause", "concern", "withdrawal", "x"]) | json_values,
        "client_id": st.text(min_size=8, max_size=20) | json_values,
        "id": st.integers(min_value=-3, max_value=60) | json_values,
        "since": st.integers(min_value=-3, max_value=10**6) | json_values,
        "scene_id": st.integers(min_value=-3, max_value=40) | json_values,
        "text": st.text(max_size=1200) | json_values,
        "note": json_values,
        "audience": st.sampled_from(["ic", "ic_and_ad", ""]) | json_values,
        "anonymous": json_values,
    },
)
payloads = likely | st.dictionaries(st.sampled_from(KEYS), json_values) | json_values


def _client(live, name: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(
        live.url,
        auth={"token": live.people[name]["token"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


def _events() -> list[str]:
    return sorted(
        e for e in server_socketio.server.handlers["/"] if e not in ("connect", "disconnect")
    )


def test_arbitrary_payloads_at_every_socket_event(app, live):
    events = _events()
    assert "alert:raise" in events
    clients = {name: _client(live, name) for name in ROLES}

    @given(
        event=st.sampled_from(events),
        name=st.sampled_from(ROLES),
        payload=payloads,
        extra=st.lists(json_values, max_size=2),
    )
    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a live run takes ages
    )
    def barrage(event, name, payload, extra):
        client = clients[name]
        if not client.connected:
            clients[name] = client = _client(live, name)
        data = (payload, *extra) if extra else payload
        try:
            ack = client.call(event, data, timeout=3)
        except socketio.exceptions.TimeoutError:
            # a packet the server refuses to decode (an integer SQLite cannot hold) is
            # dropped unanswered; the server must still be serving
            assert requests.get(f"{live.url}/healthz", timeout=5).status_code == 200
            return
        if isinstance(ack, dict):
            assert ack.get("status", 200) < 500, (event, ack)

    try:
        barrage()
    finally:
        for client in clients.values():
            client.disconnect()
    _still_serving(live)


def test_garbage_frames_do_not_break_the_server(live):
    rng = random.Random(6)
    junk = ["", "4", "42", "42[", '42["alert:raise"', "42[1,2,3]", '42["x",' + "[" * 5000]
    junk += ["2probe", "5", "6", "1", "40{", '40{"token":1}', "451-[", "ÿ" * 100, "0" * 10000]
    junk += ['42["alert:raise",{"kind":"pause","client_id":' + "9" * 400 + "}]"]
    for i in range(40):
        ws = websocket.create_connection(
            live.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=5
        )
        ws.recv()  # the engine.io open packet
        if i % 2:  # half of them sign in first, so the garbage reaches the event handlers
            token = live.people["Alex Rivera"]["token"]
            ws.send("40" + json.dumps({"token": token}))
        for _ in range(5):
            if rng.random() < 0.3:
                ws.send_binary(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
            else:
                ws.send(rng.choice(junk))
        ws.close()
    _still_serving(live)


def _still_serving(live) -> None:
    """The server answers /healthz and a normal pause reaches the 1st AD."""
    assert requests.get(f"{live.url}/healthz", timeout=5).json() == {"ok": True}
    client_id = f"after-{uuid.uuid4().hex}"
    arrived = threading.Event()
    ad = socketio.Client(reconnection=False)
    ad.on("alert:new", lambda view: view.get("client_id") == client_id and arrived.set())
    ad.connect(
        live.url, auth={"token": live.people["Tom Brennan"]["token"]}, transports=["websocket"]
    )
    performer = _client(live, "Sam Lindqvist")
    try:
        ack = performer.call("alert:raise", {"kind": "pause", "client_id": client_id}, timeout=10)
        assert ack["status"] == 201
        assert arrived.wait(15), "the pause did not reach the 1st AD"
    finally:
        performer.disconnect()
        ad.disconnect()


def test_guessing_socket_tokens_is_rate_limited_but_a_signed_in_phone_connects(live):
    session = requests.Session()  # signed in before the guessing starts
    session.get(f"{live.url}/join/{live.people['Sam Lindqvist']['token']}", timeout=5)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())

    def guess(i: int) -> bool:
        client = socketio.Client(reconnection=False)
        with contextlib.suppress(socketio.exceptions.ConnectionError):
            client.connect(live.url, auth={"token": f"guess-{i}"}, transports=["websocket"])
        return client.connected

    with ThreadPoolExecutor(15) as pool:  # a guesser tries many at once
        assert not any(pool.map(guess, range(15)))
    # a real token is never refused (issue 16): a phone behind the same NAT still connects
    real = socketio.Client(reconnection=False)
    real.connect(
        live.url, auth={"token": live.people["Alex Rivera"]["token"]}, transports=["websocket"]
    )
    assert real.connected
    real.disconnect()
    with pytest.raises(socketio.exceptions.ConnectionError):  # while guesses are still refused
        guess_client = socketio.Client(reconnection=False)
        guess_client.connect(live.url, auth={"token": "guess-x"}, transports=["websocket"])
    # a phone already signed in by its session cookie is not guessing: it connects
    phone = socketio.Client(reconnection=False)
    phone.connect(live.url, headers={"Cookie": cookie}, transports=["websocket"])
    assert phone.connected
    phone.disconnect()
