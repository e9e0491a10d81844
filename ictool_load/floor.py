"""The floor under ictool's CPU per alert: the same Socket.IO traffic through a bare
Flask-SocketIO gevent server that keeps nothing (`ictool bench --floor`).

Per alert ictool's server reads three events (raise, receipt, resolve), answers each, and
sends an alert view to each of the IC, the 1st AD and the sender three times (new, update,
update). The bare server does exactly that with a fixed view of the same size, and no
database, audit, checks or views, on the same pinned core with the same idle phones. What
ictool costs beyond it is the price of its guarantees; the rest is the framework's.
"""

import asyncio
import time
import uuid

from ictool_load import loadkit

BARE_SERVER = """
from gevent import monkey; monkey.patch_all()
import sys
from flask import Flask
from flask_socketio import SocketIO, join_room
app = Flask(__name__)
app.secret_key = "floor"
sio = SocketIO(app, async_mode="gevent", ping_interval=5, ping_timeout=5)
count = [0]
def view(n, client_id=None):
    return {"seq": n, "id": n, "client_id": client_id, "kind": "pause", "label": "Pause",
            "restricted": False, "mine": False, "scene": None,
            "raised_at": "2026-12-03T08:00:00.000+00:00",
            "sender": {"id": 5, "name": "Alex Rivera"}, "audience": "ic_and_ad",
            "anonymous": False, "text": None, "preset": None, "state": "open",
            "delivered_to_ad": False, "delivered_to_ic": False, "acknowledged_by": None,
            "acknowledged_by_role": None, "acknowledged_at": None, "resolved_by": None,
            "resolved_by_role": None, "resolved_at": None, "resolution_note": None,
            "escalation_level": 0, "alarm": True}
def tell(event, v):
    for room in ("ad", "ic", "sender"):
        sio.emit(event, v, to=room)
@sio.on("connect")
def connect(auth=None):
    join_room((auth or {}).get("room", "idle"))
@sio.on("alert:raise")
def on_raise(data):
    count[0] += 1
    v = view(count[0], data.get("client_id"))
    tell("alert:new", v)
    return {"status": 201, "alert": v}
@sio.on("alert:received")
def on_received(data):
    tell("alert:update", view(data["id"]))
    return {"status": 200}
@sio.on("alert:resolve")
def on_resolve(data):
    v = view(data["id"])
    tell("alert:update", v)
    return {"status": 200, "alert": v}
print("ready", flush=True)
sio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)
"""


async def floor(idle: int, alerts: int, cpus: frozenset[int]) -> tuple[list[float], float]:
    """Raise → AD latencies (ms) and server CPU per alert beyond idle (ms) of the bare
    server with `idle` idle phones, `alerts` rounds of raise, receipt and resolve."""
    proc, port = loadkit.start_script(BARE_SERVER, cpus)
    url = f"http://127.0.0.1:{port}"
    clients = []
    try:

        async def connect(room: str, **handlers):
            client = loadkit.new_client()
            for event, handler in handlers.items():
                client.on(event, handler)
            await client.connect(url, auth={"room": room}, transports=["websocket"])
            clients.append(client)
            return client

        for start in range(0, idle, 50):
            await asyncio.gather(*(connect("idle") for _ in range(min(50, idle - start))))
        waiting: dict[str, asyncio.Future] = {}

        def on_new(view: dict) -> None:
            future = waiting.get(view.get("client_id"))
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

        ad = await connect("ad", **{"alert:new": on_new})
        await connect("ic")
        sender = await connect("sender")
        await asyncio.sleep(1)
        cpu, wall = _cpu(proc.pid), time.perf_counter()
        await asyncio.sleep(3)
        idle_rate = (_cpu(proc.pid) - cpu) / (time.perf_counter() - wall)
        latencies = []
        cpu, wall = _cpu(proc.pid), time.perf_counter()
        for _ in range(alerts):
            client_id = uuid.uuid4().hex
            future = asyncio.get_running_loop().create_future()
            waiting[client_id] = future
            sent = time.perf_counter()
            ack = await sender.call("alert:raise", {"kind": "pause", "client_id": client_id})
            latencies.append((await asyncio.wait_for(future, 5) - sent) * 1000)
            await ad.call("alert:received", {"id": ack["alert"]["id"]})
            await ad.call("alert:resolve", {"id": ack["alert"]["id"]})
        busy = _cpu(proc.pid) - cpu - idle_rate * (time.perf_counter() - wall)
        return latencies, busy / max(1, alerts) * 1000
    finally:
        await loadkit.disconnect_all(clients)
        proc.kill()
        proc.wait()


def _cpu(pid: int) -> float:
    return loadkit._cpu_ticks(pid) / loadkit._TICKS
