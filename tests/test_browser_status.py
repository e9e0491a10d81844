"""The sender's status line says exactly who has the alert, in real Chromium: for each
audience (IC only, IC and AD), with and without the name withheld, for a pause and a consent
withdrawal. A concern for the IC only never claims the AD has it, even after the AD's phone
received its masked notice."""

import pytest
import requests
import socketio
from browser import wait_online
from playwright.sync_api import expect
from serverproc import ServerProcess, demo_database

WAIT = 15_000


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("status")
    server = ServerProcess(
        folder / "live.db", folder / "instance", env={"ICTOOL_ESCALATION_SECONDS": "3600"}
    )
    server.people = demo_database(folder / "live.db")
    server.start()
    yield server
    server.stop()


def _device(live, name: str) -> socketio.Client:
    """A receiving phone that only says "shown on this device" when told to."""
    client = socketio.Client(reconnection=False)
    client.connect(live.url, transports=["websocket"], auth={"token": live.people[name]["token"]})
    return client


def _newest(live) -> dict:
    token = live.people["Maya Okafor"]["token"]
    answer = requests.get(
        f"{live.url}/api/alerts?state=all",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return max(answer.json()["alerts"], key=lambda a: a["id"])


def _ack(live, alert_id: int, action: str = "ack") -> None:
    token = live.people["Maya Okafor"]["token"]
    answer = requests.post(
        f"{live.url}/api/alerts/{alert_id}/{action}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


CASES = [  # how it is raised, the line's kind, whether the AD's receipt is told
    ("pause", None, "Pause", True),
    ("concern", ("ic", False), "Concern for the IC only", False),
    ("concern", ("ic", True), "Concern for the IC only", False),
    ("concern", ("ic_and_ad", False), "Concern for the IC and the AD", True),
    (
        "concern",
        ("ic_and_ad", True),
        "Concern for the IC and the AD, your name withheld from the AD",
        True,
    ),
    ("withdrawal", None, "Consent withdrawal", True),
]


def test_each_audience_and_anonymity_says_who_really_has_it(live, new_phone):
    alex = new_phone(live.people["Alex Rivera"]["token"])
    wait_online(alex)
    status = alex.locator("#alert-status")
    ad, ic = _device(live, "Tom Brennan"), _device(live, "Maya Okafor")
    try:
        for kind, concern, line, ad_has_it in CASES:
            if kind == "pause":
                alex.locator("#pause-btn").click()
            elif kind == "concern":
                audience, anonymous = concern
                alex.locator("#concern-btn").click()
                dialog = alex.get_by_role("dialog")
                dialog.get_by_label("I need a moment").check()
                dialog.locator(f'input[name="audience"][value="{audience}"]').check()
                dialog.locator("#concern-anonymous").set_checked(anonymous)
                dialog.get_by_role("button", name="Send concern").click()
            else:
                scene = alex.locator("article.scene", has_text="Scene 15")
                scene.get_by_role("button", name="Withdraw my consent").click()
            expect(status).to_have_text(f"{line}: Sent", timeout=WAIT)
            alert = _newest(live)

            assert ad.call("alert:received", {"id": alert["id"]}, timeout=10)["status"] == 200
            if ad_has_it:
                expect(status).to_have_text(f"{line}: Delivered to the AD's device", timeout=WAIT)
            else:  # the AD's phone only learnt that a concern exists
                alex.wait_for_timeout(500)
                expect(status).to_have_text(f"{line}: Sent")

            assert ic.call("alert:received", {"id": alert["id"]}, timeout=10)["status"] == 200
            both = "Delivered to the IC's and the AD's devices"
            delivered = both if ad_has_it else "Delivered to the IC's device"
            expect(status).to_have_text(f"{line}: {delivered}", timeout=WAIT)

            _ack(live, alert["id"])
            verb = "Read" if kind == "concern" else "Acknowledged"
            expect(status).to_have_text(f"{line}: {verb} by the IC (Maya Okafor)", timeout=WAIT)
            assert "AD" not in status.inner_text().replace(line, "") or ad_has_it
            # resolved, so the next one is new (the same concern while open is the same alert)
            _ack(live, alert["id"], "resolve")
            expect(status).to_contain_text("Resolved", timeout=WAIT)
        assert alex.errors == []
    finally:
        ad.disconnect()
        ic.disconnect()
