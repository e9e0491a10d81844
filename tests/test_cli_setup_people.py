"""A production and its people from the command line, starting from an empty database:
`ictool production create/list`, `ictool people add/list/import`, `ictool setup-link`,
and `ictool serve` printing a setup link when there is no production yet."""

import json
import subprocess
import sys
import urllib.request

from serverproc import ServerProcess

ICTOOL = [sys.executable, "-m", "ictool"]
CREATE = ["production", "create", "--title", "Blue Hour", "--jurisdiction"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60)


def _one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ictool: error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _create(db, title="Blue Hour", jurisdiction="Equity / Bectu (United Kingdom)"):
    made = run(
        "production", "create", "--db", str(db), "--title", title,
        "--jurisdiction", jurisdiction, "--starts", "2027-03-01", "--ends", "2027-04-30",
        "--timezone", "Europe/London", "--company", "Lark Films", "--ic-engaged", "2027-01-10",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return int(made.stdout.strip())


def test_every_command_that_needs_a_production_says_how_to_make_one(tmp_path):
    db = str(tmp_path / "empty.db")
    for args in (
        ["links"],
        ["people", "list"],
        ["people", "add", "--name", "Maya", "--role", "coordinator"],
        ["import-schedule", str(tmp_path / "x.csv")],
        ["production", "list"],
    ):
        _one_line_error(
            run(*args, "--db", db), "no production yet", "ictool serve", "production create"
        )


def test_a_production_and_its_people_from_the_command_line(tmp_path):
    db = str(tmp_path / "show.db")
    production_id = _create(db)
    listed = run("production", "list", "--db", db)
    assert listed.stdout.startswith(
        f"{production_id}\tBlue Hour\tequity_uk\t2027-03-01 to 2027-04-30"
    )
    shown = json.loads(run("production", "list", "--db", db, "--json").stdout)[0]
    assert shown["company"] == "Lark Films" and shown["timezone"] == "Europe/London"

    added = run(
        "people", "add", "--db", db, "--name", "Maya Okafor", "--role", "coordinator",
        "--language", "fr", "--base-url", "http://10.0.0.5:5000",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    person_id, link = added.stdout.split()
    assert person_id.isdigit() and link.startswith("http://10.0.0.5:5000/join/")
    run("people", "add", "--db", db, "--name", "Alex Rivera", "--role", "performer",
        "--character", "Juno")  # fmt: skip

    people = json.loads(run("people", "list", "--db", db, "--json").stdout)
    assert [(p["name"], p["role"]) for p in people] == [
        ("Maya Okafor", "coordinator"),
        ("Alex Rivera", "performer"),
    ]
    assert people[1]["character_name"] == "Juno"
    assert "Maya Okafor\tcoordinator\tfr" in run("people", "list", "--db", db).stdout


def test_bad_input_names_the_option_and_what_is_allowed(tmp_path):
    db = str(tmp_path / "show.db")
    _one_line_error(
        run(*CREATE, "mars", "--starts", "2027-03-01", "--ends", "2027-04-30", "--db", db),
        "--jurisdiction", "equity_uk (Equity / Bectu (United Kingdom))",
    )  # fmt: skip
    _one_line_error(
        run(*CREATE, "france", "--starts", "1/3/27", "--ends", "2027-04-30", "--db", db),
        "--starts", "YYYY-MM-DD",
    )  # fmt: skip
    _one_line_error(
        run(*CREATE, "france", "--starts", "2027-03-01", "--ends", "2027-04-30",
            "--timezone", "Paris", "--db", db),
        "--timezone", "Europe/London",
    )  # fmt: skip
    _create(db)
    _one_line_error(
        run("people", "add", "--db", db, "--name", "Kenji", "--role", "grip"),
        "--role", "first_ad (1st AD)", "crew (Crew)", "coordinator (Intimacy coordinator)",
    )  # fmt: skip
    _one_line_error(
        run("people", "add", "--db", db, "--name", "Kenji", "--role", "crew"), "--department"
    )
    _one_line_error(
        run("people", "add", "--db", db, "--name", "Kenji", "--role", "crew",
            "--department", "camera", "--language", "jp"),
        "--language", "en, fr, de, es, sv",
    )  # fmt: skip


def test_with_several_productions_the_command_asks_which(tmp_path):
    db = str(tmp_path / "studio.db")
    first = _create(db)
    second = _create(db, title="Night Swim", jurisdiction="nordic")
    _one_line_error(
        run("people", "list", "--db", db),
        "2 productions", "--production", f"{first} 'Blue Hour'", f"{second} 'Night Swim'",
    )  # fmt: skip
    added = run("people", "add", "--db", db, "--name", "Ines Roy", "--role", "producer",
                "--production", str(second))  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Ines Roy" in run("people", "list", "--db", db, "--production", str(second)).stdout
    assert "Ines Roy" not in run("people", "list", "--db", db, "--production", str(first)).stdout
    _one_line_error(run("people", "list", "--db", db, "--production", "9"), "no production 9")


CAST_CSV = (
    "\ufeffName;Role;Department;Language;Character\n"
    "Maya Okafor;coordinator;;fr;\n"
    "Alex Rivera;performer;;Deutsch;Juno\n"
    "Kenji Mori;crew;camera;;\n"
)


def test_a_cast_and_crew_list_is_imported_all_or_nothing(tmp_path):
    db = str(tmp_path / "show.db")
    _create(db)
    good = tmp_path / "cast.csv"
    good.write_text(CAST_CSV, encoding="utf-8")
    done = run("people", "import", str(good), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "added 3 person(s)" in done.stdout
    people = json.loads(run("people", "list", "--db", db, "--json").stdout)
    alex = next(p for p in people if p["name"] == "Alex Rivera")
    assert alex["language"] == "de" and alex["character_name"] == "Juno"
    again = run("people", "import", str(good), "--db", db)
    assert "added 0 person(s)" in again.stdout and "3 already there" in again.stdout

    bad = tmp_path / "bad.tsv"
    bad.write_text(
        "name\trole\tdepartment\n"
        "Lena Voss\tdirector\t\n"
        "Sam Lindqvist\tstar\t\n"
        "Priya Shah\tcrew\t\n"
        "Alex Rivera\tcrew\tcamera\n",
        encoding="utf-8",
    )
    failed = run("people", "import", str(bad), "--db", db)
    assert failed.returncode != 0
    lines = failed.stderr.strip().splitlines()
    assert lines[0].startswith(f"ictool: {bad}: row 3, column role: role must be one of")
    assert "performer (Performer)" in lines[0]
    assert lines[1].endswith("row 4, column department: a crew member needs a department")
    assert lines[2].endswith("row 5, column role: Alex Rivera is on the production as performer")
    assert lines[-1] == f"ictool: error: 3 error(s) in {bad}; nothing was imported"
    assert "Lena Voss" not in run("people", "list", "--db", db).stdout  # nothing half-written


def test_serve_prints_a_setup_link_on_an_empty_database_and_setup_link_replaces_it(tmp_path):
    server = ServerProcess(tmp_path / "fresh.db", tmp_path / "inst")
    server.start()
    try:
        printed = server.log.read_text()
        assert "holds no production yet" in printed
        url = next(w for w in printed.split() if "/setup/" in w)
        token = url.rsplit("/", 1)[1]
        assert "█" in printed or "▀" in printed  # its QR code
        with urllib.request.urlopen(f"{server.url}/setup/{token}") as page:  # noqa: S310
            assert "New production" in page.read().decode()
        fresh = run("setup-link", "--db", str(tmp_path / "fresh.db"), "--base-url", server.url)
        assert fresh.returncode == 0 and f"{server.url}/setup/" in fresh.stdout
        try:
            urllib.request.urlopen(f"{server.url}/setup/{token}")  # noqa: S310
            raise AssertionError("the replaced link still works")
        except urllib.error.HTTPError as gone:
            assert gone.code == 410 and "expired" in gone.read().decode()
    finally:
        server.stop()
