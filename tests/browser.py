"""Shared Playwright helpers for browser tests: Debian's headless Chromium, phones signed in
by join link, page-error capture, screenshots and axe-core.

Use the fixtures from any test module (they are imported by tests/conftest.py):
`chromium` (one browser per test session) and `new_phone(token)` (a fresh browser context,
one phone, signed in by its join link on the `live` server).
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the session; the test is skipped where there is none."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_phone(chromium, request) -> Iterator[Callable[..., object]]:
    """`new_phone(token)` opens a fresh context (its own cookies and storage, like another
    phone), signs in by the join link on the `live` server (or `server=`) and returns the
    page. JavaScript errors and CSP refusals are collected on `page.errors`; every context
    is closed at the end."""
    contexts = []

    def open_phone(token: str, viewport: dict | None = None, locale: str = "en-GB", server=None):
        context = chromium.new_context(viewport=viewport or PHONE, locale=locale)
        contexts.append(context)
        page = context.new_page()
        collect_errors(page)
        base = (server or request.getfixturevalue("live")).url
        page.goto(f"{base}/join/{token}")
        return page

    yield open_phone
    for context in contexts:
        context.close()


def collect_errors(page) -> None:
    """Keep a page's script errors and CSP refusals in `page.errors` (a test asserts none)."""
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )


def wait_online(page, timeout: float = 15_000) -> None:
    """Wait until the page's live connection is up (the #conn badge says so)."""
    page.wait_for_selector('#conn[data-state="online"]', state="attached", timeout=timeout)


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save what the phone shows (or the whole page) as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page, include: list[str] | None = None) -> list[dict]:
    """Run axe-core (vendored, no network) on the page or on some of its parts."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # evaluated through DevTools, so the page's strict CSP stays on for everything else
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    context = {"include": [[s] for s in include]} if include else None
    result = page.evaluate(
        """async (context) => {
            const options = {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
                "wcag21aa", "wcag22aa"]}};
            const found = await (context ? axe.run(context, options) : axe.run(options));
            return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        context,
    )
    return result
