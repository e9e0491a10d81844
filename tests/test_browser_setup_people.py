"""From an empty database in real headless Chromium, on a 320x568 phone: the setup link that
`ictool serve` prints opens "New production", which signs the producer in on their screen;
then the people page adds, edits and deactivates a person. Each page passes axe, fits the
screen, has thumb-sized targets and breaks no CSP rule."""

import re

import pytest
from browser import axe_violations, collect_errors, screenshot
from playwright.sync_api import expect
from serverproc import ServerProcess
from test_a11y import SMALL_TARGETS

SMALL_PHONE = {"width": 320, "height": 568}


@pytest.fixture
def empty_server(tmp_path):
    server = ServerProcess(tmp_path / "empty.db", tmp_path / "instance")
    server.start()
    yield server
    server.stop()


def _phone(chromium, locale="en-GB"):
    context = chromium.new_context(viewport=SMALL_PHONE, locale=locale)
    page = context.new_page()
    collect_errors(page)
    return context, page


def _fits(page, where: str) -> None:
    """axe-clean, no sideways scrolling at 320 px, every target at least 44 px."""
    assert axe_violations(page) == [], where
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= SMALL_PHONE["width"], f"{where}: {wide} px wide"
    assert page.evaluate(SMALL_TARGETS) == [], where


def test_setup_link_to_home_screen_then_add_edit_and_deactivate_a_person(chromium, empty_server):
    url = re.search(r"http://\S+/setup/\S+", empty_server.log.read_text()).group(0)
    link = url.replace(url.split("/setup/")[0], empty_server.url)  # the LAN address, here
    context, page = _phone(chromium)
    try:
        page.goto(empty_server.url + "/")
        expect(page.locator("main")).to_contain_text("holds no production yet")

        page.goto(link)
        expect(page.get_by_role("heading", name="New production")).to_be_visible()
        _fits(page, "new production")
        screenshot(page, "setup-new-production-320", full_page=True)
        page.get_by_label("Title").fill("Blue Hour")
        page.get_by_label("Production company").fill("Lark Films")
        page.get_by_label("Jurisdiction").select_option(label="Equity / Bectu (United Kingdom)")
        page.get_by_label("Time zone").fill("Europe/London")
        page.get_by_label("First shoot day").fill("2027-03-01")
        page.get_by_label("Last shoot day").fill("2027-02-01")  # a mistake first
        page.get_by_label("Date the intimacy coordinator was engaged").fill("2027-01-10")
        page.get_by_label("Your name").fill("Ruth Adeyemi")
        page.get_by_label("Your role").select_option("producer")
        page.get_by_role("button", name="Create the production").click()

        expect(page.get_by_role("alert")).to_have_text("the last shoot day is before the first")
        expect(page.get_by_label("Last shoot day")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Your name")).to_have_value("Ruth Adeyemi")  # nothing retyped
        page.get_by_label("Last shoot day").fill("2027-04-30")
        page.get_by_role("button", name="Create the production").click()

        expect(page).to_have_url(f"{empty_server.url}/producer")
        expect(page.locator(".who")).to_contain_text("Ruth Adeyemi")
        screenshot(page, "setup-producer-home-320")

        page.goto(f"{empty_server.url}/people")
        page.get_by_text("Add a person").click()
        _fits(page, "people")
        page.locator("#f-name").fill("Kenji Mori")
        page.locator("#f-role").select_option("crew")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("needs a department")
        page.locator("#f-department").fill("camera")
        page.get_by_role("button", name="Add", exact=True).click()

        expect(page.get_by_role("heading", name="Kenji Mori")).to_be_visible()
        expect(page.locator(".flash")).to_contain_text("Kenji Mori was added")
        _fits(page, "edit person")
        screenshot(page, "edit-person-320", full_page=True)
        page.locator("#f-name").fill("Kenji Mori-Tanaka")
        page.locator("#f-language").select_option("de")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Kenji Mori-Tanaka")).to_be_visible()

        page.get_by_role("button", name="Deactivate").click()
        expect(page.locator(".flash")).to_contain_text("their links no longer work")
        expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
        page.get_by_role("link", name="All people").click()
        expect(page.get_by_role("heading", name="Deactivated")).to_be_visible()
        _fits(page, "people with a deactivated person")
        screenshot(page, "people-page-320", full_page=True)

        page.get_by_role("link", name="Kenji Mori-Tanaka").click()
        for lang in ("fr", "de", "es", "sv"):  # longer words still fit the small phone
            page.locator("details.menu summary").click()  # the language is in the menu
            page.locator("#lang-select").select_option(lang)
            page.locator("form.lang button").click()
            expect(page.locator("html")).to_have_attribute("lang", lang)
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= SMALL_PHONE["width"], f"edit person in {lang}: {wide} px"
        assert page.errors == []
    finally:
        context.close()


def test_a_used_setup_link_says_who_used_it_in_french(chromium, empty_server):
    url = re.search(r"http://\S+/setup/\S+", empty_server.log.read_text()).group(0)
    link = url.replace(url.split("/setup/")[0], empty_server.url)
    first, page = _phone(chromium)
    second, other = _phone(chromium, locale="fr-FR")
    try:
        for lang in ("fr", "de", "es", "sv"):
            context, phone = _phone(chromium, locale=lang)
            phone.goto(link)  # looking does not use the link up
            wide = phone.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= SMALL_PHONE["width"], f"new production in {lang}: {wide} px"
            context.close()
        page.goto(link)
        page.get_by_label("Title").fill("Nuit bleue")
        page.get_by_label("Jurisdiction").select_option("france")
        page.get_by_label("Time zone").fill("Europe/Paris")
        page.get_by_label("First shoot day").fill("2027-03-01")
        page.get_by_label("Last shoot day").fill("2027-04-30")
        page.get_by_label("Your name").fill("Maya Okafor")
        page.get_by_label("Your role").select_option("coordinator")
        page.get_by_role("button", name="Create the production").click()
        expect(page).to_have_url(f"{empty_server.url}/ic")

        other.goto(link)
        expect(other.get_by_role("heading")).to_have_text("Ce lien de création a déjà été utilisé")
        expect(other.locator("main")).to_contain_text("Maya Okafor l'a utilisé le")
        _fits(other, "used setup link")
    finally:
        first.close()
        second.close()


def test_the_setup_and_people_pages_fit_a_small_phone_in_every_language(chromium, empty_server):
    url = re.search(r"http://\S+/setup/\S+", empty_server.log.read_text()).group(0)
    link = url.replace(url.split("/setup/")[0], empty_server.url)
    context, page = _phone(chromium)
    try:
        page.goto(link)
        page.get_by_label("Title").fill("Blue Hour")
        page.get_by_label("Jurisdiction").select_option(label="Equity / Bectu (United Kingdom)")
        page.get_by_label("Time zone").fill("Europe/London")
        page.get_by_label("First shoot day").fill("2027-03-01")
        page.get_by_label("Last shoot day").fill("2027-04-30")
        page.get_by_label("Your name").fill("Ruth Adeyemi")
        page.get_by_label("Your role").select_option("producer")
        page.get_by_role("button", name="Create the production").click()
        expect(page).to_have_url(f"{empty_server.url}/producer")
        page.goto(f"{empty_server.url}/people")
        page.get_by_text("Add a person").click()
        page.locator("#f-name").fill("Kenji Mori")
        page.locator("#f-role").select_option("performer")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("heading", name="Kenji Mori")).to_be_visible()
        edit = page.url.removeprefix(empty_server.url)  # the person's own page
        for lang in ("en", "fr", "de", "es", "sv"):
            token = page.locator('meta[name="csrf-token"]').get_attribute("content")
            sent = page.request.post(
                f"{empty_server.url}/language",
                form={"lang": lang, "next": "/people", "csrf_token": token},
            )
            assert sent.ok, lang
            page.goto(f"{empty_server.url}/people")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            _fits(page, f"people in {lang}")
            page.goto(f"{empty_server.url}{edit}")
            _fits(page, f"a person's page in {lang}")
        assert page.errors == []
    finally:
        context.close()
