"""CPU of ictool's own work per alert, without any socket: what `ictool bench` calls the
server CPU per alert, less Flask-SocketIO, Engine.IO, the WebSocket frames and gevent.

    python tools/alert_path_bench.py [--alerts 1000]

On a temporary demo database (a real SQLite file, durable commits), each round does what the
three socket handlers do for one pause: look the sender up by token, raise it (one
transaction), announce it to every recipient (views, Socket.IO packets built for rooms that
nobody is in); the 1st AD's receipt and resolution the same way. Prints process CPU per
round (user + system, fsync included) and the wall time.
"""

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ictool import alerts, announce, create_app, people  # noqa: E402
from ictool.db import get_db  # noqa: E402
from ictool_load.loadkit import seed_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ictool-alert-path-") as tmp:
        path = Path(tmp) / "bench.db"
        tokens = seed_demo(path)
        app = create_app({"DB": str(path), "ESCALATION_LOOP": False}, instance_path=tmp)
        with app.app_context():
            db = get_db()
            performer_token = people.by_token(db, tokens["Alex Rivera"])[1]
            ad_token = people.by_token(db, tokens["Tom Brennan"])[1]

            def one_round() -> None:
                sender = people.by_token_id(db, performer_token)
                alert, _new = alerts.raise_alert(
                    db, sender, {"kind": "pause", "client_id": f"path-{uuid.uuid4().hex}"}
                )
                announce.alert(alert["id"], "new")
                alerts.view_for(db, alert, sender)
                ad = people.by_token_id(db, ad_token)
                alert, tell = alerts.mark_delivered(db, alert["id"], ad)
                if tell:
                    announce.alert(alert["id"], "update", alarm=False)
                ad = people.by_token_id(db, ad_token)
                alert, _changed = alerts.resolve(db, alert["id"], ad, None)
                announce.alert(alert["id"], "update", alarm=False)
                alerts.view_for(db, alert, ad)

            for _ in range(20):  # warm up
                one_round()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.alerts):
                one_round()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"ictool's own work per alert (raise, receipt, resolve; no sockets), {args.alerts}"
        f" rounds: {cpu / args.alerts * 1000:.2f} ms CPU, {wall / args.alerts * 1000:.2f} ms wall"
    )


if __name__ == "__main__":
    main()
