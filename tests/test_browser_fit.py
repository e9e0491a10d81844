"""Every screen fits every phone in every language, in real headless Chromium.

The alarm (each kind: pause, concern, consent withdrawal, escalated, acknowledged, and the
masked concern on the AD's phone), the PAUSE bar, the concern dialog and each role's home
screen are rendered at 320x568 (iPhone SE), 390x844 (iPhone 13) and 1024x768 (tablet) in
the five languages. On each: no word is broken across lines (each word's line boxes, read
with a DOM Range, sit on one line), no text overflows its box or the screen, and every
button that acts (PAUSE, Acknowledge, Resolve, Send, Confirm) is entirely on screen and not
covered, without scrolling. Screenshots are kept in test-artifacts/screenshots/fit-*.jpg.
"""

from __future__ import annotations

import re
import sqlite3
import uuid

import pytest
import requests
from browser import SCREENSHOTS, axe_violations, wait_online
from serverproc import ServerProcess, demo_database

VIEWPORTS = {"se": (320, 568), "phone": (390, 844), "tablet": (1024, 768)}
LANGS = ("en", "fr", "de", "es", "sv")
HOMES = {  # person: (home path, buttons that must be on screen without scrolling)
    "Maya Okafor": ("/ic", []),
    "Tom Brennan": ("/ad", ["#now-strip button.go"]),
    "Priya Shah": ("/ad", []),
    "Lena Voss": ("/ad", []),
    "Sam Lindqvist": ("/me", []),
    "Ruth Adeyemi": ("/producer", []),
    "Kenji Mori": ("/crew", []),
}

CHECK = """({root, buttons}) => {
  const W = innerWidth, H = innerHeight, problems = [];
  const where = (el) => `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    `${el.classList.length ? "." + [...el.classList].join(".") : ""}>`;
  const skipped = (el) => el.closest("template, [hidden], dialog:not([open]), " +
    ".visually-hidden, .skip, select, textarea, script, style");
  const shown = (el) => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden";
  const scroller = (el) => {  // inside a region that scrolls sideways (a wide table)
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(a).overflowX) &&
          !a.classList.contains("alarm")) return a;
    }
    return null;
  };
  for (const top of document.querySelectorAll(root)) {
    if (skipped(top) || !shown(top)) continue;
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || skipped(el) || !shown(el) || parseFloat(getComputedStyle(el).fontSize) === 0) {
        continue;
      }
      // a word: letters between spaces; breaking after a hyphen or dash is allowed
      for (const m of node.data.matchAll(/[^\\s\\-\\u2010-\\u2015\\/]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const boxes = [...range.getClientRects()].filter((b) => b.width > 0 && b.height > 0);
        for (let i = 1; i < boxes.length; i++) {
          if (boxes[i].top >= boxes[i - 1].bottom - 2) {
            problems.push(`word broken across lines: "${m[0]}" in ${where(el)}`);
            break;
          }
        }
        if (!scroller(el) && boxes.some((b) => b.right > W + 1 || b.left < -1)) {
          problems.push(`word off the screen: "${m[0]}" in ${where(el)}`);
        }
      }
    }
    for (const el of [top, ...top.querySelectorAll("*")]) {
      if (skipped(el) || !shown(el)) continue;
      const style = getComputedStyle(el);
      if (style.display === "inline" || ["auto", "scroll"].includes(style.overflowX)) continue;
      if (el.matches("input, textarea")) continue; // a field's own value scrolls inside it
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`overflows its box by ${el.scrollWidth - el.clientWidth}px: ${where(el)}`);
      }
    }
  }
  if (document.documentElement.scrollWidth > W + 1) {
    problems.push(`page wider than the screen: ${document.documentElement.scrollWidth}px`);
  }
  for (const selector of buttons) {
    const el = document.querySelector(selector);
    if (!el || !shown(el)) {
      problems.push(`${selector} not shown`);
      continue;
    }
    const b = el.getBoundingClientRect();
    if (b.top < -0.5 || b.left < -0.5 || b.bottom > H + 0.5 || b.right > W + 0.5) {
      problems.push(`${selector} not entirely on screen: ${b.left | 0},${b.top | 0} ` +
        `${b.width | 0}x${b.height | 0}`);
      continue;
    }
    const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    if (!hit || !(hit === el || el.contains(hit))) {
      problems.push(`${selector} covered by ${hit ? where(hit) : "nothing"}`);
    }
  }
  return problems;
}"""

HEADER = """() => {
  const bar = document.querySelector("header.bar").getBoundingClientRect();
  const title = document.querySelector(".bar-title").getBoundingClientRect();
  const actions = document.querySelector(".bar-actions").getBoundingClientRect();
  return {height: bar.height, oneRow: actions.top < title.bottom && actions.left >= title.right};
}"""


BESIDE = """() => {
  const panel = document.querySelector(".alerts-panel").getBoundingClientRect();
  const main = document.querySelector("main").getBoundingClientRect();
  const now = document.querySelector("#now-strip").getBoundingClientRect();
  return panel.left >= main.right && panel.left >= now.right && panel.top < innerHeight / 2;
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """One server for the module; alerts escalate only when the test says so."""
    folder = tmp_path_factory.mktemp("fit")
    server = ServerProcess(
        folder / "live.db", folder / "instance", env={"ICTOOL_ESCALATION_SECONDS": "3600"}
    )
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def _call(live, name: str, method: str, path: str, body: dict | None = None) -> dict:
    token = live.people[name]["token"]
    response = requests.request(
        method,
        f"{live.url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code < 300, response.text
    return response.json()


def _scene_id(live, number: str) -> int:
    with sqlite3.connect(live.db) as db:
        return db.execute("SELECT id FROM scenes WHERE number = ?", [number]).fetchone()[0]


def _speak(page, base: str, lang: str) -> None:
    """Choose the language the way a person does (the menu's form), remembered on them."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(
        f"{base}/language",
        form={"lang": lang, "next": "/home", "csrf_token": token},
        max_redirects=0,
    )
    assert answer.status in (302, 303), answer.status


def _check(page, where: str, root: str, buttons: list[str], problems: dict) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    found = page.evaluate(CHECK, {"root": root, "buttons": buttons})
    if found:
        problems[where] = found


def screenshot(page, name: str) -> None:
    """What the screen shows, as test-artifacts/screenshots/<name>.jpg (JPEG: 180 of them
    would take half the test's time as PNG)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.jpg"), type="jpeg", quality=70)


def _sized(page, size: str) -> None:
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})


def test_every_home_screen_the_pause_bar_and_the_concern_dialog_fit(new_phone, live):
    """Before any alert: each role's home in every language and size."""
    wrapped = _call(live, "Tom Brennan", "POST", f"/api/scenes/{_scene_id(live, '14')}/wrap")
    assert wrapped  # the kiss is done: the closed bedroom scene is next on the AD's board
    problems: dict[str, list[str]] = {}
    for name, (home, buttons) in HOMES.items():
        page = new_phone(live.people[name]["token"])
        wait_online(page)
        for lang in LANGS:
            _speak(page, live.url, lang)
            page.goto(f"{live.url}{home}")
            wait_online(page)
            assert page.locator("html").get_attribute("lang") == lang
            for size in VIEWPORTS:
                _sized(page, size)
                where = f"{name} {home} {lang} {size}"
                _check(page, where, "body", ["#pause-btn", *buttons], problems)
                if size == "tablet" and name in ("Maya Okafor", "Tom Brennan"):  # feed beside
                    beside = page.evaluate(BESIDE)
                    if not beside:
                        problems.setdefault(where, []).append("the alerts are not beside")
                header = page.evaluate(HEADER)
                if not header["oneRow"] or (size == "phone" and header["height"] > 90):
                    problems.setdefault(where, []).append(f"header is not one row: {header}")
                screenshot(page, f"fit-home-{home.strip('/')}-{name.split()[0]}-{lang}-{size}")
                if name == "Sam Lindqvist":  # a performer's concern dialog
                    page.locator("#concern-btn").click()
                    page.wait_for_selector("#concern-dialog[open]")
                    _check(page, f"{where} concern", "#concern-dialog", ["#concern-send"], problems)
                    screenshot(page, f"fit-concern-dialog-{lang}-{size}")
                    page.keyboard.press("Escape")
                    page.wait_for_selector("#concern-dialog:not([open])", state="attached")
        if home in ("/ic", "/ad"):
            _sized(page, "tablet")
            assert axe_violations(page, ["header", "#now-strip", ".alerts-panel"]) == []
        _speak(page, live.url, "en")
        assert page.errors == [], page.errors
    assert not problems, _report(problems)


def _raise_every_kind(live) -> dict[str, int]:
    """One alert of each kind the IC's phone rings for, and the AD's masked concern."""
    bed = _scene_id(live, "15")

    def new(name: str, **body) -> int:
        body.setdefault("client_id", str(uuid.uuid4()))
        return _call(live, name, "POST", "/api/alerts", body)["id"]

    ids = {
        "pause": new("Alex Rivera", kind="pause", scene_id=bed),
        "concern": new(
            "Sam Lindqvist",
            kind="concern",
            audience="ic_and_ad",
            preset="something_changed",
            text="The robe is not there between takes and the camera moved closer.",
            scene_id=bed,
        ),
        "withdrawal": _call(live, "Alex Rivera", "POST", f"/api/scenes/{bed}/consent/withdraw")[
            "alert_id"
        ],
        "escalated": new("Jordan Blake", kind="pause"),
        "acknowledged": new("Sam Lindqvist", kind="pause", scene_id=bed),
        "masked": new("Alex Rivera", kind="concern", preset="need_moment", scene_id=bed),
    }
    _call(live, "Maya Okafor", "POST", f"/api/alerts/{ids['acknowledged']}/ack")
    with sqlite3.connect(live.db) as db:  # as if nobody answered for a while
        db.execute("UPDATE alerts SET escalation_level = 1 WHERE id = ?", [ids["escalated"]])
    return ids


def test_the_alarm_of_every_kind_fits_with_its_title_and_buttons_on_screen(new_phone, live):
    ids = _raise_every_kind(live)
    ringing = {  # kind: (whose phone, the button it must show on screen)
        "pause": ("Maya Okafor", "#alarm-ack"),
        "concern": ("Maya Okafor", "#alarm-ack"),
        "withdrawal": ("Maya Okafor", "#alarm-ack"),
        "escalated": ("Maya Okafor", "#alarm-ack"),
    }
    phones = {
        name: new_phone(live.people[name]["token"]) for name in ("Maya Okafor", "Tom Brennan")
    }
    for page in phones.values():
        wait_online(page)
    problems: dict[str, list[str]] = {}

    def each_language(shown: dict) -> None:
        for lang in LANGS:
            for name in {name for name, _ in shown.values()}:
                _speak(phones[name], live.url, lang)
            for kind, (name, button) in shown.items():
                page = phones[name]
                page.goto(f"{live.url}/home?alert={ids[kind]}")  # a notification's link
                page.wait_for_selector(f'#alarm[data-alert-id="{ids[kind]}"]:not([hidden])')
                clock = page.locator("#alarm-time").inner_text()
                if lang != "en":  # the page's language's clock, not the phone's
                    assert not re.search(r"\b(AM|PM)\b", clock), clock
                for size in VIEWPORTS:
                    _sized(page, size)
                    where = f"alarm {kind} {lang} {size}"
                    _check(page, where, "#alarm", ["#alarm-title", button], problems)
                    screenshot(page, f"fit-alarm-{kind}-{lang}-{size}")
                if lang in ("en", "de") and kind in ("withdrawal", "acknowledged"):
                    assert axe_violations(page, ["#alarm"]) == []

    each_language(ringing)
    for kind in ringing:  # the IC has read them: nothing rings on the AD's phone any more
        _call(live, "Maya Okafor", "POST", f"/api/alerts/{ids[kind]}/ack")
    each_language(
        {
            "masked": ("Tom Brennan", "#alarm-close"),  # an IC-only concern: told, not shown
            "acknowledged": ("Tom Brennan", "#alarm-resolve"),
        }
    )
    for page in phones.values():
        _speak(page, live.url, "en")
        assert page.errors == [], page.errors
    assert not problems, _report(problems)


def _report(problems: dict[str, list[str]]) -> str:
    lines = [f"{where}: {p}" for where, found in problems.items() for p in found]
    return f"{len(lines)} problems:\n" + "\n".join(lines[:300])
