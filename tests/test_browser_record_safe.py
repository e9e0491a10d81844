"""In Chromium at 320x568: the IC's copy line, the standby's page and the failover landing
page pass axe with big targets; the standby takes no alert and refuses a wrong code."""

import requests
from browser import axe_violations
from serverproc import ServerProcess
from test_a11y import SMALL_TARGETS
from test_failover import Standby, engine_or_skip, seeded

SMALL = {"width": 320, "height": 568}


def check(page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SMALL["width"]


def test_copy_line_standby_page_and_failover_page_fit_and_pass_axe(tmp_path, chromium):
    engine_or_skip()
    cast = seeded(tmp_path / "live.db")
    replica = tmp_path / "usb" / "set"
    replica.parent.mkdir()
    secret = "record-safe-browser-secret-0123456789abcdef"
    primary = ServerProcess(tmp_path / "live.db", tmp_path / "i", env={"ICTOOL_SECRET_KEY": secret})
    primary.args = ("--replicate", replica.as_uri())
    primary.start()
    standby = None
    context = chromium.new_context(viewport=SMALL, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{primary.url}/join/{cast['Maya Okafor']['token']}")
        page.wait_for_selector('#replica[data-state="ok"]', timeout=20_000)
        assert page.locator("#replica").inner_text().startswith("Copy saved")
        check(page)

        landing = chromium.new_context(viewport=SMALL).new_page()  # a phone with no session
        landing.goto(f"{primary.url}/failover#t=not-a-ticket")
        landing.wait_for_selector("#failover-status:has-text('join link')")
        check(landing)
        landing.context.close()

        standby = Standby(tmp_path, replica.as_uri(), secret)
        standby.wait_warm()
        page.goto(f"{standby.url}/standby")
        assert "Standby server" in page.inner_text("h1")
        check(page)
        page.fill("#code", "000000" if standby_code(standby) != "000000" else "111111")
        page.get_by_role("button", name="Make this the live server").click()
        assert "not the code" in page.inner_text("[role=alert]")
        pause = {"kind": "pause", "client_id": "standby-pause-0001"}
        who = {"Authorization": f"Bearer {cast['Sam Lindqvist']['token']}"}
        refused = requests.post(f"{standby.url}/api/alerts", json=pause, headers=who, timeout=5)
        assert refused.status_code == 503 and "standby" in refused.json()["error"]
        assert requests.get(f"{standby.url}/api/alive", timeout=5).json()["mode"] == "standby"
    finally:
        context.close()
        if standby:
            standby.stop()
        primary.stop()


def standby_code(standby: Standby) -> str:
    import json

    return json.loads((standby.instance / "standby.json").read_text())["code"]
