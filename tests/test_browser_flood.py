"""A flood on the 1st AD's phone, in real headless Chromium against a real server: every
open alert is listed (followed page after page), grouped by sender with a count, and one
tap acknowledges all of one sender's alerts while another performer's pause stays."""

import uuid

import requests
from browser import wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database

WAIT = 15_000


def _raise(server, name: str, body: dict) -> dict:
    token = server.people[name]["token"]
    answer = requests.post(
        f"{server.url}/api/alerts",
        json={"client_id": f"flood-{uuid.uuid4().hex}", **body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_ad_sees_every_sender_grouped_and_acknowledges_a_flood_in_one_tap(tmp_path, new_phone):
    db_path = tmp_path / "flood.db"
    server = ServerProcess(db_path, tmp_path / "instance", env={"ICTOOL_ALERT_PAGE": "2"})
    server.people = demo_database(db_path)
    server.start()
    try:
        jordan = _raise(server, "Jordan Blake", {"kind": "pause"})
        for i in range(6):  # three pages of two: the page must follow `more`
            _raise(
                server,
                "Sam Lindqvist",
                {"kind": "concern", "text": f"w{i}", "audience": "ic_and_ad"},
            )

        ad = new_phone(server.people["Tom Brennan"]["token"], server=server)
        wait_online(ad)
        alarm = ad.get_by_role("alertdialog")
        expect(alarm).to_be_visible(timeout=WAIT)
        expect(alarm.locator("#alarm-kind")).to_have_text("PAUSE")  # the pause first
        alarm.locator("#alarm-ack").click()
        expect(alarm.locator("#alarm-kind")).to_have_text("CONCERN", timeout=WAIT)
        all_of_sam = alarm.get_by_role("button", name="Acknowledge all 6 from Sam Lindqvist")
        expect(all_of_sam).to_be_visible()
        all_of_sam.click()
        expect(alarm).to_contain_text("Acknowledged by Tom Brennan", timeout=WAIT)
        alarm.get_by_role("button", name="Close").click()
        expect(alarm).to_be_hidden(timeout=WAIT)

        feed = ad.locator("#alert-feed-list")
        expect(feed).to_contain_text("Sam Lindqvist — 6 open")
        expect(feed).to_contain_text("Jordan Blake — 1 open")
        expect(feed.get_by_role("button", name="Show all 6")).to_be_visible()
        listed = requests.get(
            f"{server.url}/api/alerts?state=open&after=0",
            headers={"Authorization": f"Bearer {server.people['Tom Brennan']['token']}"},
            timeout=10,
        ).json()
        assert listed["more"] is True  # pages of two
        states = {}
        after, more = 0, True
        while more:
            page = requests.get(
                f"{server.url}/api/alerts?state=open&after={after}",
                headers={"Authorization": f"Bearer {server.people['Tom Brennan']['token']}"},
                timeout=10,
            ).json()
            states.update({a["id"]: a["state"] for a in page["alerts"]})
            after, more = page["next"], page["more"]
        assert len(states) == 7 and states[jordan["id"]] == "acknowledged"
        assert set(states.values()) == {"acknowledged"}
        assert ad.errors == []
    finally:
        server.stop()
