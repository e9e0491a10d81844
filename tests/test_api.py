"""The JSON API: the same data as the screens, documented, and clear about bad input."""

import re

from conftest import csrf

from ictool import openapi


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = set(client.get("/api/openapi.json").get_json()["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, f"{rule.rule} is not in /api/openapi.json"
            methods = set(openapi.PATHS[path]) - {"parameters"}
            assert rule.methods - {"HEAD", "OPTIONS"} <= {m.upper() for m in methods}, path


def test_home_screen_data_matches_the_role(login):
    assert login("Maya Okafor").get("/api/home").get_json()["screen"] == "ic"
    assert login("Tom Brennan").get("/api/home").get_json()["screen"] == "ad"
    performer = login("Alex Rivera").get("/api/home").get_json()
    assert performer["screen"] == "performer"
    assert {s["number"] for s in performer["scenes"]} == {"12", "14", "15"}
    assert all("blocking" in s for s in performer["scenes"])


def test_saving_blocking_makes_a_new_version_with_author(login, db):
    ic = login("Maya Okafor")
    scene = next(db["scenes"].rows_where("number = '15'"))
    url = f"/api/scenes/{scene['id']}/blocking"
    before = ic.get(url).get_json()
    response = ic.post(url, json={"beats": ["One", "Two"]}, headers={"X-CSRF-Token": csrf(ic)})
    assert response.status_code == 201
    saved = response.get_json()
    assert saved["version"] == before[0]["version"] + 1 and saved["author_id"]
    history = ic.get(url).get_json()
    assert [v["version"] for v in history] == [saved["version"], before[0]["version"]]
    assert history[1]["beats"] == before[0]["beats"]  # the earlier version is untouched


def test_bad_input_gets_a_clear_4xx_message(login, db):
    ic = login("Maya Okafor")
    scene = next(db["scenes"].rows_where("number = '15'"))
    url = f"/api/scenes/{scene['id']}/blocking"
    headers = {"X-CSRF-Token": csrf(ic)}
    cases = [
        (dict(data="not json", content_type="text/plain"), 400, "JSON object"),
        (dict(json=["a list"]), 400, "JSON object"),
        (dict(json={"beats": []}), 422, "non-empty list"),
        (dict(json={"beats": ["ok", 3]}), 422, "beat 2"),
        (dict(json={"beats": ["x" * 501]}), 422, "longer than"),
    ]
    for kwargs, status, words in cases:
        response = ic.post(url, headers=headers, **kwargs)
        assert response.status_code == status, kwargs
        assert words in response.get_json()["error"], response.get_json()
    assert ic.get("/api/scenes/99999").status_code == 404
    assert ic.get("/api/home?day=abc").status_code == 400
    assert ic.post(url, data="x" * 300_000, headers=headers).status_code == 413


def test_writes_with_a_session_cookie_need_the_csrf_token(login, db):
    ic = login("Maya Okafor")
    scene = next(db["scenes"].rows_where("number = '15'"))
    response = ic.post(f"/api/scenes/{scene['id']}/blocking", json={"beats": ["x"]})
    assert response.status_code == 403
    assert "expired" in response.get_json()["error"]
