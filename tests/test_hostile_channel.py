"""The alert channel under attack from an insider on the set's Wi-Fi (issue 16), each test
written as the attack against a real `ictool serve` with real Socket.IO clients:
a limiter cannot refuse a safety action, a revoked phone stops listening at once, one
sender cannot bury another's pause, and idle sockets cannot starve the server."""

import asyncio
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
from serverproc import ServerProcess, demo_database


def run_async(coro):
    """asyncio.run in a thread of its own: a browser test's Playwright (sync API) may have left
    an event loop running in this one, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


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


# --- 1. a revoked phone stops listening at once -------------------------------------------


class Listener:
    """A real Socket.IO client that keeps every event it is pushed."""

    def __init__(self, live, name: str, **options) -> None:
        self.events: list[tuple[str, object]] = []
        self.gone = threading.Event()
        self.sio = socketio.Client(reconnection=False, **options)
        self.sio.on("*", lambda event, data=None: self.events.append((event, data)))
        self.sio.on("disconnect", lambda *_: self.gone.set())
        self.sio.connect(
            live.url,
            auth={"token": live.people[name]["token"]},
            transports=["websocket"],
            wait_timeout=10,
        )

    def got(self, event: str) -> list:
        return [data for e, data in self.events if e == event]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def online(live, name: str) -> bool:
    listed = requests.get(f"{live.url}/api/presence", headers=bearer(live, "Maya Okafor"))
    return next(p["online"] for p in listed.json() if p["name"] == name)


def test_a_revoked_phone_is_disconnected_at_once_and_hears_nothing_more(server):
    live = server()
    ad, ad_tablet = Listener(live, "Tom Brennan"), Listener(live, "Tom Brennan")
    alex = phone(live, "Alex Rivera")
    try:
        assert online(live, "Tom Brennan")
        tom = live.people["Tom Brennan"]["id"]
        revoked = requests.post(
            f"{live.url}/api/people/{tom}/revoke", headers=bearer(live, "Maya Okafor")
        )
        assert revoked.status_code == 200
        assert ad.gone.wait(3) and ad_tablet.gone.wait(3), "the revoked phone is still connected"
        heard = len(ad.events)
        concern = {
            "kind": "concern",
            "client_id": cid(),
            "text": "private words",
            "audience": "ic_and_ad",
        }
        assert alex.call("alert:raise", concern, timeout=10)["status"] == 201
        assert (
            alex.call("alert:raise", {"kind": "pause", "client_id": cid()}, timeout=10)["status"]
            == 201
        )
        time.sleep(1)
        assert ad.got("alert:new") == [] and len(ad.events) == heard
        assert not online(live, "Tom Brennan")  # presence forgot them at once
    finally:
        for client in (ad, ad_tablet):
            client.close()
        alex.disconnect()


def test_a_token_revoked_behind_the_servers_back_is_disconnected_within_seconds(server):
    live = server(TOKEN_CHECK_SECONDS=1)
    ad = Listener(live, "Tom Brennan")
    try:
        with sqlite3.connect(live.db) as conn:  # as the CLI or another tool would
            conn.execute(
                "UPDATE tokens SET revoked_at = '2026-01-01T00:00:00+00:00' WHERE person_id = ?",
                [live.people["Tom Brennan"]["id"]],
            )
        assert ad.gone.wait(5), "a socket with a dead token is still connected"
    finally:
        ad.close()


def test_revoking_on_one_process_disconnects_the_phone_on_another(tmp_path):
    from ictool_load.loadkit import RedisServer

    redis = RedisServer().start()
    db_path = tmp_path / "shared.db"
    cast = demo_database(db_path)
    env = {"ICTOOL_MESSAGE_QUEUE": redis.url}
    a = ServerProcess(db_path, tmp_path / "a", env=env)
    b = ServerProcess(db_path, tmp_path / "b", env=env)
    for proc in (a, b):
        proc.people = cast
        proc.start()
    try:
        ad_on_b = Listener(b, "Tom Brennan")
        revoked = requests.post(
            f"{a.url}/api/people/{cast['Tom Brennan']['id']}/revoke",
            headers=bearer(a, "Maya Okafor"),
        )
        assert revoked.status_code == 200
        assert ad_on_b.gone.wait(5), "the revoked phone on process B is still connected"
        assert not online(b, "Tom Brennan")
    finally:
        ad_on_b.close()
        for proc in (a, b):
            proc.stop()
        redis.stop()


# --- 2. one sender cannot bury another's pause ------------------------------------------


def every_page(fetch) -> list[dict]:
    """Follow a paged list to its end, as the pages do."""
    out, cursor = [], None
    for _ in range(100):
        body = fetch(cursor)
        out += body["alerts"]
        if not body.get("more"):
            return out
        cursor = body
    raise AssertionError("the pages never ended")


def test_a_flood_from_one_performer_hides_nobody_and_rings_once(server):

    from ictool_load.loadkit import close_session, connect_client

    live = server(ESCALATION_SECONDS=1, ALERT_PAGE=50)  # pages of 50: the flood spans three
    tom = bearer(live, "Tom Brennan")
    jordan = requests.post(
        f"{live.url}/api/alerts",
        json={"kind": "pause", "client_id": cid()},
        headers=bearer(live, "Jordan Blake"),
    ).json()

    async def flood() -> tuple[list, list]:  # one socket, as fast as it goes
        sam = await connect_client(live.url, live.people["Sam Lindqvist"]["token"])
        try:
            pause = {"kind": "pause", "client_id": cid()}
            first = await sam.call("alert:raise", pause, timeout=30)
            pauses = await asyncio.gather(
                *(
                    sam.call("alert:raise", dict(pause, client_id=cid()), timeout=60)
                    for _ in range(49)
                )
            )
            concerns = await asyncio.gather(
                *(
                    sam.call(
                        "alert:raise",
                        {
                            "kind": "concern",
                            "client_id": cid(),
                            "text": f"c{i % 125}",
                            "audience": "ic_and_ad",
                        },
                        timeout=60,
                    )
                    for i in range(130)
                )
            )
            return [first, *pauses], concerns
        finally:
            await sam.disconnect()
            await close_session()

    pauses, concerns = run_async(flood())
    assert [a["status"] for a in pauses] == [201] + [200] * 49  # "already paused"
    assert len({a["alert"]["id"] for a in pauses}) == 1
    assert {a["status"] for a in concerns} == {200, 201}  # never refused, never 5xx
    assert len({a["alert"]["id"] for a in concerns}) == 125  # the same words are one concern

    ad = phone(live, "Tom Brennan")
    try:

        def http_page(cursor):
            after = f"&after={cursor['next']}" if cursor else ""
            return requests.get(f"{live.url}/api/alerts?state=open{after}", headers=tom).json()

        listed = every_page(http_page)
        assert len(listed) == 127 and len({a["id"] for a in listed}) == 127
        assert jordan["id"] in [a["id"] for a in listed]

        def sync_page(cursor):
            return ad.call("alert:sync", {"since": cursor["seq"] if cursor else 0}, timeout=10)

        replayed = every_page(sync_page)
        assert {a["id"] for a in replayed} == {a["id"] for a in listed}

        time.sleep(2.5)  # escalation: once per sender and kind, not once per alert
        with sqlite3.connect(live.db) as conn:
            rings = conn.execute(
                "SELECT COUNT(*) FROM audit WHERE action = 'alert.escalated' AND subject IN"
                " (SELECT 'alert:' || id FROM alerts WHERE raised_by = ?)",
                [live.people["Sam Lindqvist"]["id"]],
            ).fetchone()[0]
        assert rings <= 4

        sam_id = live.people["Sam Lindqvist"]["id"]
        acked = ad.call("alert:ack_sender", {"sender_id": sam_id}, timeout=30)
        assert acked["status"] == 200 and len(acked["acknowledged"]) == 126
        still = every_page(http_page)
        assert [a["id"] for a in still if a["state"] == "open"] == [jordan["id"]]
    finally:
        ad.disconnect()


def test_200_phones_pausing_at_once_are_all_saved_and_none_is_answered_5xx(tmp_path):

    import aiohttp

    from ictool import people
    from ictool.db import connect, transaction
    from ictool_load.loadkit import close_session, connect_client, disconnect_all

    db_path = tmp_path / "load.db"
    cast = demo_database(db_path)
    db = connect(str(db_path))
    production = db.execute("SELECT id FROM productions").fetchone()[0]
    with transaction(db):
        tokens = [
            people.issue_token(db, people.add(db, production, f"Extra {i}", "performer"))
            for i in range(200)
        ]
    db.close()
    live = ServerProcess(db_path, tmp_path / "instance")
    live.people = cast
    live.start()

    async def run() -> list[int]:
        sockets = await asyncio.gather(*(connect_client(live.url, t) for t in tokens[:100]))
        async with aiohttp.ClientSession() as http:

            async def over_http(token):
                async with http.post(
                    f"{live.url}/api/alerts",
                    json={"kind": "pause", "client_id": cid()},
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    return r.status

            async def over_socket(client):
                ack = await client.call(
                    "alert:raise", {"kind": "pause", "client_id": cid()}, timeout=60
                )
                return ack["status"]

            started = time.monotonic()
            statuses = await asyncio.gather(
                *(over_socket(c) for c in sockets), *(over_http(t) for t in tokens[100:])
            )
            took = time.monotonic() - started
        await disconnect_all(sockets)
        await close_session()
        assert took < 45, f"200 pauses took {took:.1f} s"
        return statuses

    try:
        statuses = run_async(asyncio.wait_for(run(), 120))
        assert statuses == [201] * 200
        with sqlite3.connect(live.db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 200
    finally:
        live.stop()


# --- 3. idle sockets cannot starve the server ----------------------------------------------


class RawSocket:
    """A bare Engine.IO/Socket.IO client over one WebSocket from a chosen local address:
    what a script on the Wi-Fi opens by the thousand. It answers pings, so only the
    server's own rules can close it."""

    def __init__(self, ws) -> None:
        self.ws, self.closed = ws, False

    @classmethod
    async def open(cls, url: str, source: str, token: str | None = None):
        import asyncio
        import json

        from websockets.asyncio.client import connect

        ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        try:
            ws = await connect(ws_url, local_addr=(source, 0), open_timeout=10, ping_interval=None)
            await asyncio.wait_for(ws.recv(), 10)  # the open packet
            if token is not None:
                await ws.send("40" + json.dumps({"token": token}))
                answer = await asyncio.wait_for(ws.recv(), 10)
                if not answer.startswith("40"):
                    await ws.close()
                    return None
        except Exception:
            return None  # refused
        raw = cls(ws)
        raw.task = asyncio.create_task(raw._pong())
        return raw

    async def _pong(self) -> None:
        try:
            async for frame in self.ws:
                if frame == "2":
                    await self.ws.send("3")
        except Exception:  # the server closed it: just what is checked
            self.closed = True
        self.closed = True

    async def close(self) -> None:
        self.ws.transport.abort()  # like a phone walking out of range


def test_idle_sockets_from_one_address_cannot_stop_a_pause_from_another(server):
    import http.client
    import json

    live = server(
        FD_LIMIT=800,
        FD_RESERVE=300,  # so 250 sockets in all (two descriptors each)
        SOCKETS_PER_ADDRESS=100,
        CONNECTIONS_PER_ADDRESS=110,
        SOCKET_SIGN_IN_SECONDS=2,
    )
    ad = Listener(live, "Tom Brennan")
    tokens = [p["token"] for p in live.people.values()]

    def pause_from(source: str) -> int:
        conn = http.client.HTTPConnection(
            "127.0.0.1", live.port, timeout=10, source_address=(source, 0)
        )
        body = json.dumps({"kind": "pause", "client_id": cid()})
        headers = {"Authorization": f"Bearer {live.people['Jordan Blake']['token']}"}
        conn.request("POST", "/api/alerts", body, {**headers, "Content-Type": "application/json"})
        status = conn.getresponse().status
        conn.close()
        return status

    async def attack() -> None:
        # sockets that never sign in are closed within seconds
        idle = await asyncio.gather(*(RawSocket.open(live.url, "127.0.0.1") for _ in range(150)))
        opened = [s for s in idle if s is not None]
        assert len(opened) <= 100  # one address, at most SOCKETS_PER_ADDRESS
        await asyncio.sleep(4)
        assert all(s.closed for s in opened), "unsigned sockets were still held"

        # signed-in sockets from three addresses use up the socket budget
        held = []
        for source in ("127.0.0.1", "127.0.0.3", "127.0.0.4"):
            got = await asyncio.gather(
                *(RawSocket.open(live.url, source, tokens[i % len(tokens)]) for i in range(130))
            )
            held += [(source, s) for s in got if s is not None]
        await asyncio.sleep(1)
        open_now = [source for source, s in held if not s.closed]
        assert 200 <= len(open_now) <= 250  # the budget, all of it used
        assert max(open_now.count(a) for a in set(open_now)) <= 100  # and per address

        # the reserve: health, sign-in and a pause from another phone still answer
        loop = asyncio.get_running_loop()
        health = await loop.run_in_executor(
            None, lambda: requests.get(f"{live.url}/healthz", timeout=5).status_code
        )
        assert health == 200
        assert await loop.run_in_executor(None, pause_from, "127.0.0.2") == 201
        await asyncio.gather(*(s.close() for _, s in held), return_exceptions=True)

    try:
        run_async(asyncio.wait_for(attack(), 90))
        deadline = time.monotonic() + 5
        while not ad.got("alert:new") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [a["kind"] for a in ad.got("alert:new")] == ["pause"]  # the AD heard it
    finally:
        ad.close()
