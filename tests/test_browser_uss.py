"""The USS import page in real headless Chromium against a real server: the 2nd AD uploads
the production's .uss file, picks one of its stripboards, sees every scene with the words
that suggest intimacy highlighted, marks the intimacy level and closed set before anything
is written, and applies; the preview fits a 320x568 phone in all five languages and passes
axe."""

import pytest
import uss_fixtures as uss
from browser import axe_violations, screenshot
from playwright.sync_api import expect
from serverproc import ServerProcess
from test_a11y import SMALL_TARGETS

from ictool import people, productions, scenes
from ictool.db import connect

SMALL = {"width": 320, "height": 568}


@pytest.fixture
def show(tmp_path):
    """A real server on a database holding one empty production and its team."""
    db_path = tmp_path / "show.db"
    db = connect(str(db_path))
    pid = productions.create(
        db,
        "Harbour Lights",
        "equity_uk",
        starts_on="2027-03-01",
        ends_on="2027-03-31",
        timezone="Europe/London",
    )
    tokens = {}
    for name, role in [("Sol Ortega", "second_ad"), ("Maya Okafor", "coordinator")]:
        tokens[name] = people.issue_token(db, people.add(db, pid, name, role))
    db.close()
    server = ServerProcess(db_path, tmp_path / "instance")
    server.tokens, server.db_path, server.pid = tokens, db_path, pid
    server.start()
    yield server
    server.stop()


def _upload(page, show, doc: dict) -> None:
    page.goto(f"{show.url}/producer/import")
    page.locator("input[type=file]").set_input_files(
        {"name": "harbour.uss", "mimeType": "application/json", "buffer": uss.dumps(doc)}
    )
    page.locator("form[enctype] button[type=submit]").click()


def test_the_2nd_ad_picks_a_stripboard_marks_intimacy_and_applies(show, new_phone):
    ad = new_phone(show.tokens["Sol Ortega"], server=show)
    _upload(ad, show, uss.two_boards())
    preview = ad.locator("#import-preview")
    expect(preview).to_contain_text("New scene 40 on 2027-03-08")
    ad.get_by_label("Stripboard", exact=True).select_option(label="Script order")
    ad.get_by_role("button", name="Show this choice").click()
    expect(preview).to_contain_text("New scene 40 on 2027-03-22")
    bed = ad.locator("#uss-scenes li", has_text="Scene 40")
    expect(bed).to_have_class("uss-scene suggested")
    expect(bed.locator(".uss-suggest")).to_have_text("May be intimate: bed, undress")
    expect(ad.locator("#uss-scenes li", has_text="Scene 12")).to_have_class("uss-scene")
    expect(preview).to_contain_text("Background performer Pier crowd")  # issue 13's role
    assert axe_violations(ad, ["#import-preview"]) == []
    bed.get_by_label("Intimacy").select_option(label="Simulated sex")
    kiss = ad.locator("#uss-scenes li", has_text="Scene 32")
    kiss.get_by_label("Intimacy").select_option(label="Kiss")
    kiss.get_by_label("Closed set").select_option(label="yes")
    ad.get_by_role("button", name="Apply these changes").click()
    expect(ad.locator("#imported")).to_contain_text("New scenes: 4, new days: 2")
    db = connect(str(show.db_path))
    now = {s["number"]: s for s in scenes.of_production(db, show.pid)}
    assert (now["40"]["intimacy"], now["40"]["closed_set"]) == ("simulated_sex", 1)
    assert (now["32"]["intimacy"], now["32"]["closed_set"]) == ("kiss", 1)
    assert (now["41"]["intimacy"], now["41"]["closed_set"]) == ("none", 0), "never on its own"
    assert [d["date"] for d in scenes.days(db, show.pid)] == ["2027-03-18", "2027-03-22"]
    db.close()
    assert ad.errors == []


def test_a_file_that_cannot_be_read_names_the_json_path(show, new_phone):
    ad = new_phone(show.tokens["Sol Ortega"], server=show)
    broken = uss.small()
    broken["universalScheduleStandard"]["breakdowns"][1]["scene"] = ["40"]
    _upload(ad, show, broken)
    errors = ad.locator("#import-errors")
    expect(errors).to_contain_text("breakdowns[1].scene")
    expect(errors).to_contain_text("expected a scene number as text")
    assert axe_violations(ad) == []


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "sv"])
def test_the_uss_preview_fits_a_small_phone(show, new_phone, lang):
    ad = new_phone(show.tokens["Sol Ortega"], viewport=SMALL, locale=lang, server=show)
    assert ad.evaluate("document.documentElement.lang") == lang
    _upload(ad, show, uss.two_boards())
    expect(ad.locator("#uss-scenes li")).to_have_count(4)
    assert ad.evaluate("document.documentElement.scrollWidth") <= SMALL["width"]
    screenshot(ad, f"uss-preview-{lang}-320", full_page=True)
    if lang == "en":
        assert axe_violations(ad) == []
        assert ad.evaluate(SMALL_TARGETS) == []
    ad.locator("#apply-form button[type=submit]").click()
    expect(ad.locator("#imported")).to_be_visible()
    ad.goto(f"{show.url}/schedule")
    expect(ad.locator("#scene-1 .sched-setting")).to_have_text("INT. SEAFRONT FLAT - NIGHT")
    assert ad.evaluate("document.documentElement.scrollWidth") <= SMALL["width"]
    assert ad.errors == []
