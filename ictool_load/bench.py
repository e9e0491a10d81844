"""`ictool bench`: the latency benchmark. A real server on a temporary demo database,
N idle phones, the 1st AD; M pauses raised one by one; a clearance-style broadcast to
200 phones timed against a bare `websockets` server in the same run; resident memory.

Prints numbers, asserts nothing. The server is the product started through
`ictool_load.benchserver`, which adds the one event only the benchmark uses
(`bench:clearance`: the IC's emit broadcasts a clearance-sized update to every role).
"""

import asyncio
import collections
import contextlib
import gc
import json
import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import click

from ictool_load import loadkit
from ictool_load.benchserver import CLEARANCE

# The idle phones are the crew's and the performers' (as on a set), and one each for the
# other people an escalating alert rings: the 2nd AD, the director and the producer.
IDLE_PEOPLE = ("Kenji Mori", "Ellie Hart", "Marta Nowak", "Chloe Dubois", "Dev Malhotra")
IDLE_PEOPLE += ("Sam Lindqvist", "Jordan Blake")
RINGING_PEOPLE = ("Priya Shah", "Lena Voss", "Ruth Adeyemi")


# --- the bare websockets baseline ---------------------------------------------------------


BARE_SERVER = """
import asyncio, sys, websockets
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    clients.add(ws)
    try:
        async for message in ws:
            if message.startswith("go"):
                broadcast(clients - {ws}, message[2:])
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), ping_interval=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


class Arrivals:
    """When each listener got the current broadcast round."""

    def __init__(self) -> None:
        self.times: dict[int, float] = {}
        self.want = 1 << 30
        self.done = asyncio.Event()

    def reset(self, want: int) -> None:
        self.times, self.want, self.done = {}, want, asyncio.Event()

    def arrive(self, key: int) -> None:
        self.times[key] = time.perf_counter()
        if len(self.times) >= self.want:
            self.done.set()


@contextlib.contextmanager
def clients_not_collecting():
    """No garbage collection in this (the clients') process while it times something: a
    gen-2 collection over hundreds of clients pauses every reader for 30-70 ms, which would
    be charged to whichever server was being timed. Both servers are timed under it."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _broadcast_rounds(trigger, listeners: int, rounds: int, arrivals: Arrivals) -> list:
    """Fire `rounds` broadcasts one after another; latencies (ms) of every listener."""
    with clients_not_collecting():
        return await _timed_rounds(trigger, listeners, rounds, arrivals)


async def _timed_rounds(trigger, listeners: int, rounds: int, arrivals: Arrivals) -> list:
    latencies: list[float] = []
    for n in range(rounds):
        arrivals.reset(listeners)
        sent = time.perf_counter()
        await trigger(n)
        try:
            await asyncio.wait_for(arrivals.done.wait(), 5)
        except TimeoutError:
            click.echo(f"  round {n}: {len(arrivals.times)} of {listeners} arrived", err=True)
        latencies += [(t - sent) * 1000 for t in arrivals.times.values()]
        await asyncio.sleep(0.02)
    return latencies


async def bare_broadcast(listeners: int, rounds: int, cpus: frozenset[int]) -> list[float]:
    """The same broadcast through a bare `websockets` server in its own process."""
    from websockets.asyncio.client import connect

    proc, port = loadkit.start_script(BARE_SERVER, cpus)
    try:
        arrivals = Arrivals()
        payload = json.dumps(["scene:clearance", CLEARANCE])
        sockets = [
            await connect(f"ws://127.0.0.1:{port}", ping_interval=None) for _ in range(listeners)
        ]
        readers = [asyncio.create_task(_read(ws, i, arrivals)) for i, ws in enumerate(sockets)]
        async with connect(f"ws://127.0.0.1:{port}", ping_interval=None) as sender:

            async def trigger(n: int) -> None:
                await sender.send("go" + payload.replace('"n": null', f'"n": {n}'))

            latencies = await _broadcast_rounds(trigger, listeners, rounds, arrivals)
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        return latencies
    finally:
        proc.kill()
        proc.wait()


async def _read(ws, i: int, arrivals: Arrivals) -> None:
    async for message in ws:
        json.loads(message)  # the Socket.IO client parses its payload too
        arrivals.arrive(i)


def _cpu_list(value: str | None) -> frozenset[int]:
    """'0' or '0,2' or '0-1' as a set of CPU numbers this process may use."""
    if not value:
        return frozenset()
    cpus: set[int] = set()
    try:
        for part in value.split(","):
            low, _, high = part.partition("-")
            cpus.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise click.BadParameter(f"{value!r}: CPUs like 0 or 0,2 or 0-1") from None
    if not cpus <= os.sched_getaffinity(0):
        raise click.BadParameter(
            f"{value!r}: this machine has CPUs {sorted(os.sched_getaffinity(0))}"
        )
    return frozenset(cpus)


async def _pause_round(performer, ad, waiting: dict) -> tuple[int, tuple | None]:
    """One pause from the performer, seen by the AD, who marks it received and resolves it:
    the ack's status, and (ms from raise to the AD's alert:new, the view) unless lost."""
    client_id = f"bench-{uuid.uuid4().hex}"
    future = asyncio.get_running_loop().create_future()
    waiting[client_id] = future
    sent = time.perf_counter()
    ack = await performer.call("alert:raise", {"kind": "pause", "client_id": client_id}, timeout=10)
    status = ack.get("status") if isinstance(ack, dict) else 0
    try:
        arrived, view = await asyncio.wait_for(future, 2)
    except TimeoutError:
        return status, None
    finally:
        waiting.pop(client_id, None)
    await ad.call("alert:received", {"id": view["id"]}, timeout=10)
    # resolved, not only acknowledged: while a person's pause is open, pausing again is the
    # same alert, so the next round's pause would not be new
    await ad.call("alert:resolve", {"id": view["id"]}, timeout=10)
    return status, ((arrived - sent) * 1000, view)


async def _flood(server, tokens: list[str], seconds: float, performer, ad, waiting) -> None:
    """Every flood phone raises concerns (each in new words, so each is a new alert) as fast
    as the server answers, for `seconds`; meanwhile the performer's pauses are timed to the
    AD. Prints alerts committed a second, every answer by status, and whether any acknowledged
    alert is missing from the database."""
    from ictool_load.loadkit import connect_many

    phones = await connect_many(server.url, tokens, len(tokens))
    answers: collections.Counter = collections.Counter()
    created: list[int] = []
    deadline = time.perf_counter() + seconds

    async def phone(i: int, client) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            body = {"kind": "concern", "text": f"flood {i} {n}", "client_id": f"flood-{i}-{n}"}
            try:
                ack = await client.call("alert:raise", body, timeout=10)
            except Exception:  # a timeout: counted, the phone goes on
                answers["no answer"] += 1
                continue
            status = ack.get("status", 0) if isinstance(ack, dict) else 0
            answers[str(status)] += 1
            if status == 201:
                created.append(ack["alert"]["id"])

    async def probe() -> list[float]:
        timed = []
        while time.perf_counter() < deadline:
            _status, result = await _pause_round(performer, ad, waiting)
            if result is not None:
                timed.append(result[0])
            await asyncio.sleep(0.05)
        return timed

    cpu, started = server.cpu_seconds(), time.perf_counter()
    with clients_not_collecting():
        *_, timed = await asyncio.gather(*(phone(i, c) for i, c in enumerate(phones)), probe())
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu
    with contextlib.closing(sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)) as conn:
        marks = ",".join("?" * len(created)) or "NULL"
        found = conn.execute(
            f"SELECT COUNT(*) FROM alerts WHERE id IN ({marks})",  # noqa: S608 (marks only)
            created,
        ).fetchone()[0]
    rate = len(created) / elapsed
    click.echo(
        f"flood: {len(phones)} phones raised {len(created)} new concerns in {elapsed:.1f} s:"
        f" {rate:.0f} committed a second (server CPU {cpu / elapsed * 100:.0f}% of a core,"
        f" {cpu / max(1, len(created)) * 1000:.2f} ms a concern)"
    )
    server_errors = sum(n for status, n in answers.items() if status.startswith("5"))
    click.echo(
        "flood answers: "
        + ", ".join(f"{status} x{n}" for status, n in sorted(answers.items()))
        + f" ({server_errors} server errors)"
    )
    click.echo(f"flood alerts acknowledged but missing from the database: {len(created) - found}")
    click.echo(loadkit.show("during the flood, raise -> alert:new at the AD", timed))
    await loadkit.disconnect_all(phones)


async def _leave_open(url: str, tokens: list[str]) -> None:
    """One pause from each of these people, raised over HTTP and left open for the run:
    nobody acknowledges them, so they escalate (at the production's step) while the timed
    pauses are raised."""
    import aiohttp

    started = time.perf_counter()
    gate = asyncio.Semaphore(20)
    async with aiohttp.ClientSession() as http:

        async def pause(token: str) -> int:
            async with gate:
                body = {"kind": "pause", "client_id": f"open-{uuid.uuid4().hex}"}
                headers = {"Authorization": f"Bearer {token}"}
                async with http.post(f"{url}/api/alerts", json=body, headers=headers) as r:
                    return r.status

        statuses = await asyncio.gather(*(pause(token) for token in tokens))
    fine = sum(status == 201 for status in statuses)
    click.echo(
        f"left {fine} of {len(tokens)} pauses open and unacknowledged"
        f" ({time.perf_counter() - started:.1f} s to raise)"
    )


def _escalations(db: Path, step: float) -> str:
    """How many escalations the server has committed so far, and how long after they were
    due (read from its database)."""
    from datetime import datetime

    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT audit.at, json_extract(audit.detail, '$.level'), alerts.raised_at"
            " FROM audit JOIN alerts ON audit.subject = 'alert:' || alerts.id"
            " WHERE audit.action = 'alert.escalated'"
        ).fetchall()
    late = sorted(
        (datetime.fromisoformat(at) - datetime.fromisoformat(raised)).total_seconds() - level * step
        for at, level, raised in rows
    )
    if not late:
        return "0 of the open ones escalated"
    return (
        f"{len(late)} escalations of the open ones, each after it was due by"
        f" p50 {late[len(late) // 2]:.2f} s, max {late[-1]:.2f} s"
    )


# --- the run --------------------------------------------------------------------------------


async def _run(opts: dict, server: loadkit.Server, tokens: dict[str, str]) -> None:
    url = server.url
    idle_tokens = [tokens[name] for name in IDLE_PEOPLE]
    ringing_tokens = [tokens[name] for name in RINGING_PEOPLE]
    out = click.echo

    # 1. broadcast to N_b listeners, then the bare websockets baseline
    arrivals = Arrivals()
    listeners = []
    for start in range(0, opts["broadcast_clients"], 50):
        size = min(50, opts["broadcast_clients"] - start)
        batch = await asyncio.gather(
            *(
                loadkit.connect_client(
                    url,
                    idle_tokens[(start + i) % len(idle_tokens)],
                    scene__clearance=lambda data, k=start + i: arrivals.arrive(k),
                )
                for i in range(size)
            )
        )
        listeners += batch
    ic = await loadkit.connect_client(url, tokens["Maya Okafor"])

    async def trigger(n: int) -> None:
        await ic.emit("bench:clearance", {"n": n})

    rounds = opts["broadcasts"]
    await _broadcast_rounds(trigger, len(listeners), 3, arrivals)  # warm up
    cpu = server.cpu_seconds()
    ours = await _broadcast_rounds(trigger, len(listeners), rounds, arrivals)
    cpu_per_broadcast = (server.cpu_seconds() - cpu) / rounds * 1000
    await loadkit.disconnect_all(listeners)
    await asyncio.sleep(0.5)
    bare = await bare_broadcast(len(listeners), rounds, server.cpus)
    p_ours, p_bare = loadkit.percentiles(ours), loadkit.percentiles(bare)
    out(loadkit.show(f"broadcast to {len(listeners)}, ictool ({server.kind})", ours))
    out(loadkit.show(f"broadcast to {len(listeners)}, bare websockets", bare))
    out(f"server CPU per broadcast to {len(listeners)}: {cpu_per_broadcast:.1f} ms")
    out(
        f"broadcast ratio ictool/bare: p50 {p_ours['p50'] / p_bare['p50']:.2f}x, "
        f"p99 {p_ours['p99'] / p_bare['p99']:.2f}x (target p99 <= 2x)"
    )

    # 2. N idle phones, the AD, and one performer raising M pauses one by one
    started = time.perf_counter()
    ringing = min(len(ringing_tokens), opts["clients"])
    idle = await loadkit.connect_many(url, ringing_tokens, ringing)
    idle += await loadkit.connect_many(url, idle_tokens, opts["clients"] - ringing)
    out(f"connected {len(idle)} idle clients in {time.perf_counter() - started:.1f} s")
    waiting: dict[str, asyncio.Future] = {}

    def on_new(view: dict) -> None:
        future = waiting.get(view.get("client_id"))
        if future is not None and not future.done():
            future.set_result((time.perf_counter(), view))

    ad = await loadkit.connect_client(url, tokens["Tom Brennan"], alert__new=on_new)
    performer = await loadkit.connect_client(url, tokens["Alex Rivera"])
    await asyncio.sleep(1)
    out(f"server RSS with {len(idle) + 3} clients connected: {server.rss_mb():.1f} MB")
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(3)
    idle_rate = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    out(f"server CPU while {len(idle) + 3} clients idle: {idle_rate * 100:.1f}% of a core")

    if opts["open_alerts"]:
        await _leave_open(url, [tokens[f"Extra {n}"] for n in range(1, opts["open_alerts"] + 1)])
    latencies, lost, refused, seqs = [], 0, 0, []
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    with clients_not_collecting():
        for _ in range(opts["alerts"]):
            status, timed = await _pause_round(performer, ad, waiting)
            refused += status != 201
            if timed is None:
                lost += 1
                continue
            latencies.append(timed[0])
            seqs.append(timed[1]["seq"])
    busy = server.cpu_seconds() - cpu - idle_rate * (time.perf_counter() - wall)
    if opts["open_alerts"]:
        out(
            f"while the pauses were raised ({time.perf_counter() - wall:.1f} s):"
            f" {_escalations(server.db, opts['escalation_seconds'])}"
        )
    cpu_per_alert = busy / max(1, opts["alerts"]) * 1000
    out(loadkit.show(f"raise -> alert:new at the AD ({len(idle)} idle clients)", latencies))
    out(f"server CPU per alert beyond idle (raise, receipt, resolve): {cpu_per_alert:.2f} ms")
    if opts.get("save"):
        Path(opts["save"]).write_text(json.dumps({"raise": latencies, "broadcast": ours}))
    out(f"alerts lost: {lost}, refused: {refused}, seq increasing: {seqs == sorted(seqs)}")
    out(f"server RSS after the run: {server.rss_mb():.1f} MB")
    if opts["floor"]:
        from ictool_load.floor import floor

        bare, bare_cpu = await floor(opts["clients"], opts["alerts"], server.cpus)
        out(loadkit.show("the same traffic, bare Flask-SocketIO (no database): raise -> AD", bare))
        out(
            f"server CPU per alert beyond idle, bare Flask-SocketIO: {bare_cpu:.2f} ms"
            f" (ictool {cpu_per_alert:.2f} ms in the same run; ictool's own work without"
            " sockets: python tools/alert_path_bench.py)"
        )
    if opts["flood_phones"]:
        first = opts["open_alerts"] + 1
        flood_tokens = [tokens[f"Extra {n}"] for n in range(first, first + opts["flood_phones"])]
        await _flood(server, flood_tokens, opts["flood_seconds"], performer, ad, waiting)
    await loadkit.disconnect_all([*idle, ad, performer, ic])
    await loadkit.close_session()


@click.command()
@click.option("--clients", default=500, show_default=True, help="Idle phones connected.")
@click.option("--alerts", "alerts_", default=1000, show_default=True, help="Pauses raised.")
@click.option("--broadcast-clients", default=200, show_default=True)
@click.option("--broadcasts", default=50, show_default=True, help="Broadcast rounds timed.")
@click.option(
    "--server",
    "kind",
    type=click.Choice(["gevent", "threading"]),
    default="gevent",
    show_default=True,
    help="gevent: `ictool serve`; threading: gunicorn gthread (pip install gunicorn).",
)
@click.option(
    "--open-alerts",
    default=0,
    show_default=True,
    help="Leave this many pauses (one per extra performer) open before timing; they"
    " escalate while the timed pauses are raised (see --escalation-seconds).",
)
@click.option(
    "--escalation-seconds",
    type=float,
    default=15.0,
    show_default=True,
    help="The production's escalation step (the product's default is 15 s).",
)
@click.option(
    "--flood-phones",
    default=0,
    show_default=True,
    help="After the timed pauses, this many more phones raise concerns as fast as answered.",
)
@click.option("--flood-seconds", default=10.0, show_default=True, help="How long the flood runs.")
@click.option(
    "--floor",
    is_flag=True,
    help="Also run the pauses' traffic through a bare Flask-SocketIO server (no database)"
    " on the same CPUs and print its CPU per alert: the framework's share.",
)
@click.option("--message-queue", metavar="URL", help="Run with this Redis message queue.")
@click.option("--save", metavar="PATH", help="Also write every latency (ms) to this JSON file.")
@click.option("--server-log", metavar="PATH", help="Keep the server's log here.")
@click.option(
    "--server-cpus",
    metavar="LIST",
    help="Pin the server (and the bare baseline) to these CPUs, e.g. 0 for a small set"
    " computer; the clients then run on the others.",
)
def bench(
    clients: int,
    alerts_: int,
    broadcast_clients: int,
    broadcasts: int,
    kind: str,
    open_alerts: int,
    escalation_seconds: float,
    flood_phones: int,
    flood_seconds: float,
    floor: bool,
    message_queue: str | None,
    save: str | None,
    server_log: str | None,
    server_cpus: str | None,
) -> None:
    """Measure alert latency, broadcast cost, memory and start-up time on a real server."""
    loadkit.need_client_libraries()
    cpus = _cpu_list(server_cpus)
    if cpus and os.sched_getaffinity(0) - cpus:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - cpus)  # the clients: the other cores
    with tempfile.TemporaryDirectory(prefix="ictool-bench-") as tmp:
        workdir = Path(tmp)
        db = workdir / "bench.db"
        tokens = loadkit.seed_demo(db, extra_performers=open_alerts + flood_phones)
        env = {"ICTOOL_RATE_LIMITS": "false", "ICTOOL_ESCALATION_SECONDS": str(escalation_seconds)}
        env |= loadkit.one_address_env(clients + broadcast_clients + flood_phones + 50)
        if message_queue:
            env["ICTOOL_MESSAGE_QUEUE"] = message_queue
        server = loadkit.Server(
            workdir / "instance", db, kind, env, app_module="ictool_load.benchserver", cpus=cpus
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        pin = f"pinned to CPU {','.join(map(str, sorted(cpus)))}" if cpus else "not pinned"
        click.echo(
            f"ictool bench: {kind} server ({pin}), fsync on (synchronous=FULL); load average {load}"
        )
        click.echo(f"/healthz answered {server.start() * 1000:.0f} ms after start (target 1500)")
        click.echo(f"server pid {server.proc.pid}")
        click.echo(f"server RSS idle: {server.rss_mb():.1f} MB")
        try:
            asyncio.run(
                _run(
                    {
                        "clients": clients,
                        "alerts": alerts_,
                        "broadcast_clients": broadcast_clients,
                        "broadcasts": broadcasts,
                        "save": save,
                        "open_alerts": open_alerts,
                        "escalation_seconds": escalation_seconds,
                        "flood_phones": flood_phones,
                        "flood_seconds": flood_seconds,
                        "floor": floor,
                    },
                    server,
                    tokens,
                )
            )
        finally:
            server.stop()
            if server_log and server.log.exists():
                Path(server_log).write_bytes(server.log.read_bytes())
