"""Words and clocks in the reader's language: roster roles are stored as codes and shown
translated, shoot days and times go through the locale (24-hour clocks where the language
uses them), and an older database's English roster roles become codes."""

import html as markup
import re

import pytest
from babel.support import Translations
from conftest import csrf

from ictool import migrations, scenes
from ictool.i18n import LANGUAGES, ROLE_LABELS

CATALOGUES = "ictool/translations"


def _as(login, name: str, lang: str):
    phone = login(name)
    sent = phone.post("/language", data={"lang": lang, "next": "/home", "csrf_token": csrf(phone)})
    assert sent.status_code == 302
    return phone


def _roster_line(html: str, name: str) -> str:
    found = re.search(rf"{re.escape(name)} <span class=\"muted\">— ([^<]+)</span>", html)
    assert found, name
    return markup.unescape(found.group(1)).split(" · ")[0]  # the role, before "always on…"


def test_roster_roles_are_stored_as_codes(db):
    bed = next(db["scenes"].rows_where("number = ?", ["15"]))
    purposes = {r["name"]: r["purpose"] for r in scenes.roster(db, bed["id"])}
    assert purposes["Maya Okafor"] == "coordinator" and purposes["Tom Brennan"] == "first_ad"
    assert purposes["Alex Rivera"] == "performer"
    assert purposes["Kenji Mori"] == "camera operator"  # a person's own words stay


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_ic_reads_roster_roles_in_her_language(login, lang):
    html = _as(login, "Maya Okafor", lang).get("/ic").get_data(as_text=True)
    words = Translations.load(CATALOGUES, [lang])
    for name, code in (("Maya Okafor", "coordinator"), ("Tom Brennan", "first_ad")):
        expected = words.gettext(str(ROLE_LABELS[code]._args[0]))
        assert _roster_line(html, name) == expected
    assert _roster_line(html, "Alex Rivera") == words.gettext("Performer")
    if lang != "en":
        assert "intimacy coordinator" not in html.lower()


@pytest.mark.parametrize(
    ("lang", "clock"),
    [("en", r"7:30\sAM"), ("fr", "07:30"), ("de", "07:30"), ("es", "7:30"), ("sv", "07:30")],
)
def test_call_times_read_as_the_languages_clock(login, lang, clock):
    html = _as(login, "Maya Okafor", lang).get("/ic").get_data(as_text=True)
    call = re.search(r'<p class="call">([^<]+)</p>', html).group(1)
    assert re.search(clock, call), call
    if lang != "en":
        assert not re.search(r"\b(AM|PM)\b", html)


def test_an_older_database_gets_role_codes_and_keeps_own_words(db):
    bed = next(db["scenes"].rows_where("number = ?", ["15"]))["id"]
    ids = {r["name"]: r["id"] for r in scenes.roster(db, bed)}
    for name, old in (("Maya Okafor", "intimacy coordinator"), ("Tom Brennan", "1st AD")):
        db.execute(
            "UPDATE scene_roster SET purpose = ? WHERE scene_id = ? AND person_id = ?",
            [old, bed, ids[name]],
        )
    migrations.ui_glance_roster_role_codes(db)
    purposes = {r["name"]: r["purpose"] for r in scenes.roster(db, bed)}
    assert purposes["Maya Okafor"] == "coordinator" and purposes["Tom Brennan"] == "first_ad"
    assert purposes["Marta Nowak"] == "costume, modesty garments"
