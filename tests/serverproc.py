"""A real `ictool serve` process on a free loopback port, for end-to-end tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ictool_load.loadkit import Server, free_port

__all__ = ["ROOT", "ServerProcess", "demo_database", "free_port"]

ROOT = Path(__file__).resolve().parents[1]


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


class ServerProcess(Server):
    """`ictool serve` running the code under test in a child process; start, stop, or
    SIGKILL it like a crash."""

    def __init__(self, db: Path, instance: Path, env: dict | None = None, port: int | None = None):
        # the server runs the code under test, whatever copy pip last installed
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = {"ICTOOL_SECRET_KEY": "test-secret-key-for-e2e-tests-only", "PYTHONPATH": path} | (
            env or {}
        )
        super().__init__(instance, db, env=env, port=port)

    def start(self, timeout: float = 20) -> "ServerProcess":
        super().start(timeout)
        return self
