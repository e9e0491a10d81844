"""The `ictool` console script: serve, demo, links, records (people and productions: cli_people).

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

import contextlib
import json
import os
import socket
import sys
from pathlib import Path

import click


class CliError(click.ClickException):
    """An error a person can fix, said in one line."""


def _db_path(db: str | None) -> str | None:
    path = db or os.environ.get("ICTOOL_DB")
    if not path:
        return None
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise CliError(f"cannot use database {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"cannot use database {path}: folder {parent} is not writable")
    if Path(path).is_dir():
        raise CliError(f"cannot use database {path}: it is a folder")
    return str(Path(path).expanduser().resolve())


def _app(db: str | None):
    from ictool import create_app

    config = {"DB": _db_path(db)} if _db_path(db) else {}
    instance = os.environ.get("ICTOOL_INSTANCE")  # the folder for keys, certificates, default DB
    try:
        return create_app(config, instance_path=str(Path(instance).resolve()) if instance else None)
    except RuntimeError as exc:
        raise CliError(str(exc)) from exc


def _lan_address() -> str:
    from ictool.tls import lan_addresses

    found = [a for a in lan_addresses() if a != "127.0.0.1"]
    return found[0] if found else "127.0.0.1"


NO_PRODUCTION = (
    "this database holds no production yet: run `ictool serve` and open the setup link it "
    "prints, or run `ictool production create --title TITLE --jurisdiction NAME --starts "
    "YYYY-MM-DD --ends YYYY-MM-DD`"
)


def _production(conn, production_id: int | None) -> dict:
    """The production a command acts on: the one chosen, else the only one."""
    from ictool import productions

    every = productions.every(conn)
    listing = "; ".join(f"{p['id']} {p['title']!r}" for p in every)
    if not every:
        raise CliError(NO_PRODUCTION)
    if production_id is not None:
        found = productions.get(conn, production_id)
        if found is None:
            raise CliError(f"no production {production_id}; this database holds: {listing}")
        return found
    if len(every) > 1:
        raise CliError(
            f"this database holds {len(every)} productions; choose one with --production: "
            + listing
        )
    return every[0]


def _links(app, base_url: str, production_id: int | None = None) -> list[dict]:
    from ictool import people, productions
    from ictool.db import connect

    db = connect(app.config["DB"])
    out = []
    for production in [_production(db, production_id)]:
        for person in people.in_production(db, production["id"]):
            token = people.issue_token(db, person["id"])
            out.append(
                {
                    "id": person["id"],
                    "name": person["name"],
                    "role": person["role"],
                    "department": person["department"],
                    "production": productions.public(production)["title"],
                    "url": f"{base_url.rstrip('/')}/join/{token}",
                }
            )
    db.close()
    return out


def _print_links(links: list[dict], as_json: bool, qr: bool = True) -> None:
    if as_json:
        click.echo(json.dumps(links, indent=2))
        return
    import segno

    for link in links:
        role = link["role"] + (f" ({link['department']})" if link["department"] else "")
        click.echo(f"\n{link['name']} — {role}\n{link['url']}")
        if qr:
            segno.make(link["url"], error="l").terminal(compact=True)


class _Commands(click.Group):
    """The commands, with some loaded only when asked for. `bench` and `soak` are the load
    tools (the `ictool_load` package, apart from the product): they import asyncio and ssl,
    which `serve` must not find already loaded when it patches for gevent. The production
    and people commands live in `cli_people`, which imports from this module."""

    lazy = {
        "bench": ("ictool_load.bench", "bench"),
        "soak": ("ictool_load.soak", "soak"),
        "setup-link": ("ictool.cli_people", "setup_link"),
        "production": ("ictool.cli_people", "production_group"),
        "people": ("ictool.cli_people", "people_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            import importlib

            module, attribute = self.lazy[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """ictool: the on-set tool for intimacy coordination."""


@cli.command()
@click.option(
    "--db", "db", metavar="PATH", help="SQLite file (default: ICTOOL_DB, else the instance folder)."
)
def demo(db: str | None) -> None:
    """Seed a realistic demo production into the database."""
    from ictool import demo as demo_data
    from ictool import productions
    from ictool.db import connect

    app = _app(db)
    conn = connect(app.config["DB"])
    if productions.first(conn):
        raise CliError(f"{app.config['DB']} already holds a production; use a new file")
    demo_data.seed(conn)
    click.echo(f"demo production written to {app.config['DB']}")


def _base_url(app, base_url: str | None) -> str:
    base = base_url or app.config.get("BASE_URL") or f"http://{_lan_address()}:5000"
    if not base.startswith(("http://", "https://")):
        raise CliError("--base-url must start with http:// or https://")
    return base.rstrip("/")


BASE_URL_HELP = "The address phones use, e.g. http://10.0.0.5:5000"
PRODUCTION_HELP = "Production id (default: the only one)."


@cli.command()
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--base-url", metavar="URL", help=BASE_URL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {name, role, url}.")
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
def links(db: str | None, base_url: str | None, as_json: bool, production_id: int | None) -> None:
    """Print every active person's join link (each call makes fresh links)."""
    app = _app(db)
    _print_links(_links(app, _base_url(app, base_url), production_id), as_json)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # As the server itself does: a restart right after a crash must not wait out
        # TIME_WAIT; a port another process is listening on is still refused.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@cli.command()
@click.option(
    "--host",
    default="0.0.0.0",  # noqa: S104  phones on the set's LAN must reach it
    show_default=True,
    help="Address to listen on.",
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="Seed the demo into an empty database and print its join links.",
)
@click.option(
    "--https",
    "use_https",
    is_flag=True,
    help="Serve HTTPS with this laptop's own CA (made once in the instance folder).",
)
@click.option(
    "--http-port",
    type=click.IntRange(1, 65535),
    help="With --https: also answer plain HTTP here with the /ca page, redirecting the rest.",
)
@click.option(
    "--replicate",
    metavar="URL",
    envvar="ICTOOL_REPLICATE",
    help="Keep a live copy with Litestream, e.g. file:///media/usb/ictool (ICTOOL_REPLICATE).",
)
@click.option(
    "--standby",
    metavar="URL",
    help="Be the standby: keep a warm copy from this replica until `ictool promote`.",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    with_demo: bool,
    use_https: bool,
    http_port: int | None,
    replicate: str | None,
    standby: str | None,
) -> None:
    """Run the set server (gevent: WebSocket, many phones, one process)."""
    _db_path(db)
    _check_port(host, port)
    engine = _replica_engine(replicate, standby)
    if standby:
        _serve_standby(host, port, db, standby, replicate, engine)
        return
    if http_port is not None:
        if not use_https:
            raise CliError("--http-port only makes sense with --https")
        _check_port(host, http_port)
    from ictool import use_gevent

    use_gevent()  # before Flask and the rest are imported (nothing before here loads them)
    from ictool import demo as demo_data
    from ictool import productions
    from ictool.db import connect
    from ictool.realtime import socketio

    app = _app(db)
    queue = app.config.get("MESSAGE_QUEUE")
    if queue:
        from ictool.realtime import QueueUnusable, check_message_queue

        try:
            check_message_queue(queue)
        except QueueUnusable as exc:
            raise CliError(str(exc)) from None
    if replicate:
        from ictool import replica

        try:
            replica.start(app, replicate)
        except replica.ReplicaError as exc:
            raise CliError(str(exc)) from None
        click.echo(f"  replicating {app.config['DB']} to {replicate} (Litestream)", err=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "127.0.0.1") else host  # noqa: S104
    lan = _lan_address() if host in ("0.0.0.0", "::") else shown  # noqa: S104
    scheme = "https" if use_https else "http"
    base = app.config.get("BASE_URL") or f"{scheme}://{lan}:{port}"
    tls_options = {}
    if use_https:
        from ictool import https

        try:
            tls_options["ssl_context"] = https.setup(app, host, base)
        except RuntimeError as exc:
            raise CliError(f"cannot set up HTTPS: {exc}") from exc
    conn = connect(app.config["DB"])
    if with_demo and productions.first(conn) is None:
        demo_data.seed(conn)
        click.echo("Seeded the demo production. Join links:")
        _print_links(_links(app, base), as_json=False, qr=False)
    elif productions.first(conn) is None:
        _print_setup_link(conn, base)
    conn.close()
    click.echo(
        f"\nictool is serving {app.config['DB']}\n  on this machine: "
        f"{scheme}://{shown}:{port}/\n  phones on the set's Wi-Fi: {base}/",
        err=True,
    )
    if queue:
        from ictool.realtime import queue_address

        click.echo(f"  sharing live events through: {queue_address(queue)}", err=True)
    if use_https:
        click.echo(
            f"  phones install the set's certificate from: {base}/ca\n"
            f"  its SHA-256 fingerprint: {app.config['CA_FINGERPRINT']}",
            err=True,
        )
    if http_port:
        from gevent import pywsgi, spawn

        plain = pywsgi.WSGIServer((host, http_port), https.plain_http_app(app, port), log=None)
        spawn(plain.serve_forever)
        click.echo(f"  plain HTTP (certificate page only): http://{lan}:{http_port}/ca", err=True)
    _tune_gc()
    from ictool import connections

    handler = connections.budgeted_handler(app, _nodelay_handler())
    socketio.run(app, host=host, port=port, log_output=False, handler_class=handler, **tls_options)


def _replica_engine(replicate: str | None, standby: str | None) -> str | None:
    """The Litestream binary when either is asked for; one clear line when it cannot be."""
    if not replicate and not standby:
        return None
    from ictool import replica

    try:
        binary = replica.engine()
        for url in filter(None, (standby, replicate)):
            replica.check_target(url, binary)
    except replica.ReplicaError as exc:
        raise CliError(str(exc)) from None
    if standby and replicate and standby.rstrip("/") == replicate.rstrip("/"):
        raise CliError(
            "--replicate names the copy this standby follows; once promoted it must "
            "write its own copy elsewhere"
        )
    return binary


def _serve_standby(
    host: str, port: int, db: str | None, url: str, replicate: str | None, binary: str
) -> None:
    """Keep a warm copy and serve the standby page; on promotion become `ictool serve`."""
    from ictool import use_gevent

    use_gevent()
    from gevent import pywsgi, spawn

    from ictool import replica
    from ictool import standby as standby_mod

    settings = _settings(db)
    instance = Path(settings.instance_path)
    keeper = standby_mod.Standby(Path(settings.config["DB"]), url, binary, instance)
    keeper.port = port
    try:
        keeper.prepare()
    except replica.ReplicaError as exc:
        raise CliError(str(exc)) from None
    keeper.start()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "127.0.0.1") else host  # noqa: S104
    lan = _lan_address() if host in ("0.0.0.0", "::") else shown  # noqa: S104
    base = settings.config.get("BASE_URL") or f"http://{lan}:{port}"
    app = standby_mod.create_app(keeper, base)
    server = pywsgi.WSGIServer((host, port), app, log=None)
    click.echo(
        f"\nictool standby: keeping a copy of {url} in {keeper.db}\n"
        f"  its page: http://{shown}:{port}/standby\n"
        f"  to make this laptop the live server: ictool promote "
        f"(or the button on its page, with the code {keeper.code})",
        err=True,
    )

    def become_live() -> None:
        keeper.promoted.wait()
        server.stop(timeout=1)

    spawn(become_live)
    server.serve_forever()
    if not keeper.promoted.is_set():
        return
    args = [a for a in sys.argv[1:]]
    for i, arg in enumerate(args):
        if arg == "--standby":
            del args[i : i + 2]
            break
        if arg.startswith("--standby="):
            del args[i]
            break
    if "--db" not in args and not any(a.startswith("--db=") for a in args):
        args += ["--db", str(keeper.db)]
    click.echo(f"promoted: {keeper.db} is now the live record; starting the server", err=True)
    os.execv(sys.executable, [sys.executable, "-m", "ictool", *args])  # noqa: S606


@cli.command()
@click.option("--url", metavar="URL", help="The standby's address (default: this laptop's).")
def promote(url: str | None) -> None:
    """Make this laptop's standby the live server (a person's decision, never automatic)."""
    import time

    import requests

    settings = _settings(None)
    state_file = Path(settings.instance_path) / "standby.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        raise CliError(
            f"no standby is running from {settings.instance_path} (start one with "
            "`ictool serve --standby URL`)"
        ) from None
    base = (url or f"http://127.0.0.1:{state['port']}").rstrip("/")
    try:
        reply = requests.post(f"{base}/standby/promote", data={"code": state["code"]}, timeout=60)
    except requests.RequestException as exc:
        raise CliError(f"the standby at {base} did not answer: {exc.__class__.__name__}") from None
    if reply.status_code != 200:
        raise CliError(f"the standby refused: {_page_message(reply.text)}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            alive = requests.get(f"{base}/api/alive", timeout=2).json().get("mode") == "live"
            if alive and requests.get(f"{base}/api/openapi.json", timeout=2).ok:
                click.echo(f"promoted: {base} is the live server; phones move to it")
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    raise CliError(f"the standby at {base} was promoted but is not answering as the live server")


def _page_message(html: str) -> str:
    import re

    found = re.search(r'role="alert">([^<]+)<', html)
    return found.group(1).strip() if found else "see its page"


def _nodelay_handler():
    """gevent's request handler with TCP_NODELAY on each connection: without it Nagle's
    algorithm holds a small alert frame back until the phone ACKs the previous one (up to
    ~40 ms with delayed ACKs); asyncio servers and gunicorn set it, gevent's pywsgi does not."""
    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
        def __init__(self, sock, address, server, rfile=None):
            with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to do
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, address, server, rfile)

    return NoDelayHandler


def _tune_gc() -> None:
    """Keep garbage collection from pausing the one event loop: everything loaded at start is
    frozen out of collections, and young objects are collected less often (`ictool bench`
    measured 10-50 ms gen-1 and 100+ ms gen-2 pauses with 500 phones before this)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _records_db(db: str | None):
    """The app (for settings) and an open, migrated connection to its database."""
    from ictool.db import connect

    path = _db_path(db)
    if path and not Path(path).is_file():
        raise CliError(f"no database at {path}")
    app = _app(db)
    return app, connect(app.config["DB"])


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.option("--db", "db", metavar="PATH", help="SQLite file (a live database or an archive).")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    metavar="VALUE",
    help="A checkpoint kept by a device or printed on a report (repeatable).",
)
@click.option("--archive", metavar="PATH", help="An archive written by `ictool archive`.")
def audit_verify(db: str | None, checkpoints: tuple[str, ...], archive: str | None) -> None:
    """Check the hash chain, then every checkpoint (kept in the database and given here);
    name the first entry where a changed database breaks the chain, or what is missing.
    An archive is checked on its own (its chain, its head and its report files)."""
    from ictool import archive as archives
    from ictool import audit, witness

    if archive or (db and Path(db).is_file() and archives.is_archive(Path(db))):
        try:
            done = archives.verify(Path(archive or db))
        except archives.ArchiveError as exc:
            raise CliError(str(exc)) from None
        click.echo(
            f"archive of {done.production!r} made {done.created_at}: audit chain intact, "
            f"{done.entries} entries ({done.own_entries} of this production), head "
            f"{done.head}; {done.reports} report file(s) intact"
        )
        return
    app, conn = _records_db(db)
    count = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    broken = audit.verify(conn)
    if broken:
        raise CliError(f"audit chain broken at entry #{broken.entry_id}: {broken.reason}")
    given = []
    for value in checkpoints:
        try:
            given.append(witness.parse(value))
        except ValueError as exc:
            raise CliError(f"--checkpoint {value[:40]}: {exc}") from exc
    points = given + witness.stored(conn)
    key = witness.app_key(app) if points else b""
    for point in points:
        found = witness.problem(conn, key, point)
        if found:
            raise CliError(f"audit log does not match a checkpoint: {found}")
    if not points:
        click.echo(f"audit chain intact: {count} entries")
        return
    newest = max(points, key=lambda p: (p.entries, p.at))
    click.echo(
        f"audit chain intact: {count} entries; it holds what {len(points)} checkpoint(s)"
        f" witnessed (the latest: {newest.entries} entries at {newest.when})"
    )


@audit_group.command("checkpoint")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def audit_checkpoint(db: str | None) -> None:
    """Sign the log's entry count and head now; print the value to keep somewhere else."""
    from ictool import witness

    app, conn = _records_db(db)
    click.echo(witness.make(conn, witness.app_key(app)).value)


def _person_id(conn, person_id: int) -> None:
    if conn.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
        raise CliError(f"no person with id {person_id} in this database")


@cli.command("export")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--out", metavar="FILE", help="Write to FILE (readable by you only), not stdout.")
def export_person(person_id: int, db: str | None, out: str | None) -> None:
    """Write everything held about one person as JSON (GDPR access request)."""
    from ictool import lifecycle

    _app_, conn = _records_db(db)
    _person_id(conn, person_id)
    text = json.dumps(lifecycle.export_person(conn, person_id), indent=2, ensure_ascii=False)
    if not out:
        click.echo(text)
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    click.echo(f"wrote everything held about person #{person_id} to {out}", err=True)


@cli.command("erase")
@click.option("--person", "person_id", type=int, required=True, help="The person's id.")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_person(person_id: int, db: str | None, yes: bool) -> None:
    """Erase a person's personal data, keeping the anonymised safety record."""
    from ictool import lifecycle

    _app_, conn = _records_db(db)
    _person_id(conn, person_id)
    if not yes:
        click.confirm(f"Erase person #{person_id}? This cannot be undone", abort=True)
    done = lifecycle.erase_person(conn, person_id)
    click.echo(
        f"erased person #{person_id}: now '{done['name']}'; removed {done['tokens']} join "
        f"link(s), {done['push_subscriptions']} push subscription(s), the words of "
        f"{done['alert_texts']} alert(s)"
    )
    click.echo("kept: " + "; ".join(lifecycle.kept_by_erasure()))


@cli.command("purge")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
def purge(db: str | None, dry_run: bool) -> None:
    """Remove every production whose retention period after its end date is over."""
    from ictool import lifecycle

    app, conn = _records_db(db)
    default = app.config["RETENTION_DAYS"]
    due = lifecycle.due(conn, retention_default=default)
    for p in lifecycle.retention(conn, retention_default=default):
        if p not in due:
            when = f"purge from {p['purge_on']}" if p["purge_on"] else "no end date: never purged"
            click.echo(f"kept production #{p['id']} {p['title']!r} ({when})")
    if not due:
        click.echo("nothing to purge: no production is past its retention period")
        return
    if dry_run:
        for p in due:
            click.echo(f"would purge production #{p['id']} {p['title']!r} (ended {p['ends_on']})")
        return
    for p in lifecycle.purge(conn, retention_default=default):
        rows = ", ".join(f"{table} {n}" for table, n in p["removed"].items())
        click.echo(
            f"purged production #{p['id']} {p['title']!r} (ended {p['ends_on']}, kept "
            f"{p['retention_days']} days): removed {rows}; the audit log is kept"
        )


def _read(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror}") from exc


@cli.command("export-schedule")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["uss"]),
    default="uss",
    show_default=True,
    help="Universal Schedule Standard 1.0.0 (JSON).",
)
@click.option("--out", metavar="FILE", help="Write to FILE, not stdout.")
def export_schedule(db: str | None, production_id: int | None, fmt: str, out: str | None) -> None:
    """Write the schedule (days, scenes, cast, rehearsals; never blocking, riders or
    concerns) as a .uss file, with ictool's intimacy levels as custom keys."""
    from ictool import uss_export

    app, conn = _records_db(db)
    production = _production(conn, production_id)
    with app.app_context():
        text = uss_export.dumps(uss_export.build(conn, production["id"]))
    if not out:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}", err=True)


@cli.command("import-schedule")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--remove-missing", is_flag=True, help="Also remove scenes not in the file.")
@click.option(
    "--new-cast",
    "new_cast",
    multiple=True,
    metavar="NAME",
    help="A cast name that is a new performer, not a typo (repeatable).",
)
@click.option("--yes", is_flag=True, help="Apply changes to existing scenes without asking.")
@click.option("--stripboard", metavar="NAME", help="USS: the stripboard to import (name or id).")
@click.option("--calendar", metavar="NAME", help="USS: the calendar to date it (name or id).")
def import_schedule(
    file: str,
    db: str | None,
    production_id: int | None,
    dry_run: bool,
    remove_missing: bool,
    new_cast: tuple[str, ...],
    yes: bool,
    stripboard: str | None,
    calendar: str | None,
) -> None:
    """Import days, scenes and cast from a call-sheet CSV or a Universal Schedule Standard
    file (.uss), first or revised (all or nothing).

    A revised file updates scenes by number (USS: by breakdown id, then number); what it
    changes is shown first, and applied after you confirm (or with --yes). CSV: comma,
    semicolon or tab separated. USS: intimacy levels are set by the IC afterwards (or on
    the import page's preview)."""
    from ictool import schedule_import, uss_file, uss_import

    app, conn = _records_db(db)
    production = _production(conn, production_id)
    data = _read(file)
    uss = file.lower().endswith((".uss", ".json")) or uss_file.looks_like_uss(data)
    options = {"remove_missing": remove_missing}
    if uss:
        options.update(stripboard=stripboard, calendar=calendar)
        run = uss_import.import_uss
    else:
        options["new_cast"] = new_cast
        run = schedule_import.import_csv
    with app.app_context():
        try:
            report = run(conn, production["id"], data, dry_run=True, **options)
        except schedule_import.ImportFailed as exc:
            for error in exc.errors:
                hint = (
                    f" (--new-cast {error.new_name!r})" if getattr(error, "new_name", None) else ""
                )
                click.echo(f"ictool: {file}: {error}{hint}", err=True)
            raise CliError(f"{len(exc.errors)} error(s) in {file}; nothing was imported") from None
        revises = (
            report["changed"] or report["moved"] or report["removed"] or report["days_changed"]
        )
        if uss:
            for line in _uss_lines(report["uss"], stripboard):
                click.echo(line)
        if dry_run or revises:
            for line in _diff_lines(report):
                click.echo(line)
        if dry_run:
            click.echo("dry run: nothing was changed")
            return
        if revises and not yes:
            if not sys.stdin.isatty():
                raise CliError(
                    "this file changes scenes already in the schedule; add --yes to apply"
                )
            click.confirm("Apply these changes?", abort=True)
        options["expect"] = report["fingerprint"]
        if uss and len(report["uss"]["stripboards"]) > 1 and not stripboard:
            raise CliError("this file holds several stripboards: choose one with --stripboard")
        try:
            done = run(conn, production["id"], data, **options)
        except (schedule_import.ImportFailed, schedule_import.PreviewStale) as exc:
            raise CliError(f"{exc}; run it again") from None
    click.echo(
        f"imported {done['scenes']} scene(s), {done['days']} new day(s), "
        f"{done['people']} new performer(s) into {production['title']!r}; "
        f"{done['changed']} changed, {done['moved']} moved, {done['removed']} removed"
    )


def _print_setup_link(conn, base: str) -> None:
    import segno

    from ictool import productions, setup

    url = f"{base}/setup/{setup.issue(conn)}"
    empty = "This database holds no production yet. " if not productions.first(conn) else ""
    click.echo(
        f"\n{empty}Open this one-time setup link (valid for 24 hours, until used) to create "
        f"a production:\n{url}"
    )
    segno.make(url, error="l").terminal(compact=True)


def _uss_lines(extras: dict, chosen: str | None) -> list[str]:
    """What a USS file holds beside the diff: its stripboards, what was skipped, what ictool
    does not import, and the scenes whose words suggest intimacy."""
    lines = []
    if len(extras["stripboards"]) > 1:
        names = ", ".join(f"{b['name']!r}" for b in extras["stripboards"])
        pick = next(b["name"] for b in extras["stripboards"] if b["id"] == extras["stripboard"])
        how = "chosen" if chosen else "the first; choose with --stripboard"
        lines.append(f"stripboards: {names}; importing {pick!r} ({how})")
    lines += [f"skipped {s['path']}: {s['message']}" for s in extras["skipped"]]
    for n in extras["not_imported"]:
        lines.append(f"not imported: {n['category']} ({n['count']} element(s)): {n['reason']}")
    lines += [
        f"+ rehearsal of scene {r['scene']} on {r['date']} at {r['start_time']}"
        for r in extras["rehearsals"]
    ]
    for s in extras["scenes"]:
        if s["suggested"] and s["intimacy"] == "none":
            words = ", ".join(s["suggested"])
            lines.append(f"? scene {s['number']} may be intimate ({words}): ask the IC to mark it")
    return lines


def _diff_lines(report: dict) -> list[str]:
    """A revised call sheet's changes, one line each."""
    lines = [
        f"+ day {d['date']} call {d['call_time']} at {d['location']}" for d in report["added_days"]
    ]
    for d in report["changed_days"]:
        what = ", ".join(f"{k} {old} -> {new}" for k, (old, new) in d["changes"].items())
        lines.append(f"~ day {d['date']}: {what}")
    lines += [f"+ scene {s['number']} on {s['date']}" for s in report["added_scenes"]]
    for s in report["moved_scenes"]:
        lines.append(f"> scene {s['number']} moves {s['from'] or 'unscheduled'} -> {s['to']}")
    for s in report["changed_scenes"]:
        lines.append(f"~ scene {s['number']}: {', '.join(s['changes'])} changed")
    lines += [f"+ performer {name}" for name in report["new_people"]]
    lines += [
        f"+ background performer {name}" for name in (report.get("uss") or {}).get("background", [])
    ]
    for s in report["missing_scenes"]:
        fate = "unscheduled (has records)" if s["has_records"] else "deleted"
        if report["remove_missing"]:
            lines.append(f"- scene {s['number']} on {s['from']}: {fate}")
        else:
            lines.append(f"  scene {s['number']} on {s['from']} is not in the file: kept")
    return lines


def _settings(db: str | None):
    """The settings (database path, instance folder) without opening the database."""
    from flask import Flask

    from ictool import config

    instance = os.environ.get("ICTOOL_INSTANCE")
    app = Flask(
        "ictool",
        instance_path=str(Path(instance).resolve()) if instance else None,
        instance_relative_config=True,
    )
    path = _db_path(db)
    try:
        config.load(app, {"DB": path} if path else None)
    except (RuntimeError, OSError) as exc:
        raise CliError(str(exc)) from exc
    return app


def _passphrase(file: str | None) -> str | None:
    if file is None:
        return None
    try:
        text = Path(file).read_text(encoding="utf-8").strip("\r\n")
    except OSError as exc:
        raise CliError(f"cannot read passphrase file {file}: {exc.strerror}") from exc
    if len(text) < 8:
        raise CliError(f"the passphrase in {file} is too short: use at least 8 characters")
    return text


@cli.command()
@click.option("--to", "to", metavar="PATH", required=True, help="The backup file to write.")
@click.option("--db", "db", metavar="PATH", help="SQLite file (default: ICTOOL_DB, else instance).")
@click.option(
    "--passphrase-file",
    metavar="FILE",
    help="Encrypt the instance's keys with the passphrase in FILE (its first line).",
)
def backup(to: str, db: str | None, passphrase_file: str | None) -> None:
    """Write a consistent copy of the database and the instance's keys, while serving."""
    from ictool import backup as backups

    secret = _passphrase(passphrase_file)
    app = _settings(db)
    try:
        done = backups.write(app.config["DB"], Path(app.instance_path), Path(to), secret)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(n for t, n in done.rows.items() if not t.startswith("_"))
    keys = ", ".join(done.keys) or "none found"
    state = "encrypted" if done.encrypted else "NOT encrypted (no --passphrase-file)"
    click.echo(
        f"backed up {app.config['DB']} to {done.path}: {rows} rows, "
        f"{done.audit_entries} audit entries; keys ({state}): {keys}"
    )
    if os.environ.get("ICTOOL_SECRET_KEY"):
        click.echo(
            "note: this server's secret key comes from ICTOOL_SECRET_KEY, which a backup "
            "cannot hold: keep it with the backup, or phones sign in again after a restore",
            err=True,
        )


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--db", "db", metavar="NEWDB", required=True, help="The new database file.")
@click.option("--instance", metavar="DIR", help="Also restore the keys into this folder.")
@click.option("--passphrase-file", metavar="FILE", help="The passphrase of encrypted keys.")
def restore(path: str, db: str, instance: str | None, passphrase_file: str | None) -> None:
    """Bring a backup back into a new database file (and its keys into an instance folder)."""
    from ictool import backup as backups

    secret = _passphrase(passphrase_file)
    try:
        done = backups.restore(Path(path), Path(db), Path(instance) if instance else None, secret)
    except backups.BackupError as exc:
        raise CliError(str(exc)) from None
    rows = sum(n for t, n in done.rows.items() if not t.startswith("_"))
    click.echo(f"restored {rows} rows and {done.audit_entries} audit entries into {done.db}")
    if instance:
        click.echo(f"keys restored into {instance} (owner-only): {', '.join(done.keys)}")
    else:
        click.echo("keys not restored: give --instance DIR to restore them")


@cli.command()
@click.option("--production", "production_id", type=int, required=True, help="Production id.")
@click.option("--to", "to", metavar="PATH", required=True, help="The archive file to write.")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def archive(production_id: int, to: str, db: str | None) -> None:
    """Write one production's records, daily reports and audit chain head to one file."""
    from ictool import archive as archives

    app, conn = _records_db(db)
    conn.close()
    try:
        with app.test_request_context():
            done = archives.write(app.config["DB"], production_id, Path(to))
    except archives.ArchiveError as exc:
        raise CliError(str(exc)) from None
    click.echo(
        f"archived {done.production!r} to {to}: {done.own_entries} audit entries of its own, "
        f"chain of {done.entries} ending {done.head}; {done.reports} report file(s). "
        f"Check it any time with: ictool audit verify --archive {to}"
    )


def main() -> None:
    """Entry point: run the group, turning every error into one line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"ictool: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code or 1)
    except click.exceptions.Abort:
        click.echo("ictool: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
