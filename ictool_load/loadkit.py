"""What `ictool bench` and `ictool soak` share: a demo database, a real server process,
many asyncio Socket.IO clients, percentiles and the server's resident memory.

Needs the test extra (python-socketio's asyncio client); imported only by those commands.
"""

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click


def need_client_libraries() -> None:
    """Fail with one clear line when the asyncio client is not installed."""
    try:
        import aiohttp  # noqa: F401
        import socketio  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(
            f"{exc.name} is missing: pip install 'ictool[test]' (benchmarks use its clients)"
        ) from exc


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_demo(path: Path, extra_performers: int = 0) -> dict[str, str]:
    """Write the demo production into a new database, with `extra_performers` more
    performers ("Extra 1", ...); return {name: join token}."""
    from ictool import demo, people
    from ictool.db import connect

    db = connect(str(path))
    demo.seed(db)
    production_id = db.execute("SELECT MIN(id) FROM productions").fetchone()[0]
    for n in range(1, extra_performers + 1):
        people.add(db, production_id, f"Extra {n}", "performer")
    tokens = {p["name"]: people.issue_token(db, p["id"]) for p in db["people"].rows}
    db.close()
    return tokens


def one_address_env(sockets: int) -> dict[str, str]:
    """Settings for a server whose load comes from one address (this machine): the
    per-address budget must fit every simulated phone (a real set's phones each have their
    own address)."""
    return {
        "ICTOOL_SOCKETS_PER_ADDRESS": str(sockets),
        "ICTOOL_CONNECTIONS_PER_ADDRESS": str(2 * sockets + 100),
    }


def pinned(cpus: frozenset[int]):
    """A preexec_fn that pins the child (and every thread it starts) to these CPUs, like
    `taskset -c`; None when no CPUs are given."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def start_script(source: str, cpus: frozenset[int]) -> tuple[subprocess.Popen, int]:
    """A baseline server (Python source taking its port as its one argument and printing a
    line when it listens) in its own process, pinned like the server it is held against;
    return it, listening, and its port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", source, str(port)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pinned(cpus),  # noqa: PLW1509  (no threads in the child before exec)
    )
    proc.stdout.readline()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the line may come just before it listens
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return proc, port
        time.sleep(0.02)
    proc.kill()
    raise click.ClickException("a baseline server did not start listening")


class Server:
    """`ictool serve` (gevent) or gunicorn threads (threading) in a child process, with its
    instance folder (keys, log) at `instance`; start, stop, or SIGKILL it like a crash.
    `app_module` is what the child runs: `ictool`, or a wrapper with the same command line
    and `create_app` (the benchmark's). The child imports the same copies of `ictool` and
    this package as this process did."""

    def __init__(
        self,
        instance: Path,
        db: Path,
        kind: str = "gevent",
        env: dict | None = None,
        port: int | None = None,
        args: tuple[str, ...] = (),
        app_module: str = "ictool",
        cpus: frozenset[int] = frozenset(),
    ):
        self.instance, self.db, self.kind, self.args = instance, db, kind, args
        self.app_module, self.cpus = app_module, cpus
        self.port = port or free_port()
        own = {"ICTOOL_SECRET_KEY": secrets.token_hex(32), "ICTOOL_INSTANCE": str(instance)}
        own["PYTHONPATH"] = _code_path()
        self.env = os.environ | own | {"ICTOOL_DB": str(db)} | (env or {})
        self.env.pop("ICTOOL_GEVENT", None)
        self.proc: subprocess.Popen | None = None
        self.log = instance / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.kind == "gevent":
            return [sys.executable, "-m", self.app_module, "serve", "--host", "127.0.0.1"] + [
                "--port",
                str(self.port),
                "--db",
                str(self.db),
                *self.args,
            ]
        if shutil.which("gunicorn") is None and not _has_module("gunicorn"):
            raise click.ClickException("--server threading needs gunicorn: pip install gunicorn")
        return [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads"] + [
            "1000",
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            f"{self.app_module}:create_app()",
        ]

    def healthz(self) -> bool:
        with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:  # noqa: S310
            return r.status == 200

    def start(self, timeout: float = 20) -> float:
        """Start it and return the seconds until /healthz answered 200."""
        self.instance.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                env=self.env,
                stdout=log,
                stderr=log,
                cwd=self.instance,
                preexec_fn=pinned(self.cpus),  # noqa: PLW1509  (no threads yet in the bench)
            )
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise click.ClickException(f"server exited: {self.log_text()[-2000:]}")
            try:
                if self.healthz():
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        raise click.ClickException(f"server did not answer: {self.log_text()[-2000:]}")

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL, like a crash or a power cut."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (gunicorn's worker), in MB."""
        return sum(_rss_kb(pid) for pid in _tree(self.proc.pid)) / 1024 if self.proc else 0.0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its children have used so far."""
        return sum(_cpu_ticks(pid) for pid in _tree(self.proc.pid)) / _TICKS if self.proc else 0.0


_TICKS = os.sysconf("SC_CLK_TCK")


def _code_path() -> str:
    """PYTHONPATH for a child: the folders this process found `ictool` and `ictool_load` in
    (the server runs the code the command was started with), then the inherited one."""
    import ictool

    here = [str(Path(m).resolve().parent.parent) for m in (ictool.__file__, __file__)]
    return os.pathsep.join(dict.fromkeys(filter(None, [*here, os.environ.get("PYTHONPATH")])))


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pids
    for child in children:
        pids += _tree(int(child))
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RedisServer:
    """A throwaway `redis-server` on a free loopback port, no persistence."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        exe = shutil.which("redis-server")
        if exe is None:
            raise click.ClickException("redis-server is not installed (apt-get install redis)")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
            + ["no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.02)
        raise click.ClickException("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of a list of milliseconds (nearest rank)."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": ordered[-1]}


def show(label: str, values: list[float]) -> str:
    """One printed line: label, count and percentiles in ms."""
    p = percentiles(values)
    return (
        f"{label}: n={len(values)} p50={p['p50']:.2f} ms p95={p['p95']:.2f} ms "
        f"p99={p['p99']:.2f} ms max={p['max']:.2f} ms"
    )


_session = None


def new_client(**options):
    """An asyncio Socket.IO client sharing one HTTP session with all the others (closed by
    `close_session` at the end, so no session is left for the garbage collector)."""
    global _session
    import aiohttp
    import socketio

    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    return socketio.AsyncClient(http_session=_session, **options)


async def close_session() -> None:
    """Close the shared HTTP session (after every client has disconnected)."""
    global _session
    if _session is not None:
        await _session.close()
        _session = None
        await asyncio.sleep(0.1)


async def connect_client(url: str, token: str, reconnection: bool = False, **handlers):
    """One asyncio Socket.IO client over WebSocket, signed in by token, handlers attached."""
    client = new_client(reconnection=reconnection, reconnection_delay=0.2)
    for event, handler in handlers.items():
        client.on(event.replace("__", ":"), handler)
    await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


async def connect_many(url: str, tokens: list[str], n: int, batch: int = 50) -> list:
    """`n` idle clients, tokens used round robin, connected `batch` at a time."""
    clients = []
    for start in range(0, n, batch):
        size = min(batch, n - start)
        clients += await asyncio.gather(
            *(connect_client(url, tokens[(start + i) % len(tokens)]) for i in range(size))
        )
    return clients


async def disconnect_all(clients: list) -> None:
    """Disconnect every client and stop its reconnecting."""

    await asyncio.gather(*(c.shutdown() for c in clients), return_exceptions=True)
