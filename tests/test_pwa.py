"""The installable app: its service worker, offline day, push handler, manifest and icons.

Browser tests run Debian's headless Chromium (tests/browser.py) against a real server.
Screenshots of every role's screen, at phone and tablet size, are written under
test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
import struct
import time
from pathlib import Path

import pytest
from browser import LAUNCH_ARGS, PHONE, screenshot, wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database

ROOT = Path(__file__).resolve().parent.parent
TABLET = {"width": 1024, "height": 1366}
CHROMIUM = Path("/usr/bin/chromium")
ROLE_SCREENS = {
    "Maya Okafor": "/ic",
    "Tom Brennan": "/ad",
    "Priya Shah": "/ad",
    "Lena Voss": "/ad",
    "Sam Lindqvist": "/me",
    "Ruth Adeyemi": "/producer",
    "Kenji Mori": "/crew",
}
CACHED_URLS = """async () => {
    const out = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        out[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
    }
    return out;
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """One real server for this module (the browser tests only read, and sign in anew)."""
    folder = tmp_path_factory.mktemp("pwa")
    server = ServerProcess(folder / "live.db", folder / "instance")
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _build(client) -> dict:
    source = client.get("/sw.js").get_data(as_text=True)
    line = next(x for x in source.splitlines() if x.startswith("const BUILD = "))
    return json.loads(line.removeprefix("const BUILD = ").removesuffix(";"))


def _controlled(page) -> None:
    """Wait until the service worker controls the page, then reload so it saves this page."""
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
    page.reload()


# --- served files -------------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_and_never_stale(client) -> None:
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    build = _build(client)
    assert len(build["version"]) == 16
    assert set(build["homes"]) == {"/ic", "/ad", "/me", "/producer", "/crew"}


def test_the_precached_shell_is_every_static_file_and_each_one_loads(client) -> None:
    shell = _build(client)["shell"]

    for part in (
        "/static/css/app.css",
        "/static/js/sw-register.js",
        "/static/manifest.webmanifest",
    ):
        assert part in shell
    assert "/static/vendor/socket.io.esm.min.js" in shell
    assert "/static/icons/maskable-512.png" in shell
    assert "/static/sw.js" not in shell
    for url in [*shell, _build(client)["offline"]]:
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url


def test_the_offline_page_holds_nothing_personal(login) -> None:
    phone = login("Sam Lindqvist")

    page = phone.get("/offline").get_data(as_text=True)

    assert "You are offline" in page
    assert "Sam Lindqvist" not in page
    assert "csrf" not in page


def test_the_manifest_makes_the_app_installable_with_our_own_icons(client) -> None:
    response = client.get("/static/manifest.webmanifest")
    manifest = json.loads(response.data)
    response.close()

    assert response.mimetype == "application/manifest+json"
    assert manifest["start_url"] == "/home"
    assert manifest["display"] == "standalone"
    assert manifest["short_name"] == "ictool"
    assert manifest["background_color"] == manifest["theme_color"] == "#111318"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        width, height = _png_size(ROOT / icon["src"].lstrip("/"))
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest_icons_and_the_worker(client) -> None:
    page = client.get("/").get_data(as_text=True)

    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page
    assert 'src="/static/js/sw-register.js"' in page


# --- in the browser -------------------------------------------------------------------------


def test_the_performers_day_stays_readable_offline(new_phone, live) -> None:
    page = new_phone(live.people["Sam Lindqvist"]["token"])
    _controlled(page)
    online_day = page.locator("main").inner_text()
    assert "Scene 15" in online_day

    page.context.set_offline(True)
    page.reload()

    assert page.locator("h1").first.inner_text() == "My day"
    assert page.locator("main").inner_text() == online_day
    notice = page.locator("#saved-copy")
    assert notice.is_visible()
    assert "You are offline" in notice.inner_text()

    # A page never loaded on this phone says so instead of a browser error.
    page.goto(f"{live.url}/people")
    expect(page).to_have_url(f"{live.url}/people")
    expect(page.locator("h1")).to_have_text("You are offline")  # waits for the worker's answer
    # Opening the app offline (its start URL) lands on the last day screen. (From a page
    # other than /me, so that being on /me shows the worker's redirect was followed.)
    page.goto(f"{live.url}/home")
    expect(page).to_have_url(f"{live.url}/me")
    expect(page.locator("h1").first).to_have_text("My day")
    expect(notice).to_be_visible()

    # The connection comes back: the saved copy gives way to the live page by itself.
    page.context.set_offline(False)
    expect(notice).to_be_hidden()
    expect(page.locator("html")).not_to_have_attribute("data-saved-at", re.compile("."))
    expect(page.locator("main")).to_contain_text("Scene 15")


def test_nothing_live_private_or_written_is_ever_cached(new_phone, live) -> None:
    page = new_phone(live.people["Maya Okafor"]["token"])
    _controlled(page)
    page.evaluate("fetch('/api/home').then((r) => r.json())")
    page.goto(f"{live.url}/people")
    wait_online(page)
    with page.expect_navigation():
        page.locator("form[action$='/link'] button").first.click()  # a POST: the QR join code
    assert page.locator(".qr svg").count() == 1
    page.goto(f"{live.url}/ic")

    cached = page.evaluate(CACHED_URLS)

    saved = [url for urls in cached.values() for url in urls]
    assert "/ic" in saved and "/people" in saved
    for url in saved:
        assert not url.startswith(("/socket.io/", "/api/", "/join/", "/people/")), url
    assert "/sw.js" not in saved


def test_signing_out_deletes_the_saved_pages(new_phone, live) -> None:
    page = new_phone(live.people["Sam Lindqvist"]["token"])
    _controlled(page)
    assert "/me" in page.evaluate(CACHED_URLS)["ictool-pages-v1"]

    page.locator("details.menu summary").click()  # sign out is in the menu
    page.locator("form[data-signout] button").click()
    page.wait_for_url(f"{live.url}/")

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pages = {k: v for k, v in page.evaluate(CACHED_URLS).items() if "pages" in k}
        if not any("/me" in urls for urls in pages.values()):
            break
        page.wait_for_timeout(100)
    assert not any("/me" in urls for urls in pages.values())


def test_a_new_version_removes_the_old_caches(new_phone, live) -> None:
    page = new_phone(live.people["Tom Brennan"]["token"])
    _controlled(page)
    page.evaluate("caches.open('ictool-static-0ld0ld0ld0ld0ld0').then(() => true)")

    # A changed script URL makes the browser install and activate a new worker, as an upgrade.
    page.evaluate(
        """async () => {
            const reg = await navigator.serviceWorker.register('/sw.js?upgrade=1', {scope: '/'});
            const worker = reg.installing || reg.waiting;
            await new Promise((done) => {
                worker.onstatechange = () => worker.state === 'activated' && done();
            });
        }"""
    )

    names = page.evaluate("caches.keys()")
    assert "ictool-static-0ld0ld0ld0ld0ld0" not in names
    assert any(n.startswith("ictool-static-") for n in names)


def _registration_id(cdp) -> str:
    found: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 5
    while not found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets pending events arrive
    assert found, "no service worker registration reported"
    return found[0]["registrationId"]


@pytest.mark.parametrize(
    ("payload", "stays_up"),
    [
        ({"title": "PAUSE — Scene 15", "body": "Sam", "url": "/ad", "tag": "pause-15"}, True),
        ({"title": "Blocking changed", "body": "Scene 22", "url": "/scenes/4", "tag": "b4"}, False),
    ],
)
def test_a_push_shows_its_notification_and_a_pause_stays_up(
    new_phone, live, payload: dict, stays_up: bool
) -> None:
    page = new_phone(live.people["Tom Brennan"]["token"])
    page.context.grant_permissions(["notifications"], origin=live.url)
    _controlled(page)
    cdp = page.context.new_cdp_session(page)

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live.url, "registrationId": _registration_id(cdp), "data": json.dumps(payload)},
    )

    read_notification = """async () => {
        const reg = await navigator.serviceWorker.ready;
        const [n] = await reg.getNotifications();
        return n ? {title: n.title, body: n.body, tag: n.tag, data: n.data,
                    requireInteraction: n.requireInteraction} : null;
    }"""
    # wait_for_function does not wait on an async predicate (its promise is truthy): poll
    deadline = time.monotonic() + 10
    shown = page.evaluate(read_notification)
    while shown is None and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        shown = page.evaluate(read_notification)
    assert shown == {
        "title": payload["title"],
        "body": payload["body"],
        "tag": payload["tag"],
        "data": {"url": payload["url"]},
        "requireInteraction": stays_up,
    }


def test_the_app_is_installable(chromium, live, tmp_path) -> None:
    # Chromium reports installability only for a real profile (a persistent context).
    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=LAUNCH_ARGS
    )
    try:
        page = context.new_page()
        page.goto(f"{live.url}/join/{live.people['Sam Lindqvist']['token']}")
        _controlled(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        manifest = cdp.send("Page.getAppManifest")
    finally:
        context.close()
    assert errors == []
    assert manifest["url"].endswith("/static/manifest.webmanifest")
    assert not manifest.get("errors")


@pytest.mark.parametrize("name", list(ROLE_SCREENS))
def test_each_roles_screen_at_phone_and_tablet_size(new_phone, live, name: str) -> None:
    for label, viewport in (("phone", PHONE), ("tablet", TABLET)):
        page = new_phone(live.people[name]["token"], viewport=viewport)
        assert page.url == f"{live.url}{ROLE_SCREENS[name]}"
        # set mode: the page is dark from its first paint, and nothing is wider than the screen
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == (
            "rgb(17, 19, 24)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        path = screenshot(page, f"role-{label}-{ROLE_SCREENS[name].strip('/')}-{name}")
        assert path.stat().st_size > 1000
        assert page.errors == []


def test_plain_http_on_the_lan_says_which_features_need_https(chromium, live) -> None:
    # A LAN name over plain HTTP is not a secure context (127.0.0.1 is): map one to the server.
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*LAUNCH_ARGS, "--host-resolver-rules=MAP ictool-laptop.test 127.0.0.1"],
    )
    try:
        page = browser.new_page(viewport=PHONE)
        token = live.people["Sam Lindqvist"]["token"]
        page.goto(f"http://ictool-laptop.test:{live.port}/join/{token}")
        note = page.locator("#insecure-note")
        note.wait_for(state="visible")
        assert page.evaluate("window.isSecureContext") is False
        assert "offline" in note.inner_text() and "notifications" in note.inner_text()
        assert note.locator("a").get_attribute("href") == "/ca"
        assert page.locator("h1").first.inner_text() == "My day"  # the live page still works
    finally:
        browser.close()


def test_a_secure_page_shows_no_https_notice(new_phone, live) -> None:
    page = new_phone(live.people["Sam Lindqvist"]["token"])
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
    assert page.locator("#insecure-note").is_hidden()
    assert page.locator("#saved-copy").is_hidden()


@pytest.mark.parametrize("lang", ["fr", "de", "es", "sv"])
def test_longer_words_of_other_languages_still_fit_a_phone(new_phone, live, lang: str) -> None:
    for name in ("Maya Okafor", "Sam Lindqvist", "Ruth Adeyemi", "Kenji Mori"):
        page = new_phone(live.people[name]["token"], locale=lang)
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(page, f"lang-{lang}-phone-{ROLE_SCREENS[name].strip('/')}-{name}")
