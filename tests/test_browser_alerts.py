"""The alert channel in real headless Chromium, against a real server process: a
performer's PAUSE rings the 1st AD's phone, the outbox keeps a pause made offline and
delivers it once, and a private concern stays private on the AD's screen."""

import json

import requests
from browser import axe_violations, screenshot, wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database

WAIT = 15_000  # ms: generous upper bound for a live event; the tests never measure time


def _alerts_as(live, name: str, state: str = "all") -> list[dict]:
    """The alerts a person sees over HTTP with their Bearer token."""
    token = live.people[name]["token"]
    response = requests.get(
        f"{live.url}/api/alerts",
        params={"state": state},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["alerts"] if isinstance(body, dict) else body


def test_a_performers_pause_rings_the_ad_who_acknowledges_and_the_performer_sees_it(
    live, new_phone
):
    ad = new_phone(live.people["Tom Brennan"]["token"])
    performer = new_phone(live.people["Alex Rivera"]["token"])
    performer.get_by_role("link", name="Scene 15").first.click()  # on the scene's page
    wait_online(ad)
    wait_online(performer)
    expect(ad.locator("#alarm")).to_be_hidden()

    performer.locator("#pause-btn").click()

    alarm = ad.get_by_role("alertdialog")
    expect(alarm).to_be_visible(timeout=WAIT)
    expect(alarm.locator("#alarm-kind")).to_have_text("PAUSE")
    expect(alarm.locator("#alarm-scene")).to_have_text("Scene 15")
    expect(alarm).to_contain_text("From Alex Rivera")
    expect(alarm).to_contain_text("Raised at")
    assert ad.evaluate("document.activeElement.id") == "alarm-ack"  # focus moved to it
    assert ad.locator("main").evaluate("el => el.inert")  # the page behind is out of reach
    expect(performer.locator("#alert-status")).to_contain_text(
        "Delivered to the AD's device", timeout=WAIT
    )
    screenshot(ad, "alerts-ad-alarm-phone")
    assert axe_violations(ad, ["#alarm"]) == []
    assert axe_violations(performer, ["#pause-bar"]) == []

    alarm.get_by_role("button", name="Acknowledge").click()

    expect(performer.locator("#alert-status")).to_contain_text(
        "Pause: Acknowledged by the AD (Tom Brennan)", timeout=WAIT
    )
    expect(alarm).to_contain_text("Acknowledged by Tom Brennan")
    screenshot(performer, "alerts-performer-acknowledged-phone")

    alarm.get_by_label("Note (optional)").fill("Reset, back in five")
    alarm.get_by_role("button", name="Resolve").click()
    expect(alarm).to_be_hidden(timeout=WAIT)
    expect(performer.locator("#alert-status")).to_contain_text(
        "Resolved by Tom Brennan", timeout=WAIT
    )
    expect(ad.locator("#alert-feed-empty")).to_be_visible()
    assert ad.errors == [] and performer.errors == []


def test_a_pause_pressed_offline_waits_honestly_then_arrives_exactly_once(live, new_phone):
    performer = new_phone(live.people["Sam Lindqvist"]["token"])
    wait_online(performer)
    context = performer.context
    context.set_offline(True)
    expect(performer.locator("#conn")).to_have_attribute("data-state", "offline", timeout=WAIT)

    performer.locator("#pause-btn").click()

    button = performer.locator("#pause-btn")
    expect(button).to_contain_text("not delivered yet", ignore_case=True)
    expect(button).to_have_attribute("data-state", "pending")
    stored = json.loads(
        performer.evaluate(
            "localStorage.getItem(`ictool.outbox.${document.body.dataset.personId}`)"
        )
    )
    assert len(stored) == 1 and stored[0]["payload"]["kind"] == "pause"
    assert stored[0]["payload"]["client_id"] == stored[0]["client_id"]
    performer.wait_for_function(  # it really tried, and failed, at least once
        "JSON.parse(localStorage.getItem(`ictool.outbox.${document.body.dataset.personId}`))"
        "[0].attempts >= 1",
        timeout=WAIT,
    )
    expect(button).to_contain_text("Not delivered yet — retrying")
    expect(performer.locator("#alert-status")).not_to_contain_text("Sent")
    assert _alerts_as(live, "Maya Okafor") == []
    screenshot(performer, "alerts-performer-offline-pending-phone")

    context.set_offline(False)

    expect(button).to_have_attribute("data-state", "", timeout=WAIT)
    expect(performer.locator("#alert-status")).to_contain_text("Pause:", timeout=WAIT)
    expect(performer.locator("#alert-status")).not_to_contain_text("Not delivered")
    performer.wait_for_function(
        "localStorage.getItem(`ictool.outbox.${document.body.dataset.personId}`) === '[]'",
        timeout=WAIT,
    )
    delivered = _alerts_as(live, "Maya Okafor")
    assert [(a["kind"], a["client_id"]) for a in delivered] == [("pause", stored[0]["client_id"])]
    performer.reload()  # a reload finds nothing left to send and sends nothing again
    wait_online(performer)
    assert len(_alerts_as(live, "Maya Okafor")) == 1
    assert performer.errors == []


def test_a_concern_for_the_ic_only_is_masked_on_the_ads_screen(live, new_phone):
    secret = "The new angle shows more than my rider allows"
    ic = new_phone(live.people["Maya Okafor"]["token"])
    ad = new_phone(live.people["Tom Brennan"]["token"])
    performer = new_phone(live.people["Sam Lindqvist"]["token"])
    for page in (ic, ad, performer):
        wait_online(page)

    performer.get_by_role("button", name="Concern").click()
    dialog = performer.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert axe_violations(performer, ["#concern-dialog"]) == []
    dialog.get_by_label("I am not comfortable").check()
    dialog.get_by_label("Your words").fill(secret)
    expect(dialog.get_by_label("The intimacy coordinator only")).to_be_checked()
    screenshot(performer, "alerts-performer-concern-dialog-phone")
    dialog.get_by_role("button", name="Send concern").click()
    expect(dialog).to_be_hidden()

    ad_alarm = ad.get_by_role("alertdialog")
    expect(ad_alarm).to_be_visible(timeout=WAIT)
    expect(ad_alarm).to_contain_text("Concern raised — IC attending")
    expect(ad.locator("#alert-feed-list")).to_contain_text("Concern raised — IC attending")
    assert secret not in ad.content()
    assert "Sam Lindqvist" not in ad.locator("#alarm").inner_text()
    screenshot(ad, "alerts-ad-masked-concern-phone")

    ic_alarm = ic.get_by_role("alertdialog")
    expect(ic_alarm).to_be_visible(timeout=WAIT)
    expect(ic_alarm).to_contain_text(secret)
    expect(ic_alarm).to_contain_text("I am not comfortable")
    expect(ic_alarm).to_contain_text("From Sam Lindqvist")
    screenshot(ic, "alerts-ic-concern-phone")

    status = performer.locator("#alert-status")
    expect(status).to_have_text(  # the AD's phone got a masked notice, not the concern
        "Concern for the IC only: Delivered to the IC's device", timeout=WAIT
    )
    ic_alarm.get_by_role("button", name="Acknowledge").click()
    expect(status).to_have_text(
        "Concern for the IC only: Read by the IC (Maya Okafor)", timeout=WAIT
    )
    assert secret not in performer.evaluate("JSON.stringify(localStorage)")  # sent: words gone
    assert ic.errors == [] and ad.errors == [] and performer.errors == []


def test_discreet_mode_is_remembered_and_still_pauses_in_one_tap(live, new_phone):
    performer = new_phone(live.people["Jordan Blake"]["token"])
    wait_online(performer)
    toggle = performer.get_by_role("button", name="Discreet mode")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    performer.reload()
    wait_online(performer)
    expect(performer.locator("html")).to_have_class("set-mode discreet")
    box = performer.locator("#pause-btn").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    screenshot(performer, "alerts-performer-discreet-phone")
    performer.locator("#pause-btn").click()
    expect(performer.locator("#alert-status")).to_contain_text("Pause: Sent", timeout=WAIT)
    assert [a["kind"] for a in _alerts_as(live, "Maya Okafor")] == ["pause"]


def test_the_ic_sees_the_ad_drop_off_and_the_ads_phone_catches_up_when_back(live, new_phone):
    ic = new_phone(live.people["Maya Okafor"]["token"])
    ad = new_phone(live.people["Tom Brennan"]["token"])
    performer = new_phone(live.people["Alex Rivera"]["token"])
    for page in (ic, ad, performer):
        wait_online(page)
    first_ad = ic.locator('#presence-list li[data-role="first_ad"]')
    expect(first_ad).to_have_text("● 1st AD online", timeout=WAIT)

    ad.context.set_offline(True)
    expect(first_ad).to_contain_text("1st AD offline", timeout=10_000)
    expect(first_ad).to_have_attribute("data-online", "false")
    screenshot(ic, "alerts-ic-ad-offline-phone")
    performer.locator("#pause-btn").click()
    expect(ic.get_by_role("alertdialog")).to_be_visible(timeout=WAIT)
    expect(ad.locator("#alarm")).to_be_hidden()

    ad.context.set_offline(False)  # reconnects at once and asks for what it missed

    expect(ad.get_by_role("alertdialog")).to_contain_text("From Alex Rivera", timeout=WAIT)
    expect(first_ad).to_contain_text("1st AD online", timeout=WAIT)
    expect(performer.locator("#alert-status")).to_contain_text(
        "Delivered to the IC's and the AD's devices", timeout=WAIT
    )
    assert ic.errors == [] and ad.errors == [] and performer.errors == []


def test_an_unacknowledged_pause_escalates_and_rings_the_2nd_ad(tmp_path, new_phone):
    db_path = tmp_path / "escalation.db"
    cast = demo_database(db_path)
    server = ServerProcess(
        db_path, tmp_path / "escalation", env={"ICTOOL_ESCALATION_SECONDS": "2"}
    ).start()
    try:
        second_ad = new_phone(cast["Priya Shah"]["token"], server=server)
        performer = new_phone(cast["Alex Rivera"]["token"], server=server)
        wait_online(second_ad)
        wait_online(performer)

        performer.locator("#pause-btn").click()  # the 1st AD's phone is not there

        alarm = second_ad.get_by_role("alertdialog")
        expect(alarm).to_be_visible(timeout=WAIT)
        expect(alarm).to_contain_text("Not acknowledged in time — escalated")
        expect(alarm).to_contain_text("From Alex Rivera")
        screenshot(second_ad, "alerts-2nd-ad-escalated-phone")
        alarm.get_by_role("button", name="Acknowledge").click()
        expect(performer.locator("#alert-status")).to_contain_text(
            "Pause: Acknowledged by the AD (Priya Shah)", timeout=WAIT
        )
        assert second_ad.errors == [] and performer.errors == []
    finally:
        server.stop()


def test_with_no_live_connection_the_pause_goes_over_http_and_still_rings_the_ad(live, new_phone):
    ad = new_phone(live.people["Tom Brennan"]["token"])
    performer = new_phone(live.people["Alex Rivera"]["token"])
    performer.context.route("**/socket.io/**", lambda route: route.abort())  # a proxy eats it
    performer.reload()
    wait_online(ad)
    expect(performer.locator("#conn")).to_have_attribute("data-state", "offline", timeout=WAIT)

    performer.locator("#pause-btn").click()

    expect(performer.locator("#alert-status")).to_have_text("Pause: Sent", timeout=WAIT)
    expect(ad.get_by_role("alertdialog")).to_contain_text("From Alex Rivera", timeout=WAIT)
    assert len(_alerts_as(live, "Maya Okafor")) == 1
    assert performer.errors == [] and ad.errors == []
