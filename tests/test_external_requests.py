"""Zero external requests: a set has no internet, and a phone must not leak who is on set.

Every role's screens are visited in Chromium (each role's home screen and every page it
links to, two clicks deep), with every request of the pages and of the service worker
recorded; none may leave the server's own origin.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urljoin, urlsplit

import pytest
from browser import wait_online
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from serverproc import ServerProcess, demo_database

ROLES = [
    "Maya Okafor",  # coordinator
    "Tom Brennan",  # first AD
    "Priya Shah",  # second AD
    "Lena Voss",  # director
    "Sam Lindqvist",  # performer
    "Ruth Adeyemi",  # producer
    "Kenji Mori",  # crew
]
NOT_VISITED = ("/signout", "/join/", "/ca.pem", "/ca.crt")  # leaving, signing in, downloads
PAGES_PER_ROLE = 15
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """One real server for this module: these tests only read."""
    folder = tmp_path_factory.mktemp("external")
    server = ServerProcess(folder / "live.db", folder / "instance")
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _links(page, base: str) -> list[str]:
    """Same-origin pages this page links to, without fragments."""
    hrefs = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
    out = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#", 1)[0]
        path = urlsplit(url).path
        download = "." in path.rsplit("/", 1)[-1]  # .csv, .ics, .pem: files, not screens
        visit = _origin(url) == base and not path.startswith(NOT_VISITED) and not download
        if visit and url not in out:
            out.append(url)
    return out


def _settle(page) -> None:
    """Give the page's own requests (scripts, fetches, the socket) time to start.

    Long-polling can keep a page from ever being idle, so this waits at most 5 s and
    does not fail: every request made is recorded either way."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5000)


def _record(context, requests: list[str]) -> None:
    context.on("request", lambda request: requests.append(request.url))
    context.on("websocket", lambda ws: requests.append(ws.url))


@pytest.mark.parametrize("name", ROLES)
def test_no_screen_of_any_role_requests_anything_outside_the_server(
    new_phone, live, name: str
) -> None:
    requests: list[str] = []
    page = new_phone(live.people[name]["token"])
    _record(page.context, requests)
    page.reload()
    with contextlib.suppress(PlaywrightTimeout):  # so the worker's precache is recorded too
        page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)", timeout=10000)

    to_visit, seen = [page.url], set()
    while to_visit and len(seen) < PAGES_PER_ROLE:
        url = to_visit.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        _settle(page)
        if len(seen) < 10:  # home and the pages it links to; then their links
            to_visit.extend(u for u in _links(page, live.url) if u not in seen)
    for extra in ("/ca", "/offline", "/no-such-page", "/people/0/link"):
        page.goto(live.url + extra)

    outside = [
        url for url in requests if not url.startswith(LOCAL_SCHEMES) and not _same(url, live.url)
    ]
    assert len(seen) >= 2, seen
    assert len(requests) > len(seen)
    assert outside == []


def _same(url: str, base: str) -> bool:
    origin = _origin(url)
    return origin == base or origin == base.replace("http://", "ws://", 1)


def test_the_sign_in_and_qr_pages_stay_local_too(new_phone, live) -> None:
    requests: list[str] = []
    page = new_phone(live.people["Maya Okafor"]["token"])
    _record(page.context, requests)
    page.goto(f"{live.url}/people")
    wait_online(page)
    with page.expect_navigation():
        page.locator("form[action$='/link'] button").first.click()  # the QR code page (a POST)
    _settle(page)
    assert page.locator(".qr svg").count() == 1
    page.locator("details.menu summary").click()  # sign out is in the menu
    page.locator("form[data-signout] button").click()
    page.wait_for_url(f"{live.url}/")

    assert [url for url in requests if not _same(url, live.url)] == []
