"""Scene clearance in real headless Chromium against a real server: a performer agrees on
their phone and the 1st AD's board changes without a reload; a withdrawal in one tap
un-clears the scene on the AD's screen; the panels pass axe and break no CSP rule."""

from browser import axe_violations, screenshot, wait_online
from playwright.sync_api import expect

WAIT = 15_000  # ms: an upper bound for a live update; nothing here measures time


def test_consent_and_withdrawal_on_phones_update_the_ads_board_live(live, new_phone):
    ad = new_phone(live.people["Tom Brennan"]["token"])
    alex = new_phone(live.people["Alex Rivera"]["token"])
    wait_online(ad)
    wait_online(alex)
    ad_scene = ad.locator("article.scene", has_text="Scene 15")
    expect(ad_scene.locator(".badge")).to_have_text("✖ Not cleared")
    expect(ad_scene.locator(".states")).to_contain_text("Alex Rivera: … has not agreed yet")

    alex_scene = alex.locator("article.scene", has_text="Scene 15")
    expect(alex_scene.locator(".diff li").first).to_contain_text("New:")
    screenshot(alex, "clearance-performer-consent-phone")
    alex_scene.get_by_role("button", name="I agree to version 1").click()

    expect(alex_scene).to_contain_text("You agreed to version 1", timeout=WAIT)
    expect(ad_scene.locator(".states")).to_contain_text(
        "Alex Rivera: ✔ agreed to version 1", timeout=WAIT
    )
    screenshot(ad, "clearance-ad-board-phone")
    assert axe_violations(ad, ["article.scene .clearance-panel"]) == []
    assert axe_violations(alex, ["article.scene .clearance-panel"]) == []

    alex_scene.get_by_role("button", name="Withdraw my consent").click()

    expect(ad.get_by_role("alertdialog")).to_be_visible(timeout=WAIT)
    expect(ad_scene.locator('[data-code="consent_withdrawn"]')).to_contain_text(
        "Consent withdrawn: Alex Rivera.", timeout=WAIT
    )
    expect(alex_scene).to_contain_text("You withdrew your consent", timeout=WAIT)
    assert ad.errors == [] and alex.errors == []


def test_an_off_roster_check_in_is_flagged_on_the_ics_screen(live, new_phone):
    ic = new_phone(live.people["Maya Okafor"]["token"])
    dev = new_phone(live.people["Dev Malhotra"]["token"])
    wait_online(ic)
    scene_link = ic.locator("article.scene", has_text="Scene 15").get_by_role("link").first
    scene_id = scene_link.get_attribute("href").rsplit("/", 1)[1]
    dev.goto(f"{live.url}/scenes/{scene_id}/checkin")
    dev.get_by_label("I will take no photos or video").check()
    dev.get_by_role("button", name="Check me in").click()
    expect(dev.locator(".clearance-panel")).to_contain_text("You are checked in.", timeout=WAIT)

    expect(ic.locator("#clearance-flags")).to_contain_text(
        "Dev Malhotra checked in to scene 15 but is not on the roster.", timeout=WAIT
    )
    expect(
        ic.locator("article.scene", has_text="Scene 15").locator('[data-code="off_roster_present"]')
    ).to_contain_text("Dev Malhotra", timeout=WAIT)
    screenshot(dev, "clearance-crew-checkin-phone")
    assert axe_violations(dev, [".clearance-panel"]) == []
    assert ic.errors == [] and dev.errors == []


def test_the_ic_edits_the_blocking_and_the_performer_sees_what_changed(live, new_phone):
    ic = new_phone(live.people["Maya Okafor"]["token"])
    sam = new_phone(live.people["Sam Lindqvist"]["token"])
    wait_online(sam)
    sam_scene = sam.locator("article.scene", has_text="Scene 15")
    sam_scene.get_by_role("button", name="I agree to version 1").click()
    expect(sam_scene).to_contain_text("You agreed to version 1", timeout=WAIT)
    link = ic.locator("article.scene", has_text="Scene 15").get_by_role("link").first
    ic.goto(live.url + link.get_attribute("href"))
    beats = ic.get_by_label("Beats")
    beats.fill(beats.input_value() + "\nSam rests a hand on Alex's chest; no kiss.")
    ic.get_by_role("button", name="Save as a new version").click()
    expect(ic.locator("#blocking-diff")).to_contain_text("Version 1 → version 2", timeout=WAIT)
    expect(ic.locator("#blocking-diff .diff-added")).to_contain_text("no kiss")

    expect(sam_scene.get_by_role("button", name="I agree to version 2")).to_be_visible(timeout=WAIT)
    expect(sam_scene.locator(".diff-added")).to_have_text(
        ["+ New: Sam rests a hand on Alex's chest; no kiss."]
    )
    screenshot(ic, "clearance-ic-scene-page-phone", full_page=True)
    assert axe_violations(ic, ["main"]) == []
    assert ic.errors == [] and sam.errors == []
