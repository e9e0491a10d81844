"""A live copy of the database elsewhere, kept by Litestream running beside the server.

Litestream (a maintained engine, installed with `pip install 'ictool[replica]'`) streams
the database's WAL to a replica: a folder on a USB drive or NAS (`file:///media/usb/set`),
a second laptop (`sftp://user@host/path`) or S3-compatible storage. The server supervises
it (started with the server, restarted if it dies) and watches, honestly, how far behind
the copy is: every few seconds it asks Litestream for the newest transaction it has taken
from the database (`litestream status`) and for the newest one present in the replica
(`litestream ltx`, which reads the replica itself). The copy holds everything written up
to the last moment those two agreed; "saved N s ago" counts from then.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'ictool[replica]'"
BEHIND_SECONDS = 30  # the IC is warned when the copy is older than this
CHECK_SECONDS = 2.0
SYNC_INTERVAL = "1s"


class ReplicaError(Exception):
    """Replication cannot start; said in one line."""


def engine() -> str:
    """The path of the `litestream` binary, or ReplicaError saying how to install it.
    ICTOOL_LITESTREAM names another binary (a system package, a newer release)."""
    chosen = os.environ.get("ICTOOL_LITESTREAM")
    if chosen:
        if not (Path(chosen).is_file() and os.access(chosen, os.X_OK)):
            raise ReplicaError(
                f"the Litestream engine is not installed at {chosen} (ICTOOL_LITESTREAM): "
                f"{INSTALL_HINT}"
            )
        return chosen
    beside = Path(sys.executable).parent / "litestream"  # the wheel's binary, in this venv
    found = str(beside) if beside.is_file() else shutil.which("litestream")
    if not found:
        raise ReplicaError(f"the Litestream engine is not installed: {INSTALL_HINT}")
    return found


def check_target(url: str, binary: str) -> None:
    """Refuse a replica that cannot be reached now (a drive not plugged in, a host down)."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        folder = Path(parsed.path)
        if not folder.parent.is_dir():
            raise ReplicaError(
                f"cannot replicate to {url}: folder {folder.parent} does not exist "
                "(is the drive connected?)"
            )
        if not os.access(folder.parent, os.W_OK) or (folder.exists() and not folder.is_dir()):
            raise ReplicaError(f"cannot replicate to {url}: {folder} is not a writable folder")
        return
    if parsed.scheme not in ("sftp", "s3", "gs", "abs", "webdav", "webdavs", "nats", "oss"):
        raise ReplicaError(
            f"cannot replicate to {url}: use file:///folder, sftp://user@host/path or s3://..."
        )
    probe = _run([binary, "ltx", "-level", "all", "-json", url], timeout=15)
    if probe is None:
        raise ReplicaError(f"cannot replicate to {url}: it did not answer within 15 s")
    if probe.returncode != 0:
        raise ReplicaError(f"cannot replicate to {url}: {_last_line(probe.stderr)}")


def die_with_parent() -> None:
    """In the child, before exec: be stopped when the server dies, even by SIGKILL, so a
    restarted server never finds a second engine still writing for the old one (Linux)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("Error: ") if lines else "unknown error"


@dataclass
class Status:
    """What the IC's dashboard says about the copy."""

    url: str
    saved_at: float | None  # wall-clock time up to which the copy holds every write
    error: str | None  # why the copy is failing, when it is
    restarts: int

    def age(self, now: float | None = None) -> float | None:
        return None if self.saved_at is None else max(0.0, (now or time.time()) - self.saved_at)

    @property
    def state(self) -> str:
        """ok, behind (> 30 s) or failing (the engine or the replica reports an error)."""
        age = self.age()
        if self.error:
            return "failing"
        if age is None or age > BEHIND_SECONDS:
            return "behind"
        return "ok"


class Replicator:
    """Litestream for one database and one replica URL, supervised and watched."""

    def __init__(self, db_path: str, url: str, workdir: Path, binary: str):
        self.db_path, self.url, self.binary = str(Path(db_path).resolve()), url, binary
        self.config = Path(workdir) / "litestream.yml"
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.saved_at: float | None = None
        self.error: str | None = None
        self.engine_error: tuple[float, str] | None = None
        self._seen: list[tuple[float, int]] = []  # (when, local txid then), oldest first
        self._stop = threading.Event()

    def write_config(self) -> None:
        """The engine's settings, owner-only (a replica URL may carry credentials)."""
        text = json.dumps(  # JSON is YAML
            {
                "dbs": [
                    {
                        "path": self.db_path,
                        "replica": {"url": self.url, "sync-interval": SYNC_INTERVAL},
                    }
                ]
            },
            indent=2,
        )
        fd = os.open(self.config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)

    def start(self) -> None:
        self.write_config()
        self._spawn()
        threading.Thread(target=self._supervise, name="replica-supervisor", daemon=True).start()
        threading.Thread(target=self._watch, name="replica-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def _spawn(self) -> None:
        cmd = [self.binary, "replicate", "-config", str(self.config), "-log-level", "warn"]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        proc = self.proc
        threading.Thread(target=self._read_log, args=(proc,), daemon=True).start()

    def _read_log(self, proc: subprocess.Popen) -> None:
        """Keep the engine's latest error (its log names paths and hosts, never records)."""
        for line in proc.stderr or ():
            if "level=ERROR" in line:
                msg = line.split("error=", 1)[-1].strip().strip('"') if "error=" in line else line
                self.engine_error = (time.time(), msg[:300])
                log.warning("replica: %s", line.strip()[:500])

    def _supervise(self) -> None:
        """Restart the engine whenever it exits, waiting a little longer each time."""
        delay = 1.0
        while not self._stop.is_set():
            proc = self.proc
            if proc is not None and proc.poll() is not None:
                self.restarts += 1
                log.warning("replica: the engine exited (%s); restarting", proc.returncode)
                self.engine_error = (time.time(), f"the engine stopped (exit {proc.returncode})")
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, 10.0)
                self._spawn()
            elif proc is not None:
                delay = 1.0
            self._stop.wait(0.5)

    def _local_txid(self) -> int | None:
        out = _run([self.binary, "status", "-config", str(self.config), "-json"], timeout=10)
        if out is None or out.returncode != 0:
            return None
        for row in json.loads(out.stdout or "[]"):
            if row.get("local_txid"):
                return int(row["local_txid"], 16)
        return None

    def _replica_txid(self) -> int | None:
        cmd = [self.binary, "ltx", "-level", "all", "-json", self.url]
        out = _run(cmd, timeout=10)
        if out is None:
            raise ReplicaError("the replica did not answer within 10 s")
        if out.returncode != 0:
            raise ReplicaError(_last_line(out.stderr))
        files = json.loads(out.stdout or "[]")
        return max((int(f["max_txid"], 16) for f in files), default=None)

    def check(self) -> None:
        """One look at both ends; advance `saved_at` when the replica has caught up."""
        now = time.time()
        local = self._local_txid()
        if local is not None:
            self._seen = [*self._seen[-1000:], (now, local)]
        try:
            remote = self._replica_txid()
        except ReplicaError as exc:
            self.error = str(exc)
            return
        if remote is not None:
            caught_up = [when for when, txid in self._seen if txid <= remote]
            if caught_up:
                self.saved_at = max(self.saved_at or 0, max(caught_up))
            self._seen = [(w, t) for w, t in self._seen if t > remote][-100:]
        recent = self.engine_error and self.engine_error[0] > (self.saved_at or 0)
        alive = self.proc is not None and self.proc.poll() is None
        self.error = self.engine_error[1] if recent and self.engine_error else None
        if not alive:
            self.error = "the engine is not running; restarting it"

    def _watch(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            try:
                self.check()
            except Exception:  # the watcher must outlive one odd answer
                log.exception("replica: status check failed")

    def status(self) -> Status:
        return Status(self.url, self.saved_at, self.error, self.restarts)


def start(app, url: str) -> Replicator:
    """Run Litestream beside this server for the app's database (called by `ictool serve`)."""
    binary = engine()
    check_target(url, binary)
    replicator = Replicator(app.config["DB"], url, Path(app.instance_path), binary)
    replicator.start()
    app.extensions["ictool.replica"] = replicator
    return replicator


def status_of(app) -> Status | None:
    """The copy's status, or None when this server keeps no replica."""
    replicator = app.extensions.get("ictool.replica")
    return replicator.status() if replicator else None
