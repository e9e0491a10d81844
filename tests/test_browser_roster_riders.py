"""The scene page in real headless Chromium on a new production: the IC puts the boom
operator who checked in off the roster on it with a purpose, records the date a performer
signed her rider, and the scene turns "Cleared" on the IC's and the 1st AD's screens. The
page fits a 320 x 568 phone in every language and passes axe."""

from datetime import date

import pytest
from babel.dates import format_date
from browser import axe_violations, screenshot, wait_online
from empty_production import build
from playwright.sync_api import expect
from serverproc import ServerProcess
from test_a11y import SMALL_TARGETS

from ictool import blocking, closedset, consent, people, riders, scenes, takes
from ictool.db import connect

WAIT = 15_000  # ms: an upper bound for a live update; nothing here measures time
SMALL_PHONE = {"width": 320, "height": 568}
LOCALES = ["en-GB", "fr-FR", "de-DE", "es-ES", "sv-SE"]


@pytest.fixture
def almost_cleared(tmp_path):
    """Scene 31 with everything done but two things: Ana's rider is not recorded, and the
    boom operator checked in although nobody put him on the roster."""
    show = build(tmp_path / "show.db")
    db = connect(str(show.path))
    scene = scenes.get(db, show.scenes["31"])
    who = {name: people.get(db, i) for name, i in show.ids.items()}
    ic, ad, boom = show.ids["Iris Novak"], show.ids["Ade Mensah"], show.ids["Sonny Vale"]
    version = blocking.save(db, scene["id"], ["Seated on the bed edge, robes on."], ic)["version"]
    riders.record(db, scene, show.ids["Ben Okoro"], {"signed_on": show.day(-6)}, ic)
    item = closedset.add_garment(db, scene, "Modesty garments, both", None, ic)
    closedset.confirm_garment(db, scene, item["id"], who["Iris Novak"])
    closedset.confirm_garment(db, scene, item["id"], who["Cora Finch"])
    closedset.check_in(db, scene, boom, ad, photo_ack=True)
    closedset.close_set(db, scene, ad, off_roster_ok=[boom])
    for name in ("Ana Lopes", "Ben Okoro"):
        consent.confirm(db, scene, who[name], version)
        takes.good_to_go(db, scene, who[name], takes.current_take(db, scene["id"]), True)
    db.close()
    server = ServerProcess(show.path, tmp_path / "instance").start()
    show.server = server
    yield show
    server.stop()


def shown_date(iso: str) -> str:
    """A date as an English page shows it ("Nov 28, 2026")."""
    return format_date(date.fromisoformat(iso), "medium", locale="en")


def test_the_ic_adds_the_boom_operator_and_records_a_rider_and_the_scene_clears(
    almost_cleared, new_phone
):
    show, server = almost_cleared, almost_cleared.server
    bed = show.scenes["31"]
    ic = new_phone(show.tokens["Iris Novak"], server=server)
    ad = new_phone(show.tokens["Ade Mensah"], server=server)
    ic.goto(f"{server.url}/scenes/{bed}")
    ad.goto(f"{server.url}/scenes/{bed}")
    wait_online(ic)
    wait_online(ad)
    for phone in (ic, ad):
        expect(phone.locator(".badge")).to_have_text("✖ Not cleared")
        expect(phone.locator('[data-code="off_roster_present"]')).to_contain_text("Sonny Vale")
    expect(ic.locator('[data-code="rider_missing"]')).to_contain_text("Ana Lopes")

    ic.get_by_label("Add someone to the roster").select_option(label="Sonny Vale — Crew (sound)")
    ic.get_by_label("Purpose").fill("boom operator")
    ic.get_by_role("button", name="Add to the roster").click()

    expect(ic.locator(f"#roster-{bed} li", has_text="Sonny Vale")).to_contain_text(
        "boom operator", timeout=WAIT
    )
    expect(ad.locator('[data-code="off_roster_present"]')).to_have_count(0, timeout=WAIT)
    expect(ad.locator(f"#roster-{bed}")).to_contain_text("Sonny Vale", timeout=WAIT)

    ana = ic.locator(f"#riders-{bed} li", has_text="Ana Lopes")
    ana.get_by_label("Signed on").fill(show.day(-5))
    ana.get_by_role("button", name="Save dates").click()

    expect(ic.locator(f"#riders-{bed} li", has_text="Ana Lopes")).to_contain_text(
        f"rider signed · signed {shown_date(show.day(-5))}", timeout=WAIT
    )
    expect(ic.locator(".badge")).to_have_text("✔ Cleared to shoot", timeout=WAIT)
    expect(ad.locator(".badge")).to_have_text("✔ Cleared to shoot", timeout=WAIT)
    screenshot(ic, "roster-riders-ic-scene-cleared", full_page=True)
    assert axe_violations(ic, ["main"]) == []
    assert ic.errors == [] and ad.errors == []


def test_a_bad_date_is_shown_under_the_form_and_changes_nothing(almost_cleared, new_phone):
    show, server = almost_cleared, almost_cleared.server
    bed = show.scenes["31"]
    ic = new_phone(show.tokens["Iris Novak"], server=server)
    ic.goto(f"{server.url}/scenes/{bed}")
    ben = ic.locator(f"#riders-{bed} li", has_text="Ben Okoro")
    ben.get_by_label("Sent on").fill(show.day(-4))  # after he signed (day -6)
    ben.get_by_role("button", name="Save dates").click()
    expect(ben.locator(".form-error")).to_have_text(
        f"signed_on cannot be before sent_on ({show.day(-4)})", timeout=WAIT
    )
    ic.reload()
    expect(ic.locator(f"#riders-{bed} li", has_text="Ben Okoro")).not_to_contain_text("sent")


def test_the_off_roster_crew_member_is_told_on_their_phone(almost_cleared, new_phone):
    show, server = almost_cleared, almost_cleared.server
    bed = show.scenes["31"]
    gus = new_phone(show.tokens["Gus Hale"], viewport=SMALL_PHONE, server=server)
    gus.goto(f"{server.url}/scenes/{bed}/checkin")
    wait_online(gus)
    note = gus.locator(".off-roster-note")
    expect(note).to_have_text(
        "⚠ You are not on the closed-set roster for scene 31 — speak to the 1st AD."
    )
    expect(note).to_be_in_viewport(ratio=1)  # on the first screen, before any scrolling
    gus.get_by_label("I will take no photos or video").check()
    gus.get_by_role("button", name="Check me in").click()
    expect(gus.locator(".clearance-panel")).to_contain_text("You are checked in.", timeout=WAIT)
    expect(gus.locator(".off-roster-note")).to_be_visible()

    ad = new_phone(show.tokens["Ade Mensah"], server=server)
    ad.goto(f"{server.url}/scenes/{bed}")
    ad.get_by_role("button", name="Open the set again").click()
    expect(ad.locator(".off-roster-confirm")).to_contain_text("Gus Hale", timeout=WAIT)
    expect(ad.locator(".off-roster-confirm")).to_contain_text("Sonny Vale")

    ic = new_phone(show.tokens["Iris Novak"], server=server)
    ic.goto(f"{server.url}/scenes/{bed}")
    ic.get_by_label("Add someone to the roster").select_option(label="Gus Hale — Crew (grip)")
    ic.get_by_role("button", name="Add to the roster").click()
    expect(gus.locator(".off-roster-note")).to_have_count(0, timeout=WAIT)  # live, no reload
    screenshot(gus, "roster-riders-crew-checkin-320")
    assert gus.errors == [] and ad.errors == [] and ic.errors == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_scene_and_checkin_pages_fit_a_small_phone_in_every_language(
    almost_cleared, new_phone, locale
):
    show, server = almost_cleared, almost_cleared.server
    bed = show.scenes["31"]
    pages = [
        ("Iris Novak", f"/scenes/{bed}"),
        ("Ade Mensah", f"/scenes/{bed}"),
        ("Gus Hale", f"/scenes/{bed}/checkin"),
    ]
    for name, path in pages:
        page = new_phone(show.tokens[name], viewport=SMALL_PHONE, locale=locale, server=server)
        page.goto(server.url + path)
        wait_online(page)
        essentials = page.locator("details.essentials summary")
        if essentials.count():
            essentials.click()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= SMALL_PHONE["width"], f"{name} {path} {locale}: {wide}px wide"
        assert axe_violations(page, ["main"]) == [], f"{name} {path} {locale}"
        assert page.evaluate(SMALL_TARGETS) == [], f"{name} {path} {locale}"
        assert page.errors == []
        screenshot(page, f"roster-riders-{name.split()[0].lower()}-{locale}-320", full_page=True)
