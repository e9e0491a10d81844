"""Accessibility and set mode on every screen of every role, in headless Chromium.

axe-core (vendored, WCAG 2.0/2.1/2.2 A and AA rules) must find nothing; every button, select,
input and button-like link is at least 44 px square (WCAG 2.5.5 AAA, the size a thumb needs
in the dark); and the page is dark before its stylesheet arrives, so no white flash.
"""

from __future__ import annotations

import struct
import zlib
from urllib.parse import urlsplit

import pytest
from browser import PHONE, axe_violations, wait_online
from serverproc import ServerProcess, demo_database

ROLES = [
    "Maya Okafor",
    "Tom Brennan",
    "Priya Shah",
    "Lena Voss",
    "Sam Lindqvist",
    "Ruth Adeyemi",
    "Kenji Mori",
]
SET_BACKGROUND = "rgb(17, 19, 24)"
SMALL_TARGETS = """() => [...document.querySelectorAll(
        'button, select, input:not([type=hidden]), textarea, a.btn, [role=button]')]
    .filter((el) => el.offsetParent !== null && !el.closest('[hidden], dialog:not([open])'))
    .map((el) => {
        // a checkbox or radio is tapped through its label: the label is the target
        const label = /checkbox|radio/.test(el.type) ? el.closest('label') : null;
        return {el, box: (label || el).getBoundingClientRect()};
    })
    .filter(({box}) => box.width < 44 || box.height < 44)
    .map(({el, box}) => `${el.outerHTML.slice(0, 80)} ${box.width | 0}x${box.height | 0}`)"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """One real server for this module (the pages are only read)."""
    folder = tmp_path_factory.mktemp("a11y")
    server = ServerProcess(folder / "live.db", folder / "instance")
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def _screens(page, base: str) -> list[str]:
    """The person's home screen and the screens it links to (scenes, people, other days)."""
    hrefs = page.eval_on_selector_all("main a[href]", "(links) => links.map((a) => a.href)")
    out = [page.url]
    for href in hrefs:
        url = href.split("#", 1)[0]
        path = urlsplit(url).path
        if not url.startswith(base) or "." in path.rsplit("/", 1)[-1] or url in out:
            continue
        if not path.startswith(("/join/", "/signout")):
            out.append(url)
    return out[:12]


def _check(page, where: str, problems: dict) -> None:
    found = axe_violations(page)
    small = page.evaluate(SMALL_TARGETS)
    if found:
        problems[f"{where} axe"] = found
    if small:
        problems[f"{where} small targets"] = small


@pytest.mark.parametrize("name", ROLES)
def test_every_screen_of_each_role_passes_axe_with_big_targets(new_phone, live, name) -> None:
    page = new_phone(live.people[name]["token"])
    wait_online(page)
    problems: dict[str, object] = {}
    for url in _screens(page, live.url):
        page.goto(url)
        wait_online(page)
        _check(page, url.removeprefix(live.url), problems)
    for path in ("/ca", "/offline", "/no-such-page", "/scenes/999999"):
        page.goto(live.url + path)
        _check(page, path, problems)
    assert problems == {}
    assert page.errors == []


def test_the_ic_people_and_qr_pages_pass_axe(new_phone, live) -> None:
    page = new_phone(live.people["Maya Okafor"]["token"])
    page.goto(f"{live.url}/people")
    wait_online(page)
    problems: dict[str, object] = {}
    _check(page, "/people", problems)
    with page.expect_navigation():
        page.locator("form[action$='/link'] button").first.click()
    _check(page, "QR code", problems)
    assert problems == {}


def test_signed_out_pages_pass_axe(chromium, live) -> None:
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    problems: dict[str, object] = {}
    for path in ("/", "/join/not-a-real-token", "/home", "/ca"):
        page.goto(live.url + path)
        _check(page, path, problems)
    context.close()
    assert problems == {}


def test_the_page_is_dark_before_its_stylesheet_arrives(chromium, live) -> None:
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.route("**/static/css/*.css", lambda route: route.abort())  # as if the CSS were slow

    page.goto(f"{live.url}/join/{live.people['Sam Lindqvist']['token']}")
    pixel = page.screenshot(clip={"x": 380, "y": 830, "width": 1, "height": 1}, type="png")
    context.close()

    # The `color-scheme: dark` meta tag gives the canvas a dark colour with no CSS at all.
    red, green, blue = _png_pixel(pixel)
    assert max(red, green, blue) < 60, (red, green, blue)


def _png_pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a 1x1 8-bit RGB(A) PNG."""
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    row = zlib.decompress(idat)
    # every PNG filter predicts 0 for a lone first pixel, so its bytes are the colour itself
    return row[1], row[2], row[3]


def test_set_mode_background_is_set_by_the_first_stylesheet(new_phone, live) -> None:
    page = new_phone(live.people["Kenji Mori"]["token"])
    first_css = page.eval_on_selector("link[rel=stylesheet]", "(link) => link.href")
    assert first_css.endswith("/static/css/app.css")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == SET_BACKGROUND
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"


def test_the_keyboard_reaches_the_content_first_and_sees_where_it_is(new_phone, live) -> None:
    page = new_phone(live.people["Sam Lindqvist"]["token"])

    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")

    assert skip == "#main"
    assert page.url.endswith("/me#main")
    outline = page.evaluate(
        "(() => { const a = document.querySelector('main a'); a.focus();"
        " return getComputedStyle(a).outlineStyle; })()"
    )
    assert outline != "none"  # a visible focus ring, not colour alone


def test_the_first_tap_on_a_phone_lands_where_it_was_aimed(new_phone, live) -> None:
    # The first tap also turns the alarm sound on (hiding its button): nothing may move
    # between pressing and releasing, or the tap would hit something else.
    page = new_phone(live.people["Maya Okafor"]["token"])
    page.goto(f"{live.url}/people")
    wait_online(page)
    assert page.locator("#alarm-sound-on").is_visible()

    with page.expect_navigation():
        page.locator("form[action$='/link'] button").first.click()

    assert page.locator(".qr svg").count() == 1
