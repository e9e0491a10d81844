"""`ictool soak`: alerts under faults. Many senders raise alerts (concerns, each in new
words, since a second pause from someone whose pause is open is the same alert; each
retried with its own client_id until the server acknowledges it, like a phone's outbox)
while connections are
dropped at random, the server is SIGKILLed once and restarted, and (with --scale-out) a
second process shares the database through Redis, which is restarted too. A scripted 1st
AD acknowledges everything it receives live or catches up by seq. With --idle-sockets N,
a script on another address keeps opening N sockets that never sign in, all run long.
At the end the database is the judge: lost, duplicates, unacknowledged must all be 0
(exit status 1 otherwise).
"""

import asyncio
import random
import tempfile
import time
import uuid
from pathlib import Path

import click

from ictool_load import loadkit

SENDERS = ("Alex Rivera", "Sam Lindqvist", "Jordan Blake", "Kenji Mori", "Ellie Hart")
SENDERS += ("Marta Nowak", "Chloe Dubois", "Dev Malhotra", "Lena Voss", "Ruth Adeyemi")
RETRYABLE = (TimeoutError, OSError)


def _client():
    return loadkit.new_client(reconnection=True, reconnection_delay=0.1, reconnection_delay_max=1.0)


async def _connect(client, url: str, token: str) -> None:
    """Connect, trying again until the server is there (it may be restarting)."""
    while True:
        try:
            await client.connect(url, auth={"token": token}, transports=["websocket"])
            return
        except Exception:  # noqa: BLE001  connection refused while the server restarts
            await asyncio.sleep(0.2)


async def _call(client, event: str, data: dict, timeout: float = 5) -> dict | None:
    """One call; None when it did not get an answer (disconnected, timed out)."""
    if not client.connected:
        await asyncio.sleep(0.05)
        return None
    try:
        return await client.call(event, data, timeout=timeout)
    except Exception:  # noqa: BLE001  socketio's TimeoutError / BadNamespaceError
        return None


class Stats:
    """What the senders and the AD saw."""

    def __init__(self) -> None:
        self.committed: dict[str, int] = {}  # client_id -> alert id acknowledged to sender
        self.attempts = 0
        self.refused: list[dict] = []
        self.seen: dict[int, int] = {}  # alert id -> seq, at the AD
        self.live_copies: dict[int, int] = {}  # alert id -> alert:new events at the AD
        self.acked: set[int] = set()
        self.drops = 0
        self.idle_opened = self.idle_refused = self.idle_closed_by_server = 0
        self.idle_most_held = 0


async def _sender(url: str, token: str, work: asyncio.Queue, stats: Stats, clients: list):
    client = _client()
    clients.append(client)
    await _connect(client, url, token)
    while not work.empty():
        payload = work.get_nowait()
        while True:
            stats.attempts += 1
            ack = await _call(client, "alert:raise", payload)
            if ack is None or ack.get("status", 500) >= 500:
                await asyncio.sleep(0.1)
                continue
            if ack["status"] in (200, 201):
                stats.committed[payload["client_id"]] = ack["alert"]["id"]
            else:
                stats.refused.append(ack)
            break
    return client


async def _ad(url: str, token: str, stats: Stats, stop: asyncio.Event, clients: list):
    """The scripted 1st AD: acknowledge every alert seen live or by catching up."""
    client = _client()
    clients.append(client)
    pending: asyncio.Queue = asyncio.Queue()
    last_seq = [0]

    def note(view: dict) -> None:
        soak = str(view.get("client_id", "")).startswith("soak-")
        if soak and view["id"] not in stats.seen:
            stats.seen[view["id"]] = view["seq"]
            pending.put_nowait(view["id"])

    async def on_new(view: dict) -> None:
        stats.live_copies[view["id"]] = stats.live_copies.get(view["id"], 0) + 1
        note(view)

    async def catch_up() -> None:
        """Page through `alert:sync`; only its reply moves the seq asked from (a live
        event's seq may overtake an earlier change still on its way)."""
        while True:
            reply = await _call(client, "alert:sync", {"since": last_seq[0]}, timeout=10)
            if not reply or reply.get("status") != 200:
                return
            for view in reply.get("alerts", []):
                note(view)
            last_seq[0] = max(last_seq[0], reply.get("seq") or 0)
            if not reply.get("more"):
                return

    client.on("alert:new", on_new)
    client.on("connect", lambda: asyncio.get_running_loop().create_task(catch_up()))
    await _connect(client, url, token)

    async def acker() -> None:
        while True:
            alert_id = await pending.get()
            while True:
                reply = await _call(client, "alert:ack", {"id": alert_id})
                if reply and reply.get("status") == 200:
                    stats.acked.add(alert_id)
                    break
                await asyncio.sleep(0.1)

    task = asyncio.get_running_loop().create_task(acker())
    while not stop.is_set():
        await asyncio.sleep(2)
        await catch_up()  # a phone also re-syncs when it wakes: belt and braces
    await catch_up()
    while not pending.empty():
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    task.cancel()


async def _dropper(clients: list, stats: Stats, every: float, stop: asyncio.Event) -> None:
    """Cut a random client's WebSocket every `every` seconds, like a phone losing Wi-Fi."""
    rng = random.Random(5)
    while not stop.is_set():
        await asyncio.sleep(every)
        client = rng.choice(clients) if clients else None
        ws = getattr(getattr(client, "eio", None), "ws", None)
        if client is not None and client.connected and ws is not None:
            stats.drops += 1
            await ws.close()


async def _idle_sockets(url: str, n: int, stats: Stats, stop: asyncio.Event) -> None:
    """Keep up to `n` WebSockets open from 127.0.0.2 that never sign in (answering pings,
    reopening what the server closes), as a script on the set's Wi-Fi would."""
    if n <= 0:
        return
    from websockets.asyncio.client import connect

    ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    held: set = set()

    async def hold() -> None:
        ws = None
        try:
            async with connect(ws_url, local_addr=("127.0.0.2", 0), ping_interval=None) as sock:
                ws = sock
                held.add(ws)
                stats.idle_opened += 1
                async for frame in ws:
                    if frame == "2":
                        await ws.send("3")
                stats.idle_closed_by_server += 1
        except Exception:  # noqa: BLE001  refused (budget) or closed: what is measured
            stats.idle_refused += 1
        finally:
            held.discard(ws)
        await asyncio.sleep(1)  # then try again: the script keeps asking for its N

    tasks: set = set()
    while not stop.is_set():
        while len(tasks) < n and not stop.is_set():
            task = asyncio.get_running_loop().create_task(hold())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            if len(tasks) % 200 == 0:
                await asyncio.sleep(0)  # let them connect a few hundred at a time
        stats.idle_most_held = max(stats.idle_most_held, len(held))
        await asyncio.sleep(0.2)
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _faults(servers: list, redis, stats: Stats, out) -> None:
    """Once the run is going: SIGKILL and restart the first server; restart Redis."""
    await asyncio.sleep(2.0)
    servers[0].kill()
    out(f"  SIGKILLed the server on port {servers[0].port} after 2 s")
    await asyncio.sleep(0.5)
    took = await asyncio.to_thread(servers[0].start)
    out(f"  restarted it; /healthz after {took * 1000:.0f} ms")
    if redis is not None:
        await asyncio.sleep(1.5)
        redis.stop()
        await asyncio.sleep(0.5)
        redis.start()
        out("  restarted Redis (empty)")


async def _run(opts: dict, servers: list, redis, tokens: dict[str, str], out) -> Stats:
    stats = Stats()
    work: asyncio.Queue = asyncio.Queue()
    for _ in range(opts["alerts"]):
        words = uuid.uuid4().hex
        payload = {"kind": "concern", "audience": "ic_and_ad", "text": f"soak {words}"}
        work.put_nowait(dict(payload, client_id=f"soak-{words}"))
    clients: list = []
    stop = asyncio.Event()
    ad_url = servers[-1].url  # with two processes the AD is on the other one
    ad_task = asyncio.get_running_loop().create_task(
        _ad(ad_url, tokens["Tom Brennan"], stats, stop, clients)
    )
    dropper = asyncio.get_running_loop().create_task(
        _dropper(clients, stats, opts["drop_every"], stop)
    )
    faults = asyncio.get_running_loop().create_task(_faults(servers, redis, stats, out))
    hostile = asyncio.get_running_loop().create_task(
        _idle_sockets(servers[-1].url, opts.get("idle_sockets", 0), stats, stop)
    )
    started = time.perf_counter()
    senders = [
        _sender(
            servers[i % len(servers)].url,
            tokens[SENDERS[i % len(SENDERS)]],
            work,
            stats,
            clients,
        )
        for i in range(opts["senders"])
    ]
    await asyncio.gather(*senders)
    await faults
    out(
        f"  all {len(stats.committed)} raises acknowledged in {time.perf_counter() - started:.1f} s"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not set(stats.committed.values()) <= stats.acked:
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(ad_task, dropper, hostile)
    await loadkit.disconnect_all(clients)
    await loadkit.close_session()
    return stats


def _judge(db_path: Path, stats: Stats, sent: int, out) -> bool:
    from ictool.db import connect

    db = connect(str(db_path), migrate=False)
    rows = db.execute(
        "SELECT client_id, COUNT(*), MIN(acknowledged_at IS NOT NULL) FROM alerts"
        " WHERE client_id LIKE 'soak-%' GROUP BY client_id"
    ).fetchall()
    db.close()
    in_db = {r[0] for r in rows}
    lost = sent - len(in_db & set(stats.committed)) + len(set(stats.committed) - in_db)
    duplicates = sum(r[1] - 1 for r in rows)
    unacked = sum(1 for r in rows if not r[2])
    missed_by_ad = len(set(stats.committed.values()) - set(stats.seen))
    repeats = sum(n - 1 for n in stats.live_copies.values() if n > 1)
    out(
        f"sent={sent} committed={len(in_db)} lost={lost} duplicates={duplicates} "
        f"acknowledged_by_ad={len(rows) - unacked}/{len(rows)} missed_by_ad={missed_by_ad}"
    )
    out(
        f"raise attempts={stats.attempts} (retries {stats.attempts - sent}) "
        f"connections dropped={stats.drops} refused={len(stats.refused)} "
        f"repeated live deliveries={repeats}"
    )
    if stats.idle_opened or stats.idle_refused:
        out(
            f"idle sockets from 127.0.0.2: opened={stats.idle_opened} "
            f"refused={stats.idle_refused} closed_by_server={stats.idle_closed_by_server} "
            f"most_held_at_once={stats.idle_most_held}"
        )
    return lost == 0 and duplicates == 0 and unacked == 0 and missed_by_ad == 0


@click.command()
@click.option("--alerts", "alerts_", default=1000, show_default=True)
@click.option("--senders", default=200, show_default=True)
@click.option("--drop-every", default=0.05, show_default=True, help="Seconds between drops.")
@click.option("--scale-out", is_flag=True, help="Two processes + Redis (restarted mid-run).")
@click.option(
    "--idle-sockets",
    default=0,
    show_default=True,
    help="Also keep this many never-signed-in sockets open from 127.0.0.2 (e.g. 10000).",
)
def soak(alerts_: int, senders: int, drop_every: float, scale_out: bool, idle_sockets: int) -> None:
    """Raise alerts under dropped connections, a SIGKILL and (scale-out) a Redis restart;
    prints lost, duplicates and acknowledged; exits 1 unless all is well."""
    loadkit.need_client_libraries()
    out = click.echo
    with tempfile.TemporaryDirectory(prefix="ictool-soak-") as tmp:
        workdir = Path(tmp)
        db = workdir / "soak.db"
        tokens = loadkit.seed_demo(db)
        redis = loadkit.RedisServer().start() if scale_out else None
        env = {"ICTOOL_MESSAGE_QUEUE": redis.url} if redis else {}
        # every phone here is on 127.0.0.1, and a dropped one may linger up to a ping timeout
        env |= loadkit.one_address_env(2 * senders + 200)
        servers = [
            loadkit.Server(workdir / "instance", db, "gevent", env)
            for _ in range(2 if redis else 1)
        ]
        try:
            for server in servers:
                server.start()
            mode = "two processes + Redis" if redis else "one process"
            out(f"ictool soak: {alerts_} alerts from {senders} senders, {mode}")
            opts = {"alerts": alerts_, "senders": senders, "drop_every": drop_every}
            opts["idle_sockets"] = idle_sockets
            stats = asyncio.run(_run(opts, servers, redis, tokens, out))
        finally:
            for server in servers:
                server.stop()
            if redis:
                redis.stop()
        ok = _judge(db, stats, alerts_, out)
    if not ok:
        raise click.ClickException("the soak lost, duplicated or left alerts unacknowledged")
