"""Joining by link: no password, hashed tokens, revocation, expiry, Bearer for scripts."""

import hashlib

from conftest import csrf

from ictool import people


def test_a_join_link_signs_in_and_lands_on_the_role_screen(client, token):
    response = client.get(f"/join/{token('Alex Rivera')}")
    assert response.status_code == 302
    assert client.get("/home").headers["Location"].endswith("/me")
    page = client.get("/me").get_data(as_text=True)
    assert "Scene 15" in page and "Alex Rivera" in page


def test_tokens_are_long_random_and_only_their_hash_is_stored(db, token):
    raw = token("Sam Lindqvist")
    assert len(raw) >= 32  # 192 bits in url-safe base64
    stored = [r["token_hash"] for r in db["tokens"].rows]
    assert raw not in stored
    assert hashlib.sha256(raw.encode()).hexdigest() in stored


def test_a_bad_token_gets_a_friendly_page_and_403(client):
    response = client.get("/join/not-a-real-token")
    assert response.status_code == 403
    assert "does not work" in response.get_data(as_text=True)


def test_revoking_signs_the_phone_out_at_its_next_request(app, db, person, token):
    raw = token("Jordan Blake")
    phone = app.test_client()
    phone.get(f"/join/{raw}")
    assert phone.get("/me").status_code == 200
    people.revoke_tokens(db, person("Jordan Blake")["id"])
    assert phone.get("/me").status_code == 401
    assert phone.get(f"/join/{raw}").status_code == 403


def test_links_expire_when_the_production_ends(client, db, token):
    raw = token("Alex Rivera")
    db.execute("UPDATE productions SET ends_on = '2020-01-01'")
    db.execute("UPDATE tokens SET expires_at = '2020-01-02'")
    db.conn.commit()
    assert client.get(f"/join/{raw}").status_code == 403
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_same_token_works_as_a_bearer_token_on_the_api(client, token):
    headers = {"Authorization": f"Bearer {token('Tom Brennan')}"}
    me = client.get("/api/me", headers=headers).get_json()
    assert me["name"] == "Tom Brennan" and me["role"] == "first_ad"
    assert client.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_ic_shows_a_scannable_code_for_anyone(login, person):
    ic = login("Maya Okafor")
    sam = person("Sam Lindqvist")
    page = ic.post(f"/people/{sam['id']}/link", data={"csrf_token": csrf(ic)})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<svg" in text and "/join/" in text
    assert ic.post(f"/people/{sam['id']}/link").status_code == 403  # no CSRF token
    alex = login("Alex Rivera")
    assert (
        alex.post(f"/people/{sam['id']}/link", data={"csrf_token": csrf(alex)}).status_code == 403
    )


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
