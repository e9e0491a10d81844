"""Rider terms in real headless Chromium against a real server (issue 13).

Scene 15 is made ready to shoot in every way but one: Alex Rivera's rider was amended to
cover what beat 3 asks, and the amendment is not signed yet. Alex signs it on a 320x568
phone and the IC's screen turns "Cleared" without a reload. The rider page (the
performer's and the IC's) and the IC's rider matrix fit that phone in all five languages:
axe-clean, no sideways scrolling, every target at least 44 px."""

import pytest
from browser import axe_violations, screenshot, wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database
from test_a11y import SMALL_TARGETS

from ictool import blocking, closedset, consent, rider_terms, scenes, takes
from ictool.db import connect

WAIT = 15_000  # ms: an upper bound for a live update; nothing here measures time
SMALL_PHONE = {"width": 320, "height": 568}
LANGS = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES", "sv": "sv-SE"}


def _ready_but_for_an_amendment(path) -> dict:
    """Scene 15 with beat codes, Alex's rider signed (v1) then amended (v2, unsigned), and
    everything else clearance asks done by the people who do it."""
    db = connect(str(path))
    ids = {r["name"]: r["id"] for r in db["people"].rows}
    bed = next(db["scenes"].rows_where("number = '15'"))
    alex, sam = ids["Alex Rivera"], ids["Sam Lindqvist"]
    ic = ids["Maya Okafor"]
    current = blocking.current(db, bed["id"])
    codes = [{"performers": [alex, sam]} for _ in current["beats"]]
    codes[2] = {"performers": [alex, sam], "nudity": ["back"]}
    blocking.save(db, bed["id"], current["beats"], ic, codes)
    sam_terms = {"nudity": ["back"], "acts": ["simulated_intercourse"]}
    rider_terms.seed(db, bed["id"], sam, sam_terms, ic, "2020-01-01", "2020-01-02")
    rider_terms.seed(
        db, bed["id"], alex, {"acts": ["simulated_intercourse"]}, ic, "2020-01-01", "2020-01-02"
    )
    amended = {"nudity": ["back"], "acts": ["simulated_intercourse"], "no_touch": ["inner_thighs"]}
    amended["other"] = "Closed-mouth kisses only."
    rider_terms.record(db, bed, alex, amended, ic)
    version = blocking.current(db, bed["id"])["version"]
    person = {r["id"]: r for r in db["people"].rows}
    for pid in (alex, sam):
        consent.confirm(db, bed, person[pid], version)
        takes.good_to_go(db, bed, person[pid], takes.current_take(db, bed["id"]), True)
    item = closedset.add_garment(db, bed, "Modesty garments, both", None, ic)
    closedset.confirm_garment(db, bed, item["id"], person[ic])
    closedset.confirm_garment(db, bed, item["id"], person[ids["Marta Nowak"]])
    closedset.close_set(db, bed, ids["Tom Brennan"])
    assert scenes.get(db, bed["id"])
    db.close()
    return {"scene": bed["id"], "alex": alex}


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    folder = tmp_path_factory.mktemp("riders")
    cast = demo_database(folder / "live.db")
    prepared = _ready_but_for_an_amendment(folder / "live.db")
    server = ServerProcess(folder / "live.db", folder / "instance")
    server.people = cast
    server.start()
    yield server, prepared
    server.stop()


def _fits(page, where: str) -> None:
    assert axe_violations(page) == [], where
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= SMALL_PHONE["width"], f"{where}: {wide} px wide"
    assert page.evaluate(SMALL_TARGETS) == [], where


@pytest.mark.parametrize("lang", LANGS)
def test_the_rider_pages_fit_a_small_phone_in_every_language(show, new_phone, lang):
    server, ids = show
    page_url = f"{server.url}/scenes/{ids['scene']}/riders/{ids['alex']}"
    for name, urls in (
        ("Alex Rivera", [page_url]),
        ("Maya Okafor", [page_url, f"{server.url}/riders/matrix"]),
    ):
        page = new_phone(
            server.people[name]["token"], viewport=SMALL_PHONE, locale=LANGS[lang], server=server
        )
        for url in urls:
            page.goto(url)
            wait_online(page)
            assert page.locator("html").get_attribute("lang") == lang
            _fits(page, f"{url} as {name} in {lang}")
            screenshot(page, f"rider-{lang}-{name.split()[0].lower()}-{url.rsplit('/', 1)[1]}")
        assert page.errors == [], (name, lang)


def test_a_performer_signs_an_amendment_on_a_small_phone_and_the_ics_screen_turns_cleared(
    show, new_phone
):
    server, ids = show
    ic = new_phone(server.people["Maya Okafor"]["token"], server=server)
    wait_online(ic)
    ic_scene = ic.locator(f"#scene-{ids['scene']}")
    expect(ic_scene.locator(".badge")).to_have_text("✖ Not cleared")
    expect(ic_scene.locator('[data-code="rider_exceeded"]')).to_contain_text(
        "Blocking beat 3 asks more than the signed rider of Alex Rivera."
    )
    expect(ic_scene.locator('[data-code="rider_missing"]')).to_contain_text("Alex Rivera")

    alex = new_phone(server.people["Alex Rivera"]["token"], viewport=SMALL_PHONE, server=server)
    alex.goto(f"{server.url}/scenes/{ids['scene']}/riders/{ids['alex']}")
    wait_online(alex)
    expect(alex.get_by_role("heading", name="Your nudity rider")).to_be_visible()
    expect(alex.locator(".diff")).to_contain_text("New: Nudity: Bare back")
    expect(alex.locator(".diff")).to_contain_text("New: Being touched: Inner thighs")
    _fits(alex, "performer's rider, amendment to sign")
    screenshot(alex, "rider-performer-amendment-320", full_page=True)
    alex.get_by_role("button", name="I agree — sign version 2").click()
    expect(alex.locator(".rider-page")).to_contain_text("Signed", timeout=WAIT)

    expect(ic_scene.locator(".badge")).to_have_text("✔ Cleared to shoot", timeout=WAIT)
    expect(ic_scene.locator('[data-code="rider_exceeded"]')).to_have_count(0)
    screenshot(ic, "rider-ic-cleared-phone")
    assert ic.errors == [] and alex.errors == []


def test_the_ic_says_what_a_beat_asks_and_the_scene_shows_it_beyond_a_rider(live, new_phone):
    """On the scene page, "What each beat asks": the IC ticks who is in beat 3 and what it
    asks; saved as a new blocking version, the beat is checked against each rider."""
    ic = new_phone(live.people["Maya Okafor"]["token"], viewport=SMALL_PHONE)
    wait_online(ic)
    link = ic.locator("article.scene", has_text="Scene 15").get_by_role("link").first
    ic.goto(live.url + link.get_attribute("href"))
    codes = ic.locator("section.beat-codes")
    beat = codes.locator("details").nth(2)
    beat.locator("summary").click()
    beat.get_by_label("Alex Rivera").check()
    beat.get_by_label("Buttocks").first.check()
    codes.get_by_role("button", name="Save what each beat asks").click()
    reason = ic.locator('[data-code="rider_exceeded"]')
    expect(reason).to_contain_text(
        "Blocking beat 3 asks more than the signed rider of Alex Rivera.", timeout=WAIT
    )
    expect(ic.locator("ol.beats .beat-check.bad-text")).to_have_count(1)
    expect(ic.locator("ol.beats .beat-check.ok-text")).to_have_count(4)
    expect(codes.locator("details").nth(2).get_by_label("Alex Rivera")).to_be_checked()
    _fits(ic, "scene page with beat codes")
    assert ic.errors == []
