"""The IC's and the producer's phones keep the audit log's latest signed checkpoint: the
"Record" line shows it to copy, and warns when the phone saw a longer record than the server
now shows (issue 16: the record is witnessed)."""

from browser import axe_violations, screenshot
from playwright.sync_api import expect

SMALL = {"width": 320, "height": 568}


def test_the_ics_phone_keeps_the_latest_record_and_notices_a_shorter_one(live, new_phone):
    page = new_phone(live.people["Maya Okafor"]["token"], viewport=SMALL)
    record = page.locator("[data-record]")
    served = record.get_attribute("data-checkpoint")
    assert served.startswith("ictool-record-v1:")
    expect(record.locator("[data-record-value]")).to_have_value(served)
    assert page.evaluate("localStorage.getItem('ictool.record')") == served
    assert axe_violations(page, [".record-line"]) == []
    record.get_by_role("button", name="Copy").click()
    expect(record.locator("[data-record-note]")).to_have_text("Copied")
    screenshot(page, "record-line-ic-320")

    _prefix, entries, head, at, mac = served.split(":")
    longer = ":".join(["ictool-record-v1", str(int(entries) + 500), head, at, mac])
    page.evaluate(f"localStorage.setItem('ictool.record', '{longer}')")  # seen before a cut
    page.reload()
    expect(record.locator("[data-record-value]")).to_have_value(longer)
    expect(record.locator("[data-record-note]")).to_contain_text(
        f"longer record ({int(entries) + 500} entries)"
    )
    assert page.evaluate("localStorage.getItem('ictool.record')") == longer
    assert page.errors == []


def test_the_producers_phone_keeps_the_record_too(live, new_phone):
    page = new_phone(live.people["Ruth Adeyemi"]["token"])
    page.goto(f"{live.url}/producer")
    served = page.locator("[data-record]").get_attribute("data-checkpoint")
    assert page.evaluate("localStorage.getItem('ictool.record')") == served
    assert axe_violations(page, [".record-line"]) == []
    assert page.errors == []
