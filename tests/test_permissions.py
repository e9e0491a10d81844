"""Every route, walked by every role: the server answers 200 or 403 as the role
allows (or 401 signed out), and never a 500."""

import pytest
from conftest import csrf

CAST = {
    "coordinator": "Maya Okafor",
    "first_ad": "Tom Brennan",
    "second_ad": "Priya Shah",
    "director": "Lena Voss",
    "performer": "Alex Rivera",
    "other_performer": "Jordan Blake",  # not in scene 15
    "producer": "Ruth Adeyemi",
    "crew": "Kenji Mori",
}

OK, NO = 200, 403
# GET route -> expected status per cast member (scene 15 is Alex's, not Jordan's).
EXPECTED = {
    "/ic": dict(coordinator=OK),
    "/ad": dict(first_ad=OK, second_ad=OK, director=OK),
    "/me": dict(performer=OK, other_performer=OK),
    "/producer": dict(producer=OK),
    "/crew": dict(crew=OK),
    "/scenes/15": dict(
        coordinator=OK, first_ad=OK, second_ad=OK, director=OK, performer=OK, producer=OK
    ),
    "/people": dict(coordinator=OK, first_ad=OK, second_ad=OK, producer=OK),
    "/schedule": dict(coordinator=OK, first_ad=OK, second_ad=OK, producer=OK),
    "/api/schedule": dict(coordinator=OK, first_ad=OK, second_ad=OK, director=OK, producer=OK),
    "/api/home": {who: OK for who in CAST},
    "/api/me": {who: OK for who in CAST},
    "/api/production": {who: OK for who in CAST},
    "/api/scenes": {who: OK for who in CAST},
    "/api/days": dict(coordinator=OK, first_ad=OK, second_ad=OK, director=OK, producer=OK),
    "/api/scenes/15": dict(
        coordinator=OK, first_ad=OK, second_ad=OK, director=OK, performer=OK, producer=OK
    ),
    "/api/scenes/15/blocking": dict(coordinator=OK, director=OK, performer=OK),
    "/api/people": dict(coordinator=OK, first_ad=OK, second_ad=OK, producer=OK),
    "/api/scenes/15/roster": dict(
        coordinator=OK, first_ad=OK, second_ad=OK, director=OK, performer=OK
    ),
    "/api/production/essential-roles": dict(coordinator=OK, producer=OK),
    "/api/replica": dict(coordinator=OK),
    "/api/servers": {who: OK for who in CAST},
    "/api/schedule.uss": dict(coordinator=OK, first_ad=OK, second_ad=OK, producer=OK),
    # rider terms (issue 13): terms for the IC (and, on their own rider, the performer),
    # yes/no per beat for the director, statuses for the ADs and the producer
    "/api/scenes/15/rider-terms": dict(coordinator=OK),
    "/api/scenes/15/rider-check": dict(coordinator=OK, director=OK),
    "/api/scenes/15/rider-status": dict(
        coordinator=OK, first_ad=OK, second_ad=OK, director=OK, producer=OK
    ),
    "/api/riders/matrix": dict(coordinator=OK),
    "/api/riders/matrix.csv": dict(coordinator=OK),
    "/api/riders/matrix.pdf": dict(coordinator=OK),
    "/riders/matrix": dict(coordinator=OK),
}


@pytest.fixture
def clients(login):
    return {who: login(name) for who, name in CAST.items()}


def _scene_id(db, number: str) -> int:
    return next(db["scenes"].rows_where("number = ?", [number]))["id"]


def test_each_screen_answers_each_role_as_allowed(clients, client, db):
    scene15 = _scene_id(db, "15")
    for route, allowed in EXPECTED.items():
        url = route.replace("/15", f"/{scene15}")
        assert client.get(url).status_code == 401, f"{url} signed out"
        for who, c in clients.items():
            status = c.get(url).status_code
            assert status == allowed.get(who, NO), f"{url} as {who}: {status}"


def test_a_performer_cannot_read_a_scene_they_are_not_in(clients, db):
    scene15 = _scene_id(db, "15")
    jordan = clients["other_performer"]
    assert jordan.get(f"/scenes/{scene15}").status_code == 403
    assert jordan.get(f"/api/scenes/{scene15}/blocking").status_code == 403
    listed = {s["number"] for s in jordan.get("/api/scenes").get_json()}
    assert listed == {"22", "23"}


def test_crew_never_see_blocking(clients):
    data = clients["crew"].get("/api/home").get_json()
    assert "blocking" not in str(data).lower()
    assert data["rules"]


def _sample_url(rule, ids: dict) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids.get(arg, 1))).replace(f"<{arg}>", "x")
    return url


def test_every_route_answers_every_role_without_a_server_error(app, clients, client, db):
    """Routes added by any feature are walked too: GET, and POST with an empty body."""
    ids = {"scene_id": _scene_id(db, "15"), "person_id": 5, "alert_id": 1, "day_id": 1}
    skip = {"static", "join.signout"}  # signing out mid-walk would sign the walker out
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in skip]
    assert len(rules) > 15
    for rule in rules:
        url = _sample_url(rule, ids)
        for who, c in [("signed out", client), *clients.items()]:
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "GET":
                    response = c.get(url)
                else:
                    headers = {"X-CSRF-Token": csrf(c)} if who != "signed out" else {}
                    response = c.post(url, json={}, headers=headers)
                assert response.status_code < 500, f"{method} {url} as {who}"


# Who manages whom (issue 11): the producer everyone, the IC performers and crew, ADs crew.
MANAGED_BY = {
    "Kenji Mori": dict(producer=OK, coordinator=OK, first_ad=OK, second_ad=OK),  # crew
    "Jordan Blake": dict(producer=OK, coordinator=OK),  # a performer
    "Tom Brennan": dict(producer=OK),  # the 1st AD
    "Maya Okafor": dict(producer=OK),  # the IC (and not herself)
    "Ruth Adeyemi": {},  # the producer: nobody manages themselves
}
PEOPLE_VIEW = dict(coordinator=OK, first_ad=OK, second_ad=OK, producer=OK)


def test_the_people_routes_follow_who_manages_whom(clients, client, person):
    for name, managers in MANAGED_BY.items():
        target = person(name)["id"]
        for url, allowed in (
            (f"/people/{target}", managers),
            (f"/api/people/{target}", PEOPLE_VIEW),
        ):
            assert client.get(url).status_code == 401, f"{url} signed out"
            for who, c in clients.items():
                status = c.get(url).status_code
                assert status == allowed.get(who, NO), f"{url} ({name}) as {who}: {status}"
        for who, c in clients.items():
            sent = c.patch(
                f"/api/people/{target}", json={"language": "fr"}, headers={"X-CSRF-Token": csrf(c)}
            )
            assert sent.status_code == managers.get(who, NO), (
                f"PATCH {name} as {who}: {sent.status_code}"
            )
