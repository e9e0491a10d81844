"""Languages: every screen of every role in French, German, Spanish and Swedish, with no
English left in it, and catalogues whose translations keep every placeholder.

The check renders each page in English and in the language, and looks at every piece of
text a person can see or hear (text, aria-label, title, placeholder, alt, and the words a
page keeps for its scripts). A piece that is the same in both, once the production's own
data (names, scene descriptions, places, dates) and numbers are taken out, is English left
untranslated. So a string someone forgot to wrap in `_()` fails the test too.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import csrf

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ictool" / "translations"
LANGUAGES = ["fr", "de", "es", "sv"]
ROLES = [
    "Maya Okafor",
    "Tom Brennan",
    "Priya Shah",
    "Lena Voss",
    "Sam Lindqvist",
    "Ruth Adeyemi",
    "Kenji Mori",
]
EXTRA_PAGES = ["/ca", "/offline", "/no-such-page"]
ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-template", "aria-description"}
SKIPPED_TAGS = {"script", "style", "code", "option"}  # code: commands; option: language names
# Words that are the same in English and in at least one of our languages.
SAME_EVERYWHERE = {
    "ictool",
    "ok",
    "id",
    "ad",
    "ic",
    "sha",
    "pem",
    "crt",
    "https",
    "http",
    "ios",
    "android",
    "iphone",
    "ipad",
    "qr",
    "csv",
    "ical",
    "ics",
    "json",
    "wi",
    "fi",
    "pdf",
    "api",
}
# Words a language spells as English does (a French "Note", a German "Pause").
SAME_IN = {
    "fr": {"budget", "date", "menu", "message", "note", "pause", "intact", "monitor", "performer"}
    | {"description"},
    "de": {"budget", "pause", "offline", "online", "monitor", "name", "problem", "start", "team"},
    "es": {"monitor", "no", "vale"},
    "sv": {"budget", "start", "problem", "monitor", "status"},
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


class _Text(HTMLParser):
    """Every piece of text a person can see or hear on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        for name, value in attrs:
            shown = name in ATTRIBUTES or (name == "value" and ("type", "submit") in attrs)
            if shown and value:
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.pieces.append(data)


def _pieces(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return {" ".join(p.split()) for p in parser.pieces}


def _data_strings(db_path: str) -> list[str]:
    """Every text the production itself holds (names, titles, scene texts), longest first."""
    conn = sqlite3.connect(db_path)
    found: set[str] = set()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608  our own table names
            for value in row:
                found.update(_texts(value))
    conn.close()
    return sorted(found, key=len, reverse=True)


def _texts(value: object) -> set[str]:
    """The strings inside a column value: itself, its lines, or those of the JSON it holds."""
    if not isinstance(value, str) or not value.strip():
        return set()
    if value.lstrip().startswith(("[", "{")):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, list | dict):
            items = parsed.values() if isinstance(parsed, dict) else parsed
            return {text for item in items for text in _texts(item)}
    return {value.strip(), *(line.strip() for line in value.splitlines() if line.strip())}


def _english_words(piece: str, data: list[str], lang: str) -> list[str]:
    """The words of a piece that are neither the production's data nor shared by languages."""
    for value in data:
        if len(value) > 1 and value in piece:
            piece = piece.replace(value, " ")
    piece = re.sub(r"\{\w+\}", " ", piece)  # a script's placeholder, like {role}
    words = re.findall(r"[^\W\d_]{2,}", piece)
    same = SAME_EVERYWHERE | SAME_IN[lang]
    return [w for w in words if w.lower() not in same]


def _pages(client, html: str) -> list[str]:
    """The screens a page links to (its own site, no sign-out, no downloads)."""
    out = []
    for href in re.findall(r'href="(/[^"#]*)"', html):
        path = href.split("?", 1)[0]
        if path.startswith(("/join/", "/static/", "/signout")) or "." in path.rsplit("/", 1)[-1]:
            continue
        if href not in out:
            out.append(href)
    return out


def _screens(client, home: str) -> dict[str, str]:
    """Every page a person reaches from their home screen, one click deep, as HTML."""
    first = client.get(home)
    pages = {home: first.get_data(as_text=True)}
    for href in _pages(client, pages[home]):
        if href not in pages:
            response = client.get(href)
            if response.status_code < 400 and response.mimetype == "text/html":
                pages[href] = response.get_data(as_text=True)
    for extra in EXTRA_PAGES:
        pages[extra] = client.get(extra).get_data(as_text=True)
    return pages


def _set_language(client, lang: str) -> None:
    response = client.post(
        "/language", data={"lang": lang, "next": "/home", "csrf_token": csrf(client)}
    )
    assert response.status_code == 302


def _qr_page(client, db) -> str | None:
    """The IC's QR join-code page (a POST), when this person may show codes."""
    person_id = db.execute("SELECT id FROM people ORDER BY id LIMIT 1").fetchone()[0]
    response = client.post(f"/people/{person_id}/link", data={"csrf_token": csrf(client)})
    return response.get_data(as_text=True) if response.status_code == 200 else None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_translates_every_string_keeping_its_placeholders(lang: str) -> None:
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f, locale=lang)
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = read_po(f)
    missing, broken = [], []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id[0] if isinstance(message.id, tuple) else message.id)
        strings = found.string if found else None
        empty = not strings or (isinstance(strings, tuple) and "" in strings)
        if not found or empty or found.fuzzy:
            missing.append(message.id)
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = {m for i in ids for m in PLACEHOLDER.findall(i)}
        for string in strings if isinstance(strings, tuple) else (strings,):
            if {m for m in PLACEHOLDER.findall(string)} != wanted:
                broken.append((message.id, string))
    assert missing == [], f"{len(missing)} untranslated in {lang}"
    assert broken == []
    assert (path.with_suffix(".mo")).is_file(), "run tools/i18n.sh compile"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_roles_screens_have_no_english_left(app, login, db, lang: str) -> None:
    data = _data_strings(app.config["DB"])
    left: dict[str, set[str]] = {}
    for name in ROLES:
        phone = login(name)  # the language is kept on the person: English first, then theirs
        _set_language(phone, "en")
        home = phone.get("/home").headers["Location"]
        en_pages, en_qr = _screens(phone, home), _qr_page(phone, db)
        _set_language(phone, lang)
        local_pages, local_qr = _screens(phone, home), _qr_page(phone, db)
        if en_qr and local_qr:
            en_pages["qr"], local_pages["qr"] = en_qr, local_qr
        for url, html in local_pages.items():
            assert f'<html lang="{lang}"' in html, url
            same = _pieces(html) & _pieces(en_pages.get(url, ""))
            for piece in same:
                if _english_words(piece, data, lang):
                    left.setdefault(f"{name} {url}", set()).add(piece)
    every = sorted({piece for pieces in left.values() for piece in pieces})
    assert not every, "English left on {} pages:\n{}".format(len(left), "\n".join(every))


def test_the_language_is_remembered_on_the_person_not_the_phone(app, login, person) -> None:
    phone = login("Sam Lindqvist")
    _set_language(phone, "sv")

    other_phone = login("Sam Lindqvist")  # the same person signs in on another device

    page = other_phone.get("/me").get_data(as_text=True)
    assert '<html lang="sv"' in page
    assert person("Sam Lindqvist")["language"] == "sv"


def test_an_installed_copy_speaks_french_with_no_build_step(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip"]
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheel_dir)]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True)
    wheel = next(wheel_dir.glob("ictool-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for lang in LANGUAGES:
        assert f"ictool/translations/{lang}/LC_MESSAGES/messages.mo" in names
    install = [*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)]
    subprocess.run(install, check=True, capture_output=True)

    script = (
        "import ictool, sys\n"
        "app = ictool.create_app({'TESTING': True, 'DB': sys.argv[1], 'SECRET_KEY': 'x'},"
        " instance_path=sys.argv[2])\n"
        "page = app.test_client().get('/', headers={'Accept-Language': 'fr'})\n"
        "print(ictool.__file__)\n"
        "print(page.get_data(as_text=True))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "t.db"), str(tmp_path / "i")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith(str(target))
    assert "Bienvenue dans ictool" in out.stdout
