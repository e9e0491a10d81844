"""The usual web defences: CSRF, CSP, cookie flags, body size, rate limits, clear 4xx."""

import re

import pytest
from conftest import csrf

from ictool import create_app, demo
from ictool.db import connect
from ictool.ratelimit import Limiter


def _app(tmp_path, **config):
    app = create_app(
        {"TESTING": True, "DB": str(tmp_path / "s.db"), "SECRET_KEY": "test", **config},
        instance_path=str(tmp_path / "instance"),
    )
    db = connect(app.config["DB"])
    demo.seed(db)
    db.close()
    return app


def _token(app, name: str) -> str:
    from ictool import people

    db = connect(app.config["DB"])
    person = next(db["people"].rows_where("name = ?", [name]))
    token = people.issue_token(db, person["id"])
    db.close()
    return token


# --- CSRF -------------------------------------------------------------------------------


def test_a_cookie_write_without_the_csrf_token_is_refused(login):
    maya = login("Maya Okafor")
    response = maya.post("/api/me/language", json={"language": "fr"})
    assert response.status_code == 403
    assert "expired" in response.get_json()["error"]
    wrong = maya.post(
        "/api/me/language", json={"language": "fr"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403


def test_a_cookie_write_with_the_csrf_token_goes_through(login):
    maya = login("Maya Okafor")
    response = maya.post(
        "/api/me/language", json={"language": "fr"}, headers={"X-CSRF-Token": csrf(maya)}
    )
    assert response.status_code == 200
    assert response.get_json() == {"language": "fr"}


def test_a_form_post_needs_the_csrf_field(login):
    maya = login("Maya Okafor")
    assert maya.post("/signout").status_code == 403
    assert maya.post("/signout", data={"csrf_token": csrf(maya)}).status_code == 302


def test_a_bearer_token_write_needs_no_csrf_token(client, token):
    response = client.post(
        "/api/me/language",
        json={"language": "de"},
        headers={"Authorization": f"Bearer {token('Tom Brennan')}"},
    )
    assert response.status_code == 200


def test_the_page_meta_tag_carries_the_session_csrf_token(login):
    maya = login("Maya Okafor")
    page = maya.get("/ic").get_data(as_text=True)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found and found.group(1) == csrf(maya)


# --- CSP and headers --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Maya Okafor", "Tom Brennan", "Alex Rivera", "Ruth Adeyemi"])
def test_pages_send_a_strict_csp_and_have_no_inline_script_or_style(login, name):
    c = login(name)
    response = c.get("/home", follow_redirects=True)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_and_join_responses_are_not_cached(client, token):
    assert client.get("/api/me").headers["Cache-Control"] == "no-store"
    assert client.get(f"/join/{token('Alex Rivera')}").headers["Cache-Control"] == "no-store"


# --- cookies ------------------------------------------------------------------------------


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[0]


def test_the_session_cookie_is_httponly_and_samesite_and_not_secure_over_http(client, token):
    cookie = _session_cookie(client.get(f"/join/{token('Alex Rivera')}"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(client, token):
    response = client.get(f"/join/{token('Alex Rivera')}", base_url="https://set.local")
    assert "; Secure" in _session_cookie(response)


def test_the_session_cookie_is_secure_when_forced_by_config(tmp_path):
    app = _app(tmp_path, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get(f"/join/{_token(app, 'Alex Rivera')}")
    assert "; Secure" in _session_cookie(response)


def test_behind_a_trusted_proxy_https_is_taken_from_x_forwarded_proto(tmp_path):
    app = _app(tmp_path, PROXY_HOPS=1)
    response = app.test_client().get(
        f"/join/{_token(app, 'Alex Rivera')}", headers={"X-Forwarded-Proto": "https"}
    )
    assert "; Secure" in _session_cookie(response)


def test_without_a_proxy_x_forwarded_proto_is_ignored(client, token):
    response = client.get(f"/join/{token('Alex Rivera')}", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in _session_cookie(response)


# --- body size and bad input -------------------------------------------------------------


def test_a_body_over_the_limit_is_413(client, token):
    response = client.post(
        "/api/me/language",
        data=b"x" * (256 * 1024 + 1),
        headers={
            "Authorization": f"Bearer {token('Maya Okafor')}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413
    assert response.get_json()["status"] == 413


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        (
            "post",
            "/api/me/language",
            {"data": "{not json", "content_type": "application/json"},
            400,
        ),
        ("post", "/api/me/language", {"data": "language=fr"}, 400),
        ("post", "/api/me/language", {"json": ["fr"]}, 400),
        ("post", "/api/me/language", {"json": {"language": "xx"}}, 422),
        ("post", "/api/me/language", {"json": {"language": {"a": 1}}}, 422),
        ("get", "/api/scenes/abc", {}, 404),
        ("get", "/api/scenes/99999999999999999999999", {}, 404),
        ("get", "/api/scenes/0", {}, 404),
        ("get", "/api/home?day=x", {}, 400),
        ("get", "/api/home?day=99999999999999999999999", {}, 400),
        ("get", "/api/nothing-here", {}, 404),
        ("delete", "/api/me", {}, 405),
        ("post", "/api/scenes/1/blocking", {"json": {"beats": "one"}}, 403),
        ("post", "/api/people/999999/link", {"json": {}}, 404),  # the 1st AD links crew (issue 11)
    ],
)
def test_bad_input_is_a_clear_json_4xx(client, token, method, path, kwargs, status):
    headers = {"Authorization": f"Bearer {token('Tom Brennan')}"}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status and body["error"]


def test_an_unknown_join_link_is_a_friendly_403(client):
    response = client.get("/join/not-a-real-token")
    assert response.status_code == 403
    assert "text/html" in response.headers["Content-Type"]


# --- rate limits --------------------------------------------------------------------------


def test_ten_failed_join_links_a_minute_then_429_with_retry_after(tmp_path):
    app = _app(tmp_path)
    c = app.test_client()
    for i in range(10):
        assert c.get(f"/join/guess-{i}").status_code == 403
    blocked = c.get("/join/guess-10")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # a real link still signs in: a phone behind the same NAT is not locked out
    assert c.get(f"/join/{_token(app, 'Alex Rivera')}").status_code == 302
    # another address is not affected
    other = app.test_client()
    response = other.get(
        f"/join/{_token(app, 'Alex Rivera')}", environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert response.status_code == 302


def test_successful_joins_do_not_count(tmp_path):
    app = _app(tmp_path)
    c = app.test_client()
    for _ in range(15):
        assert c.get(f"/join/{_token(app, 'Alex Rivera')}").status_code == 302


def test_bearer_token_guessing_is_limited_too(tmp_path):
    app = _app(tmp_path)
    c = app.test_client()
    for i in range(10):
        response = c.get("/api/me", headers={"Authorization": f"Bearer guess-{i}"})
        assert response.status_code == 401
    blocked = c.get("/api/me", headers={"Authorization": "Bearer guess-x"})
    assert blocked.status_code == 429
    assert blocked.get_json()["status"] == 429
    assert int(blocked.headers["Retry-After"]) >= 1


def test_the_api_has_a_per_address_request_limit(tmp_path):
    app = _app(tmp_path, RATE_LIMIT_API=5)
    c = app.test_client()
    headers = {"Authorization": f"Bearer {_token(app, 'Maya Okafor')}"}
    assert [c.get("/api/me", headers=headers).status_code for _ in range(5)] == [200] * 5
    blocked = c.get("/api/me", headers=headers)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert c.get("/healthz").status_code == 200  # pages and health are not API-limited
    pause = {"kind": "pause", "client_id": "0b7c1f6e-3c55-4b8e-9a57-7d1f0c2f5a10"}
    assert c.post("/api/alerts", json=pause, headers=headers).status_code == 201  # never refused


def test_rate_limits_can_be_turned_off(tmp_path):
    app = _app(tmp_path, RATE_LIMITS=False)
    c = app.test_client()
    assert {c.get(f"/join/guess-{i}").status_code for i in range(30)} == {403}


def test_a_bucket_refills_with_time(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("ictool.ratelimit.time.monotonic", lambda: clock[0])
    limiter = Limiter(10, period=60)
    assert [limiter.hit("a") for _ in range(10)] == [0] * 10
    assert limiter.hit("a") == 6  # one token back in 6 s
    clock[0] += 6
    assert limiter.hit("a") == 0
    assert limiter.hit("b") == 0
