"""A real `ictool serve` process on a free loopback port, for end-to-end tests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_database(path: Path) -> dict[str, dict]:
    """Seed the demo into `path`; return {name: {"id", "role", "token", ...}} for everyone."""
    run = [sys.executable, "-m", "ictool"]
    subprocess.run([*run, "demo", "--db", str(path)], check=True, capture_output=True)
    out = subprocess.run(
        [*run, "links", "--db", str(path), "--json", "--base-url", "http://127.0.0.1"],
        check=True,
        capture_output=True,
        text=True,
    )
    people = {}
    for link in json.loads(out.stdout):
        people[link["name"]] = dict(link, token=link["url"].rsplit("/", 1)[1])
    return people


class ServerProcess:
    """`ictool serve` in a child process; start, stop, or kill -9 it like a crash."""

    def __init__(self, db: Path, instance: Path, env: dict | None = None, port: int | None = None):
        self.db, self.instance = db, instance
        self.port = port or free_port()
        self.env = dict(
            os.environ,
            ICTOOL_SECRET_KEY="test-secret-key-for-e2e-tests-only",
            ICTOOL_INSTANCE=str(instance),
            # the server runs the code under test, whatever copy pip last installed
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        self.env.update(env or {})
        self.env.pop("ICTOOL_GEVENT", None)
        self.proc: subprocess.Popen | None = None
        self.log = instance / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> "ServerProcess":
        self.instance.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "ictool",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
        ]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, stdout=log, stderr=log, cwd=self.instance
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, like a power cut or a crash."""
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

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""
