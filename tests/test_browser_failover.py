"""In Chromium: a phone whose server dies moves to the set's other server by itself, says
which one it is using, and offers that server the pause the dead one had confirmed but
whose copy had not reached it (the other server restores it, once)."""

import time

import requests
from browser import wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, free_port
from test_failover import seeded

from ictool.backup import copy_database

WAIT = 30_000
OUTBOX_EMPTY = (
    "() => localStorage.getItem(`ictool.outbox.${document.body.dataset.personId}`) === '[]'"
)


def alerts_on(server: ServerProcess, token: str) -> list[dict]:
    r = requests.get(
        f"{server.url}/api/alerts?state=all",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return r.json()["alerts"]


def test_a_phone_moves_to_the_other_server_and_offers_its_confirmed_pause_again(
    tmp_path, new_phone
):
    cast = seeded(tmp_path / "a.db")
    copy_database(str(tmp_path / "a.db"), tmp_path / "b.db")  # the other laptop's copy, older
    ports = free_port(), free_port()
    # another host name for the other server, so this browser holds no cookie for it: the
    # phone must sign in there with its failover ticket
    urls = [f"http://127.0.0.1:{ports[0]}", f"http://localhost:{ports[1]}"]
    secret = {"ICTOOL_SECRET_KEY": "browser-failover-secret-0123456789abcdef"}
    a = ServerProcess(tmp_path / "a.db", tmp_path / "ia", port=ports[0],
                      env={**secret, "ICTOOL_PEERS": urls[1]})  # fmt: skip
    b = ServerProcess(tmp_path / "b.db", tmp_path / "ib", port=ports[1],
                      env={**secret, "ICTOOL_PEERS": urls[0]})  # fmt: skip
    a.start()
    b.start()
    try:
        sam, maya = cast["Sam Lindqvist"]["token"], cast["Maya Okafor"]["token"]
        phone = new_phone(sam, server=a)
        wait_online(phone)
        phone.wait_for_function("() => localStorage.getItem('ictool.servers') !== null")
        phone.locator("#pause-btn").click()
        phone.wait_for_function(
            OUTBOX_EMPTY,
            timeout=WAIT,
        )
        confirmed = [x["client_id"] for x in alerts_on(a, maya)]
        assert len(confirmed) == 1 and alerts_on(b, maya) == []

        a.kill()  # the set computer dies before its copy of the pause reached the other one

        note = phone.locator("#failover")
        expect(note).to_contain_text("Now using the set’s server at", timeout=WAIT)
        assert phone.url.startswith(urls[1])
        expect(note).to_contain_text(f"localhost:{ports[1]}")
        cookies = {c["domain"] for c in phone.context.cookies()}
        assert {"127.0.0.1", "localhost"} <= cookies
        phone.wait_for_function(
            OUTBOX_EMPTY,
            timeout=WAIT,
        )
        on_b = [x["client_id"] for x in alerts_on(b, maya)]
        assert on_b == confirmed  # offered again by its client_id: there, exactly once
        assert phone.errors == []
    finally:
        a.stop()
        b.stop()


def test_a_phone_offers_its_confirmed_pause_again_to_a_server_that_replaced_its_own(
    tmp_path, new_phone
):
    """The standby took over the same address (or the set computer was restored from a
    copy a little older than its last pause): on reconnecting, the phone offers what was
    confirmed in the last minutes again, and the pause is there once."""
    cast = seeded(tmp_path / "a.db")
    copy_database(str(tmp_path / "a.db"), tmp_path / "b.db")
    port = free_port()
    secret = {"ICTOOL_SECRET_KEY": "browser-failover-secret-0123456789abcdef"}
    a = ServerProcess(tmp_path / "a.db", tmp_path / "ia", port=port, env=secret)
    b = ServerProcess(tmp_path / "b.db", tmp_path / "ib", port=port, env=secret)
    a.start()
    try:
        sam, maya = cast["Sam Lindqvist"]["token"], cast["Maya Okafor"]["token"]
        phone = new_phone(sam, server=a)
        wait_online(phone)
        phone.locator("#pause-btn").click()
        phone.wait_for_function(OUTBOX_EMPTY, timeout=WAIT)
        confirmed = [x["client_id"] for x in alerts_on(a, maya)]
        a.kill()
        expect(phone.locator("#conn")).to_have_attribute("data-state", "offline", timeout=WAIT)
        b.start()  # the same address, an older copy of the record
        wait_online(phone)
        deadline = time.monotonic() + WAIT / 1000
        while not alerts_on(b, maya) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [x["client_id"] for x in alerts_on(b, maya)] == confirmed
        assert phone.errors == []
    finally:
        a.stop()
        b.stop()
