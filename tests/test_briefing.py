"""The crew briefing: in every shipped language, acknowledged by each department head."""

import re
from pathlib import Path

import pytest
from babel.support import Translations
from browser import axe_violations, screenshot, wait_online
from conftest import csrf
from playwright.sync_api import expect

from ictool import briefing, productions
from ictool.i18n import LANGUAGES

CATALOGUES = Path(__file__).resolve().parent.parent / "ictool" / "translations"


def test_the_briefing_is_written_in_every_shipped_language(app):
    with app.test_request_context():
        english = briefing.text("en")
        for code in LANGUAGES:
            text = briefing.text(code)
            assert text["language"] == code and text["version"] == briefing.VERSION
            assert len(text["points"]) == len(english["points"]) == 6
            assert text["title"] and text["acknowledge"]
            assert "ictool" in " ".join(text["points"])
            if code != "en":  # each point translated, none left in English
                assert all(a != b for a, b in zip(text["points"], english["points"], strict=True))
                assert text["title"] != english["title"]
        assert briefing.text("xx")["language"] == "en"


def test_the_producer_sees_who_has_and_has_not_acknowledged_with_times(db, person):
    pid = productions.first(db)["id"]
    status = briefing.status(db, pid)
    assert {p["name"] for p in status} == {
        "Kenji Mori",
        "Ellie Hart",
        "Marta Nowak",
        "Chloe Dubois",
        "Dev Malhotra",
    }
    assert all(p["acknowledged_at"] is None for p in status)
    first = briefing.acknowledge(db, person("Kenji Mori"), "sv")
    again = briefing.acknowledge(db, person("Kenji Mori"), "en")
    assert again["acknowledged_at"] == first["acknowledged_at"] and again["language"] == "sv"
    status = briefing.status(db, pid)
    assert status[-1]["name"] == "Kenji Mori" and status[-1]["acknowledged_at"]
    assert [p["acknowledged_at"] for p in status[:-1]] == [None] * 4


def test_performers_do_not_acknowledge_the_crew_briefing(db, person):
    with pytest.raises(PermissionError):
        briefing.acknowledge(db, person("Alex Rivera"), "en")


def test_a_department_head_acknowledges_over_http_and_the_producer_sees_it(login):
    kenji, producer = login("Kenji Mori"), login("Ruth Adeyemi")
    assert "Read and acknowledge" in kenji.get("/crew").get_data(as_text=True)
    text = kenji.get("/api/briefing?lang=de").get_json()
    assert text["language"] == "de" and text["acknowledged_at"] is None
    ack = kenji.post(
        "/api/briefing/ack", json={"language": "de"}, headers={"X-CSRF-Token": csrf(kenji)}
    )
    assert ack.status_code == 200 and ack.get_json()["version"] == briefing.VERSION
    assert "You have acknowledged the briefing" in kenji.get("/crew").get_data(as_text=True)
    people = producer.get("/api/briefing/status").get_json()["people"]
    kenji_row = next(p for p in people if p["name"] == "Kenji Mori")
    assert kenji_row["acknowledged_at"] == ack.get_json()["acknowledged_at"]
    assert kenji_row["language"] == "de"
    assert "Kenji Mori" in producer.get("/producer/briefing").get_data(as_text=True)
    assert kenji.get("/api/briefing/status").status_code == 403
    assert login("Alex Rivera").get("/briefing").status_code == 403


def test_a_crew_phone_reads_the_briefing_in_swedish_and_the_producer_sees_it_live(live, new_phone):
    producer = new_phone(live.people["Ruth Adeyemi"]["token"])
    producer.goto(f"{live.url}/producer/briefing")
    wait_online(producer)
    row = producer.locator(f"#ack-{live.people['Kenji Mori']['id']}")
    expect(row).to_contain_text("not yet")
    producer.evaluate("window.sameDocument = true")
    kenji = new_phone(live.people["Kenji Mori"]["token"], locale="sv-SE")
    swedish = Translations.load(str(CATALOGUES), ["sv"])
    kenji.get_by_role("link", name=swedish.gettext("Read and acknowledge")).click()
    title = swedish.gettext(str(briefing.ENGLISH["title"]._args[0]))
    expect(kenji.get_by_role("heading", level=1)).to_have_text(title)
    assert axe_violations(kenji) == []
    screenshot(kenji, "briefing-crew-phone-sv")
    ack = swedish.gettext(str(briefing.ENGLISH["acknowledge"]._args[0]))
    kenji.get_by_role("button", name=ack).click()
    expect(kenji.locator("#acknowledged")).to_be_visible()
    stamp = re.compile(r"^\d{4}-")  # shown in the page's language; the ISO time underneath
    expect(row.locator("time")).to_have_attribute("datetime", stamp, timeout=15_000)
    assert producer.evaluate("window.sameDocument") is True, "updated live, not reloaded"
    expect(producer.locator(f"#ack-{live.people['Ellie Hart']['id']}")).to_contain_text("not yet")
    assert axe_violations(producer) == []
    screenshot(producer, "briefing-producer-status")
    assert kenji.errors == [] and producer.errors == []
