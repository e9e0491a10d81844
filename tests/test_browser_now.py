"""The "now" strip, live, in real Chromium: the 1st AD confirms the closed set from the top of
the board without scrolling, and the IC's dashboard follows without a reload; a pause
counts as an open alert at once."""

import pytest
import requests
from browser import screenshot, wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database

WAIT = 15_000


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("now")
    server = ServerProcess(folder / "live.db", folder / "instance")
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def test_the_ad_closes_the_set_from_the_now_strip_and_the_ic_sees_it_live(live, new_phone):
    token = live.people["Tom Brennan"]["token"]
    for scene in requests.get(
        f"{live.url}/api/home", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()["scenes"]:
        if scene["number"] == "14":  # the kiss is done: the closed bedroom scene is next
            requests.post(
                f"{live.url}/api/scenes/{scene['id']}/wrap",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).raise_for_status()
    ad = new_phone(token, viewport={"width": 320, "height": 568})
    ic = new_phone(live.people["Maya Okafor"]["token"], viewport={"width": 1024, "height": 768})
    for page in (ad, ic):
        wait_online(page)
    ad_now, ic_now = ad.locator("#now-strip"), ic.locator("#now-strip")
    expect(ad_now).to_contain_text("Next Scene 15")
    expect(ad_now.locator(".badge")).to_have_text("✖ Not cleared")
    expect(ic_now).to_contain_text("Next Scene 15")
    ic.evaluate("window.sameDocument = true")

    ad_now.get_by_role("button", name="Confirm: the set is closed").click()  # no scrolling

    expect(ad_now).to_contain_text("Shooting now Scene 15", timeout=WAIT)
    expect(ad_now).to_contain_text("✔ Set closed")
    expect(ic_now).to_contain_text("Shooting now Scene 15", timeout=WAIT)
    assert ic.evaluate("window.sameDocument") is True, "updated live, not reloaded"
    screenshot(ad, "now-strip-ad-set-closed-se")

    performer = new_phone(live.people["Alex Rivera"]["token"])
    wait_online(performer)
    performer.locator("#pause-btn").click()
    expect(ic.locator("#now-alerts")).to_have_text("Open alerts: 1", timeout=WAIT)
    expect(ic.locator("#now-alerts")).to_have_class("btn small now-alerts has-alerts")
    screenshot(ic, "now-strip-ic-tablet-alarm")
    assert ad.errors == [] and ic.errors == [] and performer.errors == []
