"""`ictool serve --replicate`: Litestream beside the server, supervised, and the IC's line
"Copy saved N s ago" that turns into a warning when the copy fails; one clear line when the
engine is missing or the replica cannot be reached."""

import os
import shutil
import subprocess
import sys
import time

import requests
from serverproc import ROOT, ServerProcess, free_port
from test_failover import engine_or_skip, seeded

ICTOOL = [sys.executable, "-m", "ictool"]


def serve(tmp_path, *args: str, env: dict) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT), "ICTOOL_INSTANCE": str(tmp_path / "i")} | env
    cmd = [*ICTOOL, "serve", "--host", "127.0.0.1", "--port", str(free_port()), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, check=False)


def one_line(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ictool: error:"), result.stderr
    assert words in lines[0], lines[0]


def test_serve_refuses_to_replicate_without_the_engine_or_the_drive(tmp_path):
    db = str(tmp_path / "live.db")
    missing = serve(tmp_path, "--db", db, "--replicate", (tmp_path / "usb").as_uri(),
                    env={"ICTOOL_LITESTREAM": str(tmp_path / "no-litestream")})  # fmt: skip
    one_line(missing, "pip install 'ictool[replica]'")
    engine_or_skip()
    unplugged = serve(tmp_path, "--db", db, "--replicate", "file:///media/no-such-drive/set",
                      env={})  # fmt: skip
    one_line(unplugged, "does not exist (is the drive connected?)")
    by_env = serve(tmp_path, "--db", db, env={"ICTOOL_REPLICATE": "file:///media/nope/x"})
    one_line(by_env, "/media/nope")

    # a standby never follows into a live database, nor writes into the copy it follows
    (tmp_path / "usb").mkdir()
    seeded(tmp_path / "live.db")
    follow = (tmp_path / "usb" / "set").as_uri()
    onto_live = serve(tmp_path, "--db", db, "--standby", follow, env={})
    one_line(onto_live, "is not a standby copy")
    circular = serve(tmp_path, "--db", str(tmp_path / "s.db"), "--standby", follow,
                     "--replicate", follow, env={})  # fmt: skip
    one_line(circular, "names the copy this standby follows")
    env = os.environ | {"PYTHONPATH": str(ROOT), "ICTOOL_INSTANCE": str(tmp_path / "i")}
    nobody = subprocess.run([*ICTOOL, "promote"], capture_output=True, text=True, env=env,
                            timeout=60, check=False)  # fmt: skip
    one_line(nobody, "no standby is running")


def ic_line(server: ServerProcess, token: str) -> dict:
    r = requests.get(
        f"{server.url}/api/replica", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert r.status_code == 200
    return r.json()


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError("timed out")


def test_the_ic_sees_the_copy_saved_and_is_warned_when_it_fails(tmp_path):
    engine_or_skip()
    live_db, usb = tmp_path / "live.db", tmp_path / "usb"
    usb.mkdir()
    cast = seeded(live_db)
    ic = next(p for p in cast.values() if p["role"] == "coordinator")
    performer = next(p for p in cast.values() if p["role"] == "performer")
    server = ServerProcess(live_db, tmp_path / "instance")
    server.args = ("--replicate", (usb / "set").as_uri())
    server.start()
    try:
        ok = wait_for(lambda: (line := ic_line(server, ic["token"]))["state"] == "ok" and line)
        assert ok["text"].startswith("Copy saved") and ok["age"] < 30
        page = requests.get(f"{server.url}/join/{ic['token']}", timeout=5)
        assert "Copy saved" in page.text and 'id="replica"' in page.text
        # nobody else is told about the copy
        r = requests.get(f"{server.url}/api/replica", timeout=5,
                         headers={"Authorization": f"Bearer {performer['token']}"})  # fmt: skip
        assert r.status_code == 403

        # the engine dies: it is restarted and the copy carries on
        engine = wait_for(lambda: [p for p in _children(server.proc.pid) if p != server.proc.pid])
        os.kill(engine[0], 9)
        wait_for(lambda: (c := _children(server.proc.pid)) and engine[0] not in c and len(c) > 1)

        # the drive is pulled out: the IC is warned within seconds, in words
        shutil.rmtree(usb / "set")
        (usb / "set").write_text("not a folder any more")
        pause = {"kind": "pause", "client_id": "c" * 20}
        who = {"Authorization": f"Bearer {performer['token']}"}
        requests.post(f"{server.url}/api/alerts", json=pause, headers=who, timeout=5)
        failing = wait_for(lambda: (line := ic_line(server, ic["token"]))["state"] == "failing"
                           and line)  # fmt: skip
        assert failing["text"].startswith("Copy failing:")
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    from ictool_load.loadkit import _tree

    return _tree(pid)
