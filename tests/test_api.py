"""The JSON API: the same data as the screens, documented, and clear about bad input."""

import ast
import re
from pathlib import Path

from conftest import csrf

from ictool.views import openapi


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = set(client.get("/api/openapi.json").get_json()["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, f"{rule.rule} is not in /api/openapi.json"
            methods = set(openapi.PATHS[path]) - {"parameters"}
            assert rule.methods - {"HEAD", "OPTIONS"} <= {m.upper() for m in methods}, path


def test_the_openapi_document_writes_no_list_of_allowed_values_of_its_own():
    """Every enum in the document is a domain constant: a value the domain starts to accept
    or stops accepting cannot be left out of date in the document."""
    tree = ast.parse(Path(openapi.__file__).read_text(encoding="utf-8"))
    written = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and key.value == "enum"
        if isinstance(value, ast.List | ast.Tuple | ast.Set)
        and any(isinstance(item, ast.Constant) for item in value.elts)
    ]
    assert written == [], f"enum values written out at lines {written} of {openapi.__file__}"


def test_the_documented_values_are_those_the_domain_enforces(client):
    from ictool import alerts, people, scenes

    schemas = client.get("/api/openapi.json").get_json()
    raise_body = schemas["paths"]["/api/alerts"]["post"]["requestBody"]
    fields = raise_body["content"]["application/json"]["schema"]["properties"]
    assert fields["kind"]["enum"] == list(alerts.PUBLIC_KINDS)
    assert fields["audience"]["enum"] == list(alerts.AUDIENCES)
    assert re.fullmatch(fields["client_id"]["pattern"], "a" * 8)
    assert "performer" in people.ROLES and "full_nudity" in scenes.INTIMACY


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
