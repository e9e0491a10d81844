"""The real server answers, and a phone signs in by its join link."""

import requests


def test_a_phone_joins_by_link_and_lands_on_its_screen(live):
    session = requests.Session()
    maya = live.people["Maya Okafor"]
    response = session.get(f"{live.url}/join/{maya['token']}", timeout=5)
    assert response.status_code == 200
    assert response.url.endswith("/ic")
    assert "Scene 15" in response.text
    assert requests.get(f"{live.url}/healthz", timeout=5).json() == {"ok": True}
