"""`ictool setup-link`, `ictool production create|list` and `ictool people add|list|import`:
a real production and its people from the command line, for scripts and for a laptop
without a browser at hand. Loaded by `cli` only when one of them is asked for.
"""

import json

import click

from ictool.cli import (
    BASE_URL_HELP,
    NO_PRODUCTION,
    PRODUCTION_HELP,
    CliError,
    _app,
    _base_url,
    _print_setup_link,
    _production,
    _read,
    _records_db,
)


@click.command("setup-link")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--base-url", metavar="URL", help=BASE_URL_HELP)
def setup_link(db: str | None, base_url: str | None) -> None:
    """Print a fresh one-time link that opens the "New production" page (24 hours; it
    replaces any unused one)."""
    from ictool.db import connect

    app = _app(db)
    base = _base_url(app, base_url)
    conn = connect(app.config["DB"])
    _print_setup_link(conn, base)
    conn.close()


@click.group("production")
def production_group() -> None:
    """Create and list productions (one server may hold several)."""


@production_group.command("create")
@click.option("--title", required=True, help="The production's title.")
@click.option(
    "--jurisdiction",
    required=True,
    help="Key or name, e.g. equity_uk or 'Equity / Bectu (United Kingdom)'.",
)
@click.option("--starts", required=True, metavar="YYYY-MM-DD", help="First shoot day.")
@click.option("--ends", required=True, metavar="YYYY-MM-DD", help="Last shoot day.")
@click.option("--timezone", metavar="ZONE", help="IANA name, e.g. Europe/London (default: here).")
@click.option("--company", help="The production company.")
@click.option("--ic-engaged", metavar="YYYY-MM-DD", help="The date the IC was engaged.")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def production_create(
    title: str,
    jurisdiction: str,
    starts: str,
    ends: str,
    timezone: str | None,
    company: str | None,
    ic_engaged: str | None,
    db: str | None,
) -> None:
    """Create a production and print its id."""
    from ictool import productions
    from ictool.db import connect
    from ictool.errors import Invalid

    app = _app(db)
    conn = connect(app.config["DB"])
    try:
        fields = productions.check_new(
            title, jurisdiction, starts, ends, timezone, company, ic_engaged
        )
    except Invalid as bad:
        raise CliError(f"--{bad.field.replace('_', '-')}: {bad}") from None
    production_id = productions.create_checked(conn, fields)
    click.echo(production_id)
    click.echo(
        f"created production {production_id} {fields['title']!r} ({fields['jurisdiction']}, "
        f"{fields['timezone']}); add people with `ictool people add` or `ictool people import`",
        err=True,
    )


@production_group.command("list")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def production_list(db: str | None, as_json: bool) -> None:
    """List the productions on this server."""
    from ictool import productions

    _app_, conn = _records_db(db)
    found = [productions.public(p) for p in productions.every(conn)]
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        raise CliError(NO_PRODUCTION)
    for p in found:
        dates = f"{p['starts_on'] or '?'} to {p['ends_on'] or '?'}"
        click.echo(f"{p['id']}\t{p['title']}\t{p['jurisdiction']}\t{dates}\t{p['timezone'] or ''}")


@click.group("people")
def people_group() -> None:
    """Add, list and import the people of a production."""


def _people_error(bad) -> CliError:
    option = {"character_name": "character"}.get(bad.field, bad.field)
    return CliError(f"--{option.replace('_', '-')}: {bad}")


@people_group.command("add")
@click.option("--name", required=True, help="Their name as on the call sheet.")
@click.option(
    "--role",
    required=True,
    help="coordinator, first_ad, second_ad, director, performer, crew or producer.",
)
@click.option("--department", help="Required for crew, e.g. camera.")
@click.option("--language", help="en, fr, de, es or sv (default: the phone's).")
@click.option("--character", "character_name", help="A performer's character name.")
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
@click.option("--base-url", metavar="URL", help=BASE_URL_HELP)
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def people_add(
    name: str,
    role: str,
    department: str | None,
    language: str | None,
    character_name: str | None,
    production_id: int | None,
    base_url: str | None,
    db: str | None,
) -> None:
    """Add a person; print their id and their join link."""
    from ictool import people
    from ictool.db import connect
    from ictool.errors import Invalid

    app = _app(db)
    base = _base_url(app, base_url)
    conn = connect(app.config["DB"])
    production = _production(conn, production_id)
    fields = {
        "name": name,
        "role": role.strip().lower(),
        "department": department,
        "language": language,
        "character_name": character_name,
    }
    try:
        person_id = people.create(conn, production["id"], fields)
    except Invalid as bad:
        raise _people_error(bad) from None
    click.echo(person_id)
    click.echo(f"{base}/join/{people.issue_token(conn, person_id)}")


@people_group.command("list")
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def people_list(production_id: int | None, as_json: bool, db: str | None) -> None:
    """List everyone on a production, deactivated people too."""
    from ictool import people

    _app_, conn = _records_db(db)
    production = _production(conn, production_id)
    found = [people.managed(p) for p in people.in_production(conn, production["id"], inactive=True)]
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"nobody on {production['title']!r} yet: add people with `ictool people add`")
    for p in found:
        extra = [p["department"], p["character_name"], p["language"]]
        extra += [] if p["active"] else ["deactivated"]
        shown = ", ".join(x for x in extra if x)
        click.echo(f"{p['id']}\t{p['name']}\t{p['role']}" + (f"\t{shown}" if shown else ""))


@people_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--production", "production_id", type=int, help=PRODUCTION_HELP)
@click.option("--db", "db", metavar="PATH", help="SQLite file.")
def people_import(file: str, production_id: int | None, db: str | None) -> None:
    """Add a cast and crew list from CSV: name, role, department, language (all or nothing)."""
    from ictool import people_import as importer
    from ictool.schedule_import import ImportFailed

    _app_, conn = _records_db(db)
    production = _production(conn, production_id)
    data = _read(file)
    try:
        done = importer.import_csv(conn, production["id"], data)
    except ImportFailed as exc:
        for error in exc.errors:
            click.echo(f"ictool: {file}: {error}", err=True)
        raise CliError(f"{len(exc.errors)} error(s) in {file}; nothing was imported") from None
    click.echo(
        f"added {done['added']} person(s) to {production['title']!r}"
        + (f"; {done['already']} already there" if done["already"] else "")
        + "; print their join links with `ictool links`"
    )
