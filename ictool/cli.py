"""The `ictool` console script: serve, demo, links.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

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
    try:
        return create_app(config)
    except RuntimeError as exc:
        raise CliError(str(exc)) from exc


def _lan_address() -> str:
    from ictool.tls import lan_addresses

    found = [a for a in lan_addresses() if a != "127.0.0.1"]
    return found[0] if found else "127.0.0.1"


def _links(app, base_url: str) -> list[dict]:
    from ictool import people, productions
    from ictool.db import connect

    db = connect(app.config["DB"])
    out = []
    for production in db["productions"].rows_where(order_by="id"):
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@cli.command()
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--base-url", metavar="URL", help="The address phones use, e.g. http://10.0.0.5:5000")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {name, role, url}.")
def links(db: str | None, base_url: str | None, as_json: bool) -> None:
    """Print every person's join link (each call makes fresh links)."""
    app = _app(db)
    base = base_url or app.config.get("BASE_URL") or f"http://{_lan_address()}:5000"
    if not base.startswith(("http://", "https://")):
        raise CliError("--base-url must start with http:// or https://")
    _print_links(_links(app, base), as_json)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
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
def serve(host: str, port: int, db: str | None, with_demo: bool) -> None:
    """Run the set server (gevent: WebSocket, many phones, one process)."""
    _db_path(db)
    _check_port(host, port)
    if os.environ.get("ICTOOL_GEVENT") != "1":
        os.environ["ICTOOL_GEVENT"] = "1"  # monkey-patch before anything else is imported
        os.execv(sys.executable, [sys.executable, "-m", "ictool", *sys.argv[1:]])  # noqa: S606
    from ictool import demo as demo_data
    from ictool import productions
    from ictool.db import connect
    from ictool.realtime import socketio

    app = _app(db)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "127.0.0.1") else host  # noqa: S104
    lan = _lan_address() if host in ("0.0.0.0", "::") else shown  # noqa: S104
    base = app.config.get("BASE_URL") or f"http://{lan}:{port}"
    if with_demo:
        conn = connect(app.config["DB"])
        if productions.first(conn) is None:
            demo_data.seed(conn)
            click.echo("Seeded the demo production. Join links:")
            _print_links(_links(app, base), as_json=False, qr=False)
        conn.close()
    click.echo(
        f"\nictool is serving {app.config['DB']}\n  on this machine: "
        f"http://{shown}:{port}/\n  phones on the set's Wi-Fi: {base}/",
        err=True,
    )
    socketio.run(app, host=host, port=port, log_output=False)


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
