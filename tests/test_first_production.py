"""Issue 11, item 8: a real production from an empty database to a cleared scene, with no
code. A real `ictool serve` on an empty SQLite file; everyone on their own phone (a browser
context); only the setup link the server printed, the pages and the join links shown on
the people page. Then the setup half again with the command line only."""

import json
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
import requests
from browser import PHONE, ROOT, collect_errors
from playwright.sync_api import expect
from serverproc import ServerProcess

WAIT = 15_000  # ms: an upper bound for a page or a live update; nothing here measures time
SAMPLE = ROOT / "static" / "samples" / "call-sheet-sample.csv"
ICTOOL = [sys.executable, "-m", "ictool"]
TEAM = [  # name, role, department: added on the people page by the producer
    ("Maya Okafor", "coordinator", ""),
    ("Tom Brennan", "first_ad", ""),
    ("Lena Voss", "director", ""),
    ("Marta Nowak", "crew", "costume"),
    ("Kenji Mori", "crew", "sound"),
]
PERFORMERS = ("Nadia Haddad", "Ben Carter")  # the sample call sheet's cast


@pytest.fixture
def empty_server(tmp_path):
    server = ServerProcess(tmp_path / "empty.db", tmp_path / "instance")
    server.start()
    yield server
    server.stop()


class Phones:
    """One browser context per person, like one phone each; errors are collected."""

    def __init__(self, chromium):
        self.chromium, self.pages = chromium, []

    def open(self, link: str):
        context = self.chromium.new_context(viewport=PHONE, locale="en-GB")
        context.set_default_timeout(WAIT)
        page = context.new_page()
        collect_errors(page)
        page.goto(link)
        self.pages.append(page)
        return page

    def close(self) -> None:
        for page in self.pages:
            page.context.close()


@pytest.fixture
def phones(chromium):
    kept = Phones(chromium)
    expect.set_options(timeout=WAIT)  # a loaded CI runner: every wait is for a condition
    yield kept
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests after this one
    kept.close()


def _add_person(page, name: str, role: str, department: str) -> None:
    page.get_by_text("Add a person").click()
    page.locator("#f-name").fill(name)
    page.locator("#f-role").select_option(role)
    if department:
        page.locator("#f-department").fill(department)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash")).to_contain_text(f"{name} was added")
    page.get_by_role("link", name="All people").click()


def _join_link(page, name: str) -> str:
    """Show a person's join code on the people page and read the link under the QR code."""
    page.get_by_role("button", name=f"Show join code — {name}").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    link = page.locator(".qr-card .link code").inner_text().strip()
    page.get_by_role("link", name="Done").click()
    return link


def test_from_an_empty_database_to_a_cleared_scene_with_no_code(phones, empty_server):
    server = empty_server
    printed = re.search(r"http://\S+/setup/\S+", server.log.read_text()).group(0)
    setup_link = server.url + "/setup/" + printed.rsplit("/setup/", 1)[1]  # the LAN address
    today = date.today()

    # The producer opens the setup link the server printed and creates the production.
    producer = phones.open(setup_link)
    producer.get_by_label("Title").fill("Harbour Lights")
    producer.get_by_label("Production company").fill("Lark Films")
    producer.get_by_label("Jurisdiction").select_option(label="Equity / Bectu (United Kingdom)")
    producer.get_by_label("Time zone").fill("Europe/London")
    producer.get_by_label("First shoot day").fill("2027-03-01")
    producer.get_by_label("Last shoot day").fill("2027-03-31")
    producer.get_by_label("Date the intimacy coordinator was engaged").fill(today.isoformat())
    producer.get_by_label("Your name").fill("Ruth Adeyemi")
    producer.get_by_label("Your role").select_option("producer")
    producer.get_by_role("button", name="Create the production").click()
    expect(producer).to_have_url(f"{server.url}/producer")

    # The team, on the people page.
    producer.get_by_role("link", name="People", exact=True).click()
    for name, role, department in TEAM:
        _add_person(producer, name, role, department)

    # The call sheet: checked first, then applied; its cast become performers.
    producer.get_by_role("link", name="Import a call sheet").click()
    producer.locator("input[type=file]").set_input_files(str(SAMPLE))
    producer.get_by_role("button", name="Check the file").click()
    preview = producer.locator("#import-preview")
    expect(preview).to_contain_text("New scene 40 on 2027-03-09")
    expect(preview).to_contain_text("New performer Nadia Haddad")
    producer.get_by_role("button", name="Apply these changes").click()
    expect(producer.locator("#imported")).to_contain_text(
        "New scenes: 4, new days: 2, new performers: 2"
    )

    # Everyone's join link, from the people page (the link under each QR code).
    producer.get_by_role("link", name="People", exact=True).click()
    links = {
        name: _join_link(producer, name)
        for name in [name for name, _, _ in TEAM if name != "Lena Voss"] + list(PERFORMERS)
    }
    assert all(link.startswith(f"{server.url}/join/") for link in links.values()), links

    # The IC: scene 40 of the second day, from her screen.
    ic = phones.open(links["Maya Okafor"])
    expect(ic).to_have_url(f"{server.url}/ic")
    ic.locator('nav.days a:has(time[datetime="2027-03-09"])').click()
    ic.locator("article.scene", has_text="Scene 40").get_by_role("link", name="Scene 40").click()
    bed = ic.url.rsplit("/", 1)[1]
    expect(ic.locator(".badge")).to_have_text("✖ Not cleared")

    for name in PERFORMERS:  # riders sent and signed, recorded on the scene page
        rider = ic.locator(f"#riders-{bed} li", has_text=name)
        rider.get_by_label("Sent on").fill((today - timedelta(days=3)).isoformat())
        rider.get_by_label("Signed on").fill((today - timedelta(days=1)).isoformat())
        rider.get_by_role("button", name="Save dates").click()
        expect(ic.locator(f"#riders-{bed} li", has_text=name)).to_contain_text(
            "rider signed", timeout=WAIT
        )
    expect(ic.locator('[data-code="rider_missing"]')).to_have_count(0)

    ic.get_by_label("Add someone to the roster").select_option(label="Kenji Mori — Crew (sound)")
    ic.get_by_label("Purpose").fill("boom operator")
    ic.get_by_role("button", name="Add to the roster").click()
    expect(ic.locator(f"#roster-{bed} li", has_text="Kenji Mori")).to_contain_text(
        "boom operator", timeout=WAIT
    )
    # a closed set starts with the IC, the director, the 1st AD and the cast; with the boom
    # operator (sound), the production's essential crew are all on it
    expect(ic.locator(f"#roster-{bed}")).to_contain_text(
        "All the essential crew are on the roster."
    )
    for name in ("Lena Voss", "Maya Okafor", "Tom Brennan", *PERFORMERS):
        expect(ic.locator(f"#roster-{bed} li", has_text=name)).to_have_count(1)

    ic.get_by_label("Item").fill("Modesty garments and barrier cushion")
    ic.get_by_role("button", name="Add item").click()
    garment = ic.locator(".garments li", has_text="barrier cushion")
    garment.get_by_role("button", name="Confirm").click()
    expect(ic.locator(".garments li", has_text="barrier cushion")).to_contain_text(
        "✔ IC", timeout=WAIT
    )

    ic.get_by_label("Beats").fill(
        "Nadia and Ben sit on the bed, robes on.\n"
        "Ben kisses Nadia's shoulder; her hand stays on his back.\n"
        "They lie down under the sheet; barrier cushion between them."
    )
    ic.get_by_role("button", name="Save as a new version").click()
    expect(ic.locator(f"#scene-{bed} ol.beats li")).to_have_count(3)
    ic.get_by_text("Check-in QR code for phones on set").click()
    checkin_page = ic.get_by_role("link", name="Open the check-in page").get_attribute("href")

    # Costume confirms the garments on the check-in page (the QR code on set).
    costume = phones.open(links["Marta Nowak"])
    costume.goto(server.url + checkin_page)
    costume.locator(".garments li", has_text="barrier cushion").get_by_role(
        "button", name="Confirm"
    ).click()
    expect(costume.locator(".garments li", has_text="barrier cushion")).to_contain_text(
        "✔ costume", timeout=WAIT
    )

    # The boom operator checks in there too: on the roster, so nothing is flagged.
    boom = phones.open(links["Kenji Mori"])
    boom.goto(server.url + checkin_page)
    boom.get_by_label("I will take no photos or video").check()
    boom.get_by_role("button", name="Check me in").click()
    expect(boom.locator(".clearance-panel")).to_contain_text("You are checked in.")
    expect(boom.locator(".off-roster-note")).to_have_count(0)

    # The IC watches her screen for that day while the others do their part.
    ic.get_by_role("link", name="Back").click()
    ic.locator('nav.days a:has(time[datetime="2027-03-09"])').click()
    card = ic.locator(f"#scene-{bed}")
    expect(card.locator(".badge")).to_have_text("✖ Not cleared")

    # Each performer reads the blocking on their own phone, agrees and checks in.
    performers = {}
    for name in PERFORMERS:
        phone = phones.open(links[name])
        expect(phone).to_have_url(f"{server.url}/me")
        phone.get_by_role("region", name="All my scenes").get_by_role(
            "link", name="Scene 40"
        ).click()
        phone.get_by_role("button", name="I agree to version 1").click()
        expect(phone.locator(".consent")).to_contain_text("You agreed to version 1", timeout=WAIT)
        phone.get_by_label("I will take no photos or video").check()
        phone.get_by_role("button", name="Check me in").click()
        expect(phone.locator(".closed-set")).to_contain_text("You are checked in.", timeout=WAIT)
        performers[name] = phone

    # The 1st AD closes the set.
    ad = phones.open(links["Tom Brennan"])
    expect(ad).to_have_url(f"{server.url}/ad")
    ad.locator('nav.days a:has(time[datetime="2027-03-09"])').click()
    ad.locator("article.scene", has_text="Scene 40").get_by_role("link", name="Scene 40").click()
    ad.get_by_role("button", name="Confirm: the set is closed").click()
    expect(ad.locator(".closed-set")).to_contain_text("Set closed by Tom Brennan", timeout=WAIT)

    # Take 1: all that is left is each performer's word (silence is not a yes); each says
    # "good to go" on their phone, and the IC's screen turns "Cleared".
    expect(card.locator("li.reason")).to_have_count(1, timeout=WAIT)
    expect(card.locator('[data-code="not_good_to_go"]')).to_contain_text("Ben Carter")
    expect(card.locator('[data-code="not_good_to_go"]')).to_contain_text("Nadia Haddad")
    for phone in performers.values():
        phone.get_by_role("button", name="Good to go").click()
        expect(phone.locator(".takes")).to_contain_text(
            "You said you are good to go for take 1.", timeout=WAIT
        )
    expect(card.locator(".badge")).to_have_text("✔ Cleared to shoot", timeout=WAIT)
    expect(card.locator('[data-code="not_good_to_go"]')).to_have_count(0)
    for page in phones.pages:
        assert page.errors == [], page.url


def run(*args: str) -> str:
    done = subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


CAST_AND_CREW = (
    "name,role,department,language\n"
    "Maya Okafor,coordinator,,\n"
    "Tom Brennan,first_ad,,\n"
    "Nadia Haddad,performer,,fr\n"
    "Ben Carter,performer,,\n"
    "Kenji Mori,crew,sound,\n"
)


def test_the_setup_half_with_the_command_line_only(tmp_path):
    db = str(tmp_path / "show.db")
    production = run(
        "production", "create", "--db", db, "--title", "Harbour Lights",
        "--jurisdiction", "equity_uk", "--starts", "2027-03-01", "--ends", "2027-03-31",
        "--timezone", "Europe/London",
    ).strip()  # fmt: skip
    assert production.isdigit()
    added = run("people", "add", "--db", db, "--name", "Ruth Adeyemi", "--role", "producer")
    assert "/join/" in added
    cast = tmp_path / "cast.csv"
    cast.write_text(CAST_AND_CREW, encoding="utf-8")
    assert "added 5 person(s)" in run("people", "import", str(cast), "--db", db)
    imported = run("import-schedule", str(SAMPLE), "--db", db)
    # the sheet's cast are the performers of the cast list, not new ones
    assert imported.startswith("imported 4 scene(s), 2 new day(s), 0 new performer(s)"), imported

    server = ServerProcess(tmp_path / "show.db", tmp_path / "instance").start()
    try:
        links = json.loads(run("links", "--db", db, "--json", "--base-url", server.url))
        assert {link["name"] for link in links} == {
            "Ruth Adeyemi", "Maya Okafor", "Tom Brennan", "Nadia Haddad", "Ben Carter",
            "Kenji Mori",
        }  # fmt: skip
        nadia = next(link for link in links if link["name"] == "Nadia Haddad")
        phone = requests.Session()
        home = phone.get(nadia["url"], timeout=10)  # the printed link, as a phone opens it
        assert home.status_code == 200 and home.url == f"{server.url}/me"
        assert 'lang="fr"' in home.text  # the language from the cast list
        everything = home.text.split('id="all-h"', 1)[1]  # "All my scenes", in French
        mine = re.findall(r'href="/scenes/(\d+)">Scène (\d+)</a>', everything)
        assert [number for _, number in mine] == ["31", "32", "40"]
        scene = phone.get(f"{server.url}/scenes/{mine[2][0]}", timeout=10)
        assert scene.status_code == 200 and "Scène 40" in scene.text
        other = phone.get(f"{server.url}/ic", timeout=10)
        assert other.status_code == 403  # a performer is not the IC
    finally:
        server.stop()
