"""`ictool backup` and `ictool restore`: a consistent copy taken while phones keep pausing,
the instance's keys with it (owner-only, encrypted with a passphrase), and one clear line
for every bad input with the live database untouched."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from serverproc import ROOT, ServerProcess
from test_failover import alert, seeded

from ictool import push, tls, witness

ICTOOL = [sys.executable, "-m", "ictool"]


def run(*args: str, instance: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"ICTOOL_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
    env.pop("ICTOOL_DB", None)
    return subprocess.run(
        [*ICTOOL, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def one_line_error(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ictool: error:"), result.stderr
    assert words in lines[0], lines[0]


def instance_with_keys(folder: Path) -> dict[str, bytes]:
    """An instance folder as a serving set computer has it: secret key, CA, VAPID keys."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret_key").write_text("k" * 64)
    (folder / "secret_key").chmod(0o600)
    tls.ensure_certificates(folder, ["set.local"], ["127.0.0.1"])
    push.load_or_create_vapid(folder)
    witness.load_or_create_key(folder)
    names = ["secret_key", "audit_key", "vapid.json", "tls/ca.pem", "tls/ca-key.pem"]
    return {n: (folder / n).read_bytes() for n in names}


def rows(db: Path, sql: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_taken_while_phones_pause_restores_every_row_and_the_keys(tmp_path):
    live_db, instance = tmp_path / "live.db", tmp_path / "instance"
    people = seeded(live_db)
    keys = instance_with_keys(instance)
    performers = [p for p in people.values() if p["role"] == "performer"]
    server = ServerProcess(live_db, instance).start()
    confirmed: list[str] = []
    stop = threading.Event()

    def phones() -> None:
        http = requests.Session()
        while not stop.is_set():
            who = performers[len(confirmed) % len(performers)]
            body = alert(str(uuid.uuid4()))
            headers = {"Authorization": f"Bearer {who['token']}"}
            r = http.post(f"{server.url}/api/alerts", json=body, headers=headers, timeout=10)
            assert r.status_code == 201
            confirmed.append(body["client_id"])

    try:
        sender = threading.Thread(target=phones)
        sender.start()
        while len(confirmed) < 20 and sender.is_alive():
            stop.wait(0.05)
        before = len(confirmed)
        (tmp_path / "pass").write_text("correct horse battery staple\n")
        done = run(
            "backup",
            *("--to", str(tmp_path / "set.ictool"), "--db", str(live_db)),
            *("--passphrase-file", str(tmp_path / "pass")),
            instance=instance,
        )
        assert done.returncode == 0, done.stderr
        assert "keys (encrypted)" in done.stdout
        while len(confirmed) < before + 20 and sender.is_alive():  # phones kept working
            stop.wait(0.05)
        assert len(confirmed) >= before + 20
    finally:
        stop.set()
        sender.join(10)
        server.stop()
    assert (tmp_path / "set.ictool").stat().st_mode & 0o777 == 0o600

    new_db, new_instance = tmp_path / "restored.db", tmp_path / "restored-instance"
    back = run(
        "restore",
        str(tmp_path / "set.ictool"),
        *("--db", str(new_db), "--instance", str(new_instance)),
        *("--passphrase-file", str(tmp_path / "pass")),
        instance=instance,
    )
    assert back.returncode == 0, back.stderr
    verified = run("audit", "verify", "--db", str(new_db), instance=new_instance)
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout
    restored = {r[0] for r in rows(new_db, "SELECT client_id FROM alerts")}
    assert set(confirmed[:before]) <= restored  # every pause confirmed before the backup
    assert restored <= {r[0] for r in rows(live_db, "SELECT client_id FROM alerts")}
    for name, data in keys.items():
        assert (new_instance / name).read_bytes() == data
        assert (new_instance / name).stat().st_mode & 0o777 == 0o600
    # without the passphrase the keys cannot be read out of the file
    with zipfile.ZipFile(tmp_path / "set.ictool") as z:
        assert "keys.json" not in z.namelist()
        assert b"PRIVATE KEY" not in z.read("keys.sealed.json")


def test_bad_input_gets_one_line_and_leaves_the_live_database_alone(tmp_path):
    live_db, instance = tmp_path / "live.db", tmp_path / "instance"
    seeded(live_db)
    instance_with_keys(instance)
    (tmp_path / "pass").write_text("correct horse battery staple")
    (tmp_path / "wrong").write_text("not the passphrase")
    backup = tmp_path / "set.ictool"
    made = run(
        "backup",
        *("--to", str(backup), "--db", str(live_db)),
        *("--passphrase-file", str(tmp_path / "pass")),
        instance=instance,
    )
    assert made.returncode == 0, made.stderr
    untouched = digest(live_db)

    # a backup written by a newer ictool, with a schema change this one does not know
    newer = tmp_path / "newer.ictool"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["migrations"].append("0099_from_the_future")
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    new, keys = str(tmp_path / "new.db"), str(tmp_path / "i2")
    cases = {  # each is one command on its own; they run side by side
        "does not exist": ("backup", "--to", "/media/no-such-drive/set.ictool", "--db",
                           str(live_db)),  # the USB drive is not plugged in
        "wrong passphrase": ("restore", str(backup), "--db", new, "--instance", keys,
                             "--passphrase-file", str(tmp_path / "wrong")),
        "--passphrase-file": ("restore", str(backup), "--db", new, "--instance", keys),
        "already exists": ("restore", str(backup), "--db", str(live_db)),
        "newer ictool": ("restore", str(newer), "--db", new),
    }  # fmt: skip
    with ThreadPoolExecutor(len(cases)) as pool:
        ran = pool.map(lambda args: run(*args, instance=instance), cases.values())
        results = dict(zip(cases, ran, strict=True))
    for words, result in results.items():
        one_line_error(result, words)
    assert not (tmp_path / "i2").exists()
    assert not Path(new).exists()
    assert digest(live_db) == untouched


def test_a_full_disk_gets_one_line_and_no_half_written_backup(tmp_path):
    live_db, instance = tmp_path / "live.db", tmp_path / "instance"
    seeded(live_db)
    instance_with_keys(instance)
    drive = tmp_path / "drive"
    drive.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(drive)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tiny tmpfs here (needs root) to fill a disk")
    try:
        untouched = digest(live_db)
        full = run("backup", "--to", str(drive / "set.ictool"), "--db", str(live_db),
                   instance=instance)  # fmt: skip
        one_line_error(full, "No space left on device")
        assert list(drive.iterdir()) == []
        assert digest(live_db) == untouched
    finally:
        subprocess.run(["umount", str(drive)], check=False)
