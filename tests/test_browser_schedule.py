"""The schedule in real headless Chromium against a real server, on a production that started
empty: the producer imports a call sheet after seeing its preview, moves and edits a scene on
the Schedule page while the IC's dashboard follows without a reload, then applies a revised
(semicolon-separated) sheet after its preview; the pages fit a 320x568 phone in all five
languages and pass axe."""

import csv
import io

import pytest
from browser import axe_violations, screenshot, wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess
from test_a11y import SMALL_TARGETS

from ictool import people, productions
from ictool.db import connect

WAIT = 15_000
SMALL = {"width": 320, "height": 568}
BOTH = "Nadia Haddad;Ben Carter"
SAMPLE_ROWS = [
    ["date", "call_time", "location", "scene", "description", "intimacy", "closed_set", "cast"],
    ["2027-03-08", "07:00", "Studio 1", "31", "Office, day.", "none", "no", "Nadia Haddad"],
    ["2027-03-08", "07:00", "Studio 1", "32", "Stairwell kiss.", "kiss", "no", BOTH],
    ["2027-03-09", "06:30", "Seafront flat", "40", "Bedroom, night.", "simulated_sex", "yes", BOTH],
]  # fmt: skip


def sheet(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture
def show(tmp_path):
    """A real server on a database holding one empty production and its team."""
    db_path = tmp_path / "show.db"
    db = connect(str(db_path))
    pid = productions.create(
        db, "Harbour Lights", "equity_uk", starts_on="2027-03-01", ends_on="2027-03-31"
    )
    tokens = {}
    for name, role in [
        ("Ruth Adeyemi", "producer"),
        ("Maya Okafor", "coordinator"),
        ("Tom Brennan", "first_ad"),
    ]:
        tokens[name] = people.issue_token(db, people.add(db, pid, name, role))
    db.close()
    server = ServerProcess(db_path, tmp_path / "instance")
    server.tokens = tokens
    server.start()
    yield server
    server.stop()


def _upload(page, path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def test_import_preview_then_edit_move_and_a_revised_sheet_reach_the_ic_live(
    show, new_phone, tmp_path
):
    producer = new_phone(show.tokens["Ruth Adeyemi"], server=show)
    producer.goto(f"{show.url}/producer/import")
    _upload(producer, tmp_path / "v1.csv", sheet(SAMPLE_ROWS))
    preview = producer.locator("#import-preview")
    expect(preview).to_contain_text("New scene 40 on 2027-03-09")
    expect(preview).to_contain_text("New performer Ben Carter")
    assert axe_violations(producer, ["#import-preview"]) == []
    producer.get_by_role("button", name="Apply these changes").click()
    expect(producer.locator("#imported")).to_contain_text("New scenes: 3, new days: 2")

    ic = new_phone(show.tokens["Maya Okafor"], server=show)
    wait_online(ic)
    expect(ic.locator("article.scene")).to_have_count(2)  # the 8th: scenes 31 and 32
    ic.evaluate("window.__sameDocument = true")

    producer.goto(f"{show.url}/schedule")
    bed = producer.locator("#schedule-days li.sched-scene", has_text="Scene 40")
    bed.get_by_label("Move to").select_option(label="2027-03-08")
    bed.get_by_role("button", name="Move", exact=True).click()
    expect(producer.locator(".flash-ok")).to_have_text("Scene 40 moved.")
    expect(ic.locator("article.scene", has_text="Scene 40")).to_be_visible(timeout=WAIT)

    kiss = producer.locator("#schedule-days li.sched-scene", has_text="Scene 32")
    kiss.get_by_text("Edit scene 32").click()
    kiss.get_by_label("Description").fill("Stairwell kiss, rewritten.")
    kiss.get_by_role("button", name="Save").click()
    expect(producer.locator(".flash-ok")).to_have_text("Scene 32 saved.")
    expect(ic.locator("article.scene", has_text="Scene 32")).to_contain_text(
        "Stairwell kiss, rewritten.", timeout=WAIT
    )
    screenshot(producer, "schedule-producer-phone")
    assert axe_violations(producer) == []

    revised = [r[:] for r in SAMPLE_ROWS if r[3] != "31"]
    revised[1][0:3] = ["2027-03-09", "06:30", "Seafront flat"]  # 32 moves to the 9th
    producer.goto(f"{show.url}/producer/import")
    _upload(producer, tmp_path / "v2.csv", sheet(revised, ";"))
    preview = producer.locator("#import-preview")
    expect(preview).to_contain_text("Scene 32 moves from 2027-03-08 to 2027-03-09")
    expect(preview).to_contain_text("Scene 40 moves from 2027-03-08 to 2027-03-09")
    expect(preview.locator("#missing-scenes")).to_contain_text("Scene 31 on 2027-03-08")
    screenshot(producer, "schedule-import-preview-phone", full_page=True)
    producer.get_by_label("Also remove the scenes not in this file").check()
    producer.get_by_role("button", name="Apply these changes").click()
    expect(producer.locator("#imported")).to_contain_text("moved: 2, removed: 1.")

    expect(ic.locator("article.scene")).to_have_count(0, timeout=WAIT)
    assert ic.evaluate("window.__sameDocument") is True, "updated in place, not reloaded"
    assert producer.errors == [] and ic.errors == []


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "sv"])
def test_the_schedule_page_fits_a_small_phone(show, new_phone, lang):
    producer = new_phone(show.tokens["Ruth Adeyemi"], server=show)
    producer.goto(f"{show.url}/producer/import")
    producer.locator("input[type=file]").set_input_files(
        {"name": "v1.csv", "mimeType": "text/csv", "buffer": sheet(SAMPLE_ROWS).encode()}
    )
    producer.locator("form[enctype] button[type=submit]").click()
    producer.locator("#import-preview form button[type=submit]").click()
    expect(producer.locator("#imported")).to_be_visible()
    ad = new_phone(show.tokens["Tom Brennan"], viewport=SMALL, locale=lang, server=show)
    assert ad.evaluate("document.documentElement.lang") == lang
    ad.goto(f"{show.url}/schedule")
    assert ad.locator("#day-1").is_visible() and ad.locator("li.sched-scene").count() == 3
    for summary in ad.locator("details > summary").all():
        summary.click()  # every form open: the widest the page gets
    assert ad.evaluate("document.documentElement.scrollWidth") <= SMALL["width"]
    screenshot(ad, f"schedule-{lang}-320", full_page=True)
    if lang == "en":  # every form open: axe, and targets a thumb can hit
        assert axe_violations(ad) == []
        assert ad.evaluate(SMALL_TARGETS) == []
    ad.goto(f"{show.url}/producer/import")
    assert ad.locator("input[type=file]").is_visible()
    assert ad.evaluate("document.documentElement.scrollWidth") <= SMALL["width"]
    assert ad.errors == []
