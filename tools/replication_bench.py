"""Replication lag under a steady stream of alerts, as a standby sees it.

Starts `ictool serve --replicate file://<tmp>/replica` on a demo database and a follower
(`litestream restore -f`, what `ictool serve --standby` runs), raises pauses at a steady
rate over HTTP, and times each from the server's 201 until the pause can be read in the
follower's copy. Prints p50/p99/max and how many never arrived.

    python tools/replication_bench.py [--rate 5] [--seconds 30]
"""

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ictool import replica  # noqa: E402
from ictool_load.loadkit import Server, percentiles, seed_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=5.0, help="pauses per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to raise them")
    args = parser.parse_args()
    binary = replica.engine()
    with tempfile.TemporaryDirectory(prefix="ictool-replbench-") as tmp:
        tmp = Path(tmp)
        tokens = seed_demo(tmp / "live.db")
        token = next(iter(tokens.values()))
        url = (tmp / "replica").as_uri()
        server = Server(tmp / "instance", tmp / "live.db", args=("--replicate", url))
        server.env["PYTHONPATH"] = str(ROOT)
        server.start()
        copy = tmp / "standby.db"
        while not any((tmp / "replica").glob("ltx/*/*.ltx")):
            time.sleep(0.1)
        follower = subprocess.Popen(
            [binary, "restore", "-f", "-o", str(copy), url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = threading.Event()

        def watch() -> None:
            while not (done.is_set() and len(seen) >= len(sent)):
                if copy.exists():
                    try:
                        conn = sqlite3.connect(copy.resolve().as_uri() + "?mode=ro", uri=True)
                        rows = conn.execute("SELECT client_id FROM alerts").fetchall()
                        conn.close()
                    except sqlite3.Error:
                        rows = []
                    now = time.monotonic()
                    for (cid,) in rows:
                        if cid in sent and cid not in seen:
                            seen[cid] = now
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        start, n = time.monotonic(), 0
        try:
            while time.monotonic() - start < args.seconds:
                cid = str(uuid.uuid4())
                r = http.post(
                    f"{server.url}/api/alerts",
                    json={"kind": "concern", "audience": "ic", "text": cid, "client_id": cid},
                    timeout=5,
                )
                if r.status_code == 201:
                    sent[cid] = time.monotonic()
                n += 1
                time.sleep(max(0.0, start + n / args.rate - time.monotonic()))
            done.set()
            watcher.join(30)
        finally:
            follower.terminate()
            follower.wait(10)
            server.stop()
        lags = [(seen[c] - sent[c]) * 1000 for c in sent if c in seen]
        p = percentiles(lags) if lags else {}
        print(
            f"replication lag, {len(sent)} pauses at {args.rate}/s over {args.seconds:.0f} s "
            f"(server 201 -> readable in the standby's copy): p50 {p.get('p50', 0):.0f} ms, "
            f"p99 {p.get('p99', 0):.0f} ms, max {p.get('max', 0):.0f} ms; "
            f"never arrived: {len(sent) - len(lags)}"
        )


if __name__ == "__main__":
    main()
