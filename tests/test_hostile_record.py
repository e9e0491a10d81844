"""Issue 16 as attacks from an insider with one phone on the set's Wi-Fi: a closure answer
read by colleagues, one bad character breaking pages, a rewritten record, and the smaller
leaks (the producer's report, calendar.ics, push endpoints, a copied cookie).

Each test is the attack, against a real `ictool serve` process with real clients."""

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from types import SimpleNamespace

import pytest
import requests
import socketio
from fake_push_service import FakePushService, make_subscription
from serverproc import ROOT, ServerProcess, demo_database


def _bearer(live, name: str) -> dict:
    return {"Authorization": f"Bearer {live.people[name]['token']}"}


def _cookie(live, name: str) -> requests.Session:
    """A browser-like session signed in through the person's join link."""
    s = requests.Session()
    r = s.get(f"{live.url}/join/{live.people[name]['token']}", allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return s


def _scene_id(live, number: str) -> int:
    with sqlite3.connect(live.db) as conn:
        return conn.execute("SELECT id FROM scenes WHERE number = ?", [number]).fetchone()[0]


def _socket(live, name: str, events: list) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: events.append((event, data)))
    client.connect(live.url, auth={"token": live.people[name]["token"]}, transports=["websocket"])
    return client


# --- finding 4: a closure answer is the IC's and its author's only -------------------------


def test_a_performers_wish_to_talk_is_read_by_the_ic_alone(live):
    bed = _scene_id(live, "15")
    api = f"{live.url}/api/scenes/{bed}"
    r = requests.post(f"{api}/wrap", headers=_bearer(live, "Tom Brennan"), json={})
    assert r.status_code == 201
    heard: dict[str, list] = {}
    watchers = {
        name: _socket(live, name, heard.setdefault(name, []))
        for name in ("Tom Brennan", "Lena Voss", "Sam Lindqvist", "Maya Okafor")
    }
    try:
        r = requests.post(
            f"{api}/closure", headers=_bearer(live, "Alex Rivera"), json={"status": "talk"}
        )
        assert r.status_code == 200
        alex = live.people["Alex Rivera"]["id"]

        def alex_closure(name: str) -> str:
            r = requests.get(f"{api}/closed-set", headers=_bearer(live, name))
            assert r.status_code == 200, (name, r.status_code)
            return next(c["status"] for c in r.json()["closure"] if c["person_id"] == alex)

        for name in ("Sam Lindqvist", "Lena Voss", "Tom Brennan", "Priya Shah"):
            assert alex_closure(name) == "answered", name
        assert alex_closure("Maya Okafor") == "talk"
        assert alex_closure("Alex Rivera") == "talk"
        for name, page in (("Tom Brennan", "/ad"), ("Sam Lindqvist", "/me")):
            html = _cookie(live, name).get(f"{live.url}{page}").text
            assert "Alex Rivera: would like to talk" not in html, name
            assert "Alex Rivera: answered" in html, name
        assert (
            "Alex Rivera: would like to talk"
            in _cookie(live, "Maya Okafor").get(f"{live.url}/ic").text
        )
        time.sleep(1)
        for name in ("Tom Brennan", "Lena Voss", "Sam Lindqvist"):
            said = [d for e, d in heard[name] if isinstance(d, dict) and d.get("status") == "talk"]
            assert not said, name
            assert "scene:closure" not in [e for e, _d in heard[name]], name
        assert any(e == "scene:closure" for e, _d in heard["Maya Okafor"])
    finally:
        for w in watchers.values():
            w.disconnect()


# --- finding 5: text is valid Unicode at the edge; stored text never breaks a page ----------

LONE = "\udfff"


def test_a_lone_surrogate_is_refused_on_every_write_naming_the_field(live):
    kiss = _scene_id(live, "14")
    ic, alex = _bearer(live, "Maya Okafor"), _bearer(live, "Alex Rivera")
    writes = [
        (f"/api/scenes/{kiss}/blocking", ic, {"beats": ["Alex kisses Sam", f"bad {LONE}"]}),
        ("/api/alerts", alex, {"kind": "concern", "text": f"I {LONE}", "client_id": "c-lone-1"}),
        ("/api/push/unsubscribe", alex, {"endpoint": f"https://push.example/{LONE}"}),
    ]
    for path, auth, body in writes:
        r = requests.post(f"{live.url}{path}", headers=auth, json=body)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        field = {"beats": "beats[1]", "kind": "text", "endpoint": "endpoint"}[next(iter(body))]
        assert field in r.json()["error"], r.json()
    r = requests.get(f"{live.url}/api/scenes/{kiss}/blocking", headers=ic)
    assert LONE not in r.text and "bad" not in str(r.json())  # nothing half-written

    client = socketio.Client(reconnection=False)
    client.connect(live.url, auth={"token": live.people["Sam Lindqvist"]["token"]})
    try:
        ack = client.call(
            "alert:raise",
            {"kind": "concern", "text": f"x{LONE}", "client_id": "c-lone-sock"},
            timeout=10,
        )
        assert ack["status"] == 422 and "text" in ack["error"], ack
    finally:
        client.disconnect()


def test_text_already_stored_badly_still_renders_every_page(live):
    kiss = _scene_id(live, "14")
    with sqlite3.connect(live.db) as conn:  # an older version let these in
        conn.execute(
            "INSERT INTO blocking_versions (scene_id, version, beats, author_id, created_at)"
            " SELECT ?, MAX(version) + 1, ?, NULL, '2026-01-01T00:00:00.000+00:00'"
            " FROM blocking_versions WHERE scene_id = ?",
            [kiss, '["Alex kisses Sam \\udfff", "bad bytes"]', kiss],
        )
        conn.execute(
            "UPDATE people SET name = CAST(X'53616dff' AS TEXT) WHERE name = 'Sam Lindqvist'"
        )
    for name, page in (
        ("Maya Okafor", "/ic"),
        ("Alex Rivera", "/me"),
        ("Maya Okafor", f"/scenes/{kiss}"),
        ("Alex Rivera", f"/scenes/{kiss}"),
        ("Tom Brennan", "/ad"),
    ):
        r = _cookie(live, name).get(f"{live.url}{page}")
        assert r.status_code == 200, (name, page, r.status_code)
        if page.startswith("/scenes"):
            assert "Alex kisses Sam \ufffd" in r.text
    clean = {"beats": ["Alex kisses Sam", "Sam steps back"]}
    ic = _bearer(live, "Maya Okafor")
    assert requests.post(f"{live.url}/api/scenes/{kiss}/blocking", headers=ic, json=clean).ok
    assert _cookie(live, "Alex Rivera").get(f"{live.url}/scenes/{kiss}").status_code == 200


# --- finding 8: the smaller leaks ----------------------------------------------------------


def test_a_rehearsal_location_cannot_inject_calendar_lines(live):
    bed = _scene_id(live, "15")
    ic = _bearer(live, "Maya Okafor")
    with sqlite3.connect(live.db) as conn:
        day = conn.execute(
            "SELECT date FROM shoot_days JOIN scenes ON scenes.shoot_day_id = shoot_days.id"
            " WHERE scenes.id = ?",
            [bed],
        ).fetchone()[0]
    location = "Stage 4\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:Fake; a, b\\c\nDESCRIPTION:x"
    body = {"scene_id": bed, "date": day, "start_time": "09:00", "location": location}
    r = requests.post(f"{live.url}/api/rehearsals", headers=ic, json=body)
    assert r.status_code == 201, r.text
    ics = requests.get(f"{live.url}/api/calendar.ics", headers=ic).content.decode()
    assert "\r" not in ics.replace("\r\n", "") and "\n" not in ics.replace("\r\n", "")
    lines = ics.replace("\r\n ", "").split("\r\n")  # unfolded
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    assert not [x for x in lines if x.startswith(("SUMMARY:Fake", "DESCRIPTION:x"))]
    assert (
        "LOCATION:Stage 4\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:Fake\\; a\\, b\\\\c\\nDESCRIPTION:x"
        in lines
    )


def test_a_push_endpoint_on_the_sets_network_is_refused_and_never_posted_to(live):
    tom = _bearer(live, "Tom Brennan")
    with FakePushService() as service:
        subscription = make_subscription(service, "lan-phone")
        port = service.url.rsplit(":", 1)[1]
        for endpoint in (
            subscription["endpoint"],  # http://127.0.0.1:<port>/push/lan-phone
            f"https://127.0.0.1:{port}/push/lan-phone",
            "https://10.1.2.3/push/x",
            "https://192.168.1.10/push/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/push/x",
            "https://[::ffff:127.0.0.1]/push/x",
            "https://localhost/push/x",
            "http://push.example.com/push/x",
        ):
            body = dict(subscription, endpoint=endpoint)
            r = requests.post(f"{live.url}/api/push/subscribe", headers=tom, json=body)
            assert r.status_code == 422, (endpoint, r.status_code)
        with sqlite3.connect(live.db) as conn:  # stored by an older version
            conn.execute(
                "INSERT INTO push_subscriptions (person_id, endpoint, p256dh, auth, created_at)"
                " VALUES (?, ?, ?, ?, '2026-01-01T00:00:00.000+00:00')",
                [
                    live.people["Tom Brennan"]["id"],
                    subscription["endpoint"],
                    subscription["keys"]["p256dh"],
                    subscription["keys"]["auth"],
                ],
            )
        pause = {"kind": "pause", "client_id": "push-lan-pause-1"}
        r = requests.post(
            f"{live.url}/api/alerts", headers=_bearer(live, "Alex Rivera"), json=pause
        )
        assert r.status_code == 201
        time.sleep(2)
        assert service.received == [] and service.rejected == []


def test_a_push_service_redirect_is_not_followed(tmp_path, monkeypatch):
    """Even where local endpoints are allowed (tests), a redirect never moves the POST."""
    from ictool import people, productions, push
    from ictool.db import connect

    monkeypatch.setenv("ICTOOL_PUSH_ALLOW_PRIVATE", "1")
    with FakePushService() as service:
        subscription = make_subscription(service, "target")

        class Redirect(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.send_response(307)
                self.send_header("Location", subscription["endpoint"])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        redirector = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        Thread(target=redirector.serve_forever, daemon=True).start()
        try:
            db = connect(str(tmp_path / "p.db"))
            ad = people.add(
                db, productions.create(db, "Night Swim", "sag_aftra"), "Sam", "first_ad"
            )
            bounced = f"http://127.0.0.1:{redirector.server_port}/push/target"
            push.subscribe(db, ad, dict(subscription, endpoint=bounced))
            keys = push.load_or_create_vapid(tmp_path / "instance")
            push.send(db, [ad], {"title": "Pause"}, keys)
            db.close()
            assert service.received == [] and service.rejected == []  # never reached
        finally:
            redirector.shutdown()
            redirector.server_close()


def test_a_cookie_copied_before_signout_no_longer_signs_anyone_in(live):
    phone = _cookie(live, "Alex Rivera")
    page = phone.get(f"{live.url}/me")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    copied = requests.Session()
    copied.cookies.update(phone.cookies)  # taken off the phone before it signed out
    assert copied.get(f"{live.url}/api/me").status_code == 200
    out = phone.post(f"{live.url}/signout", data={"csrf_token": csrf}, allow_redirects=False)
    assert out.status_code == 302
    assert copied.get(f"{live.url}/api/me").status_code == 401
    assert copied.get(f"{live.url}/me", allow_redirects=False).status_code in (302, 401)
    watcher = socketio.Client(reconnection=False)
    cookie = "; ".join(f"{k}={v}" for k, v in copied.cookies.items())
    with pytest.raises(socketio.exceptions.ConnectionError):
        watcher.connect(live.url, headers={"Cookie": cookie}, transports=["websocket"])
    again = _cookie(live, "Alex Rivera")  # the join link itself still signs in
    assert again.get(f"{live.url}/api/me").status_code == 200


def _day_of(live, scene_id: int) -> int:
    with sqlite3.connect(live.db) as conn:
        q = "SELECT shoot_day_id FROM scenes WHERE id = ?"
        return conn.execute(q, [scene_id]).fetchone()[0]


def _pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF made with the Latin-1 fallback font (streams inflated)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    return "".join(re.findall(r"\((.*?)\)\s*Tj", "".join(out)))


def test_the_producer_never_learns_who_withdrew_paused_or_answered(live):
    kiss = _scene_id(live, "14")
    alex = _bearer(live, "Alex Rivera")
    r = requests.post(f"{live.url}/api/scenes/{kiss}/consent/withdraw", headers=alex, json={})
    assert r.status_code == 201
    for n in range(3):
        pause = {"kind": "pause", "client_id": f"producer-rule-{n}", "scene_id": kiss}
        assert requests.post(f"{live.url}/api/alerts", headers=alex, json=pause).ok
    ruth = _bearer(live, "Ruth Adeyemi")
    performers = ("Alex Rivera", "Sam Lindqvist", "Jordan Blake")

    cleared = requests.get(f"{live.url}/api/scenes/{kiss}/clearance", headers=ruth).json()
    withdrawn = next(r for r in cleared["reasons"] if r["code"] == "consent_withdrawn")
    assert withdrawn["text"] == "Consent withdrawn: 1 performer." and withdrawn["people"] == []

    day = _day_of(live, kiss)
    data = requests.get(f"{live.url}/api/reports/days/{day}", headers=ruth).json()
    assert data["names_rule"].startswith("Who is named:") and data["names_shown"] is False
    text = str({k: v for k, v in data.items() if k != "reader"})
    assert not [p for p in performers if p in text], text
    scene = next(s for s in data["scenes"] if s["id"] == kiss)
    assert {c["name"] for c in scene["consent"]} == {"Performer"}
    assert {a["from"] for a in data["alerts"]} == {"Performer"}  # every pause alike
    csv = requests.get(f"{live.url}/api/reports/days/{day}.csv", headers=ruth).text
    assert not [p for p in performers if p in csv]
    assert csv.splitlines()[1].split(",")[2] == "names" and "Who is named:" in csv.splitlines()[1]

    ic = requests.get(f"{live.url}/api/reports/days/{day}", headers=_bearer(live, "Maya Okafor"))
    assert ic.json()["names_rule"] == data["names_rule"] and ic.json()["names_shown"] is True
    ic_scene = next(s for s in ic.json()["scenes"] if s["id"] == kiss)
    assert "Alex Rivera" in {c["name"] for c in ic_scene["consent"]}
    assert {a["from"] for a in ic.json()["alerts"]} == {"Alex Rivera"}


def test_the_producers_pdf_states_the_rule_and_names_nobody(app, db, person, monkeypatch):
    from ictool import alerts, consent, report, scenes

    monkeypatch.setattr(report, "FONT_CANDIDATES", ())  # Helvetica: its text can be read back
    kiss = next(s for s in scenes.of_production(db, person("Alex Rivera")["production_id"]))
    kiss = next(s for s in scenes.of_production(db, kiss["production_id"]) if s["number"] == "14")
    with app.test_request_context():
        consent.withdraw(db, kiss, person("Alex Rivera"), "pdf-rule-1")
        alerts.raise_alert(
            db, person("Sam Lindqvist"), {"kind": "pause", "client_id": "pdf-pause-1"}
        )
        pdf = report.to_pdf(report.daily(db, kiss["shoot_day_id"], person("Ruth Adeyemi")))
    text = _pdf_text(pdf)
    assert text.index("Who is named:") < text.index("IC on the call sheet")
    assert "Alex Rivera" not in text and "Sam Lindqvist" not in text and "Rivera" not in text
    assert "Consent: Performer" in text


# --- finding 6: the record is witnessed ----------------------------------------------------


def _verify(db_path, instance, *checkpoints: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "ictool", "audit", "verify", "--db", str(db_path)]
    for value in checkpoints:
        args += ["--checkpoint", value]
    env = dict(os.environ, ICTOOL_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
    return subprocess.run(args, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)


def _attacker(path) -> sqlite3.Connection:
    """The database opened as someone holding the file would: every guard dropped, the
    server's own checkpoints deleted too."""
    conn = sqlite3.connect(path)
    for trigger in (
        "audit_append_only_update",
        "audit_append_only_delete",
        "audit_checkpoints_no_update",
        "audit_checkpoints_no_delete",
    ):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_checkpoints'").fetchone():
        conn.execute("DELETE FROM audit_checkpoints")
    return conn


def _rehash_from(conn: sqlite3.Connection, first_id: int) -> None:
    """Re-hash the chain from one entry on, as a careful forger would (unkeyed SHA-256)."""
    from ictool import audit

    cols = "id, at, production_id, actor_id, action, subject, detail, prev_hash, hash"
    rows = conn.execute(f"SELECT {cols} FROM audit ORDER BY id").fetchall()  # noqa: S608
    prev = audit.GENESIS
    for row in rows:
        entry = dict(zip(cols.split(", "), row, strict=True))
        if entry["id"] >= first_id:
            digest = audit._digest(prev, entry)
            conn.execute(
                "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, entry["id"]]
            )
            entry["hash"] = digest
        prev = entry["hash"]


@pytest.fixture(scope="module")
def witnessed_run(tmp_path_factory):
    """A real server that signs a checkpoint every second; the devices' and the report's
    checkpoints once some work has been logged; then the server is stopped."""
    tmp_path = tmp_path_factory.mktemp("witnessed")
    db_path = tmp_path / "live.db"
    cast = demo_database(db_path)
    server = ServerProcess(
        db_path, tmp_path / "instance", env={"ICTOOL_AUDIT_CHECKPOINT_SECONDS": "1"}
    )
    server.people = cast
    server.start()
    try:
        kiss = _scene_id(server, "14")
        for n in range(30):
            beats = {"beats": [f"Alex kisses Sam, take {n}"]}
            r = requests.post(
                f"{server.url}/api/scenes/{kiss}/blocking",
                headers=_bearer(server, "Maya Okafor"),
                json=beats,
            )
            assert r.status_code == 201
        homes = {
            name: requests.get(f"{server.url}/api/home", headers=_bearer(server, name)).json()
            for name in ("Maya Okafor", "Ruth Adeyemi", "Alex Rivera", "Tom Brennan")
        }
        day = _day_of(server, kiss)
        report = requests.get(
            f"{server.url}/api/reports/days/{day}", headers=_bearer(server, "Ruth Adeyemi")
        ).json()
        page = _cookie(server, "Maya Okafor").get(f"{server.url}/ic").text
        made, deadline = 0, time.monotonic() + 10
        while made < 4 and time.monotonic() < deadline:  # the loop signs one every second
            time.sleep(0.2)
            with sqlite3.connect(db_path) as conn:
                has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_checkpoints'")
                if has.fetchone():
                    made = conn.execute("SELECT COUNT(*) FROM audit_checkpoints").fetchone()[0]
    finally:
        server.stop()
    return SimpleNamespace(
        db=db_path,
        instance=tmp_path / "instance",
        homes=homes,
        report=report,
        page=page,
        checkpoints=made,
    )


@pytest.fixture
def witnessed(witnessed_run, tmp_path):
    """A fresh copy of the witnessed database for one attack."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{witnessed_run.db}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"live.db{suffix}")
    return SimpleNamespace(**dict(vars(witnessed_run), db=tmp_path / "live.db"))


def test_the_ic_and_producer_devices_are_handed_the_signed_head(witnessed):
    assert witnessed.checkpoints >= 4, "the server signed no checkpoints by itself"
    ic, producer = (
        witnessed.homes["Maya Okafor"]["record"],
        witnessed.homes["Ruth Adeyemi"]["record"],
    )
    assert ic.startswith("ictool-record-v1:") and producer.startswith("ictool-record-v1:")
    assert "record" not in witnessed.homes["Alex Rivera"]
    assert "record" not in witnessed.homes["Tom Brennan"]
    assert witnessed.report["audit"]["checkpoint"].startswith("ictool-record-v1:")
    assert 'data-checkpoint="ictool-record-v1:' in witnessed.page
    key = witnessed.instance / "audit_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with (
        sqlite3.connect(witnessed.db) as conn,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        conn.execute("DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)")
    result = _verify(witnessed.db, witnessed.instance, ic, witnessed.report["audit"]["checkpoint"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("audit chain intact:")


def test_a_truncated_log_fails_against_the_reports_checkpoint(witnessed):
    with _attacker(witnessed.db) as conn:
        conn.execute("DELETE FROM audit WHERE id > (SELECT MAX(id) - 25 FROM audit)")
    assert _verify(witnessed.db, witnessed.instance).returncode == 0  # the chain alone: "intact"
    result = _verify(witnessed.db, witnessed.instance, witnessed.report["audit"]["checkpoint"])
    assert result.returncode == 1
    assert "are missing (the log was cut short)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_an_emptied_log_fails_against_a_devices_checkpoint(witnessed):
    with _attacker(witnessed.db) as conn:
        conn.execute("DELETE FROM audit")
    result = _verify(witnessed.db, witnessed.instance, witnessed.homes["Ruth Adeyemi"]["record"])
    assert result.returncode == 1
    assert "the audit log is empty" in result.stderr and "all of them are missing" in result.stderr


def test_a_rehashed_chain_fails_against_a_devices_checkpoint(witnessed):
    with _attacker(witnessed.db) as conn:
        target = conn.execute("SELECT MIN(id) + 3 FROM audit").fetchone()[0]
        conn.execute("UPDATE audit SET detail = '{\"forged\":1}' WHERE id = ?", [target])
        _rehash_from(conn, target)
    assert _verify(witnessed.db, witnessed.instance).returncode == 0  # the chain alone: "intact"
    result = _verify(witnessed.db, witnessed.instance, witnessed.homes["Maya Okafor"]["record"])
    assert result.returncode == 1
    assert "does not have the witnessed hash" in result.stderr, result.stderr


def test_a_forged_checkpoint_is_refused(witnessed):
    value = witnessed.homes["Maya Okafor"]["record"]
    forged = value[: value.rindex(":") + 1] + "0" * 64
    result = _verify(witnessed.db, witnessed.instance, forged)
    assert result.returncode == 1 and "not signed with this instance's key" in result.stderr
