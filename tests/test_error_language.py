"""A refusal a person can act on comes in their language: a French performer whose phone
sends a stale "good to go" reads French, over HTTP and over the socket, while the same
request from an English phone still reads English. JSON keys stay as the API spells them."""

import uuid

import pytest
from conftest import csrf

from ictool import people, scenes, schedule_import

HEADER = "date,call_time,location,scene,description,intimacy,closed_set,cast\n"


def post(client, url: str, body=None, **kwargs):
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf(client)}, **kwargs)


def scene_id(db, number: str) -> int:
    return next(db["scenes"].rows_where("number = ?", [number]))["id"]


@pytest.fixture
def speaking(login):
    """A signed-in test client of a demo person who chose a language on their phone."""

    def sign_in(name: str, language: str):
        client = login(name)
        chosen = post(client, "/api/me/language", {"language": language})
        assert chosen.status_code == 200, chosen.get_json()
        return client

    return sign_in


def error(response, status: int) -> str:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "C'est la prise 1 qui se prépare, pas la prise 99."),
        ("en", "Take 1 is being prepared now, not take 99."),
    ],
)
def test_a_performers_good_to_go_for_a_stale_take_is_refused_in_their_words(
    speaking, db, language, words
):
    alex = speaking("Alex Rivera", language)
    url = f"/api/scenes/{scene_id(db, '15')}/good-to-go"
    assert error(post(alex, url, {"take": 99, "ok": True}), 422) == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Il n'y a pas encore de mise en place pour cette scène : rien à accepter."),
        ("en", "There is no blocking for this scene yet: nothing to agree to."),
    ],
)
def test_consent_to_a_scene_with_no_blocking_is_refused_in_their_words(
    speaking, db, person, language, words
):
    alex = person("Alex Rivera")
    new = scenes.add_scene(
        db, alex["production_id"], None, "31", "Shower", "partial_nudity", True, {alex["id"]: None}
    )
    client = speaking("Alex Rivera", language)
    assert error(post(client, f"/api/scenes/{new}/consent", {"version": 1}), 422) == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            "La mise en place a changé : la version 1 est la version actuelle. "
            "Lisez ce qui a changé, puis confirmez cette version.",
        ),
        (
            "en",
            "The blocking changed: version 1 is current. "
            "Read what changed, then confirm that version.",
        ),
    ],
)
def test_consent_to_an_old_version_says_so_in_their_words(speaking, db, language, words):
    sam = speaking("Sam Lindqvist", language)
    url = f"/api/scenes/{scene_id(db, '15')}/consent"
    assert error(post(sam, url, {"version": 7}), 409) == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "kind doit être l'une de ces valeurs : pause, concern."),
        ("en", "kind must be one of pause, concern."),
    ],
)
def test_a_malformed_alert_over_http_is_refused_in_their_words_keeping_the_json_key(
    speaking, language, words
):
    alex = speaking("Alex Rivera", language)
    body = {"kind": "nonsense", "client_id": str(uuid.uuid4())}
    assert error(post(alex, "/api/alerts", body), 422) == words


def test_a_french_second_ads_schedule_import_lists_its_errors_in_french(speaking):
    priya = speaking("Priya Shah", "fr")
    headers = {"X-CSRF-Token": csrf(priya), "Content-Type": "text/csv"}
    bad = priya.post("/api/schedule/import", data=HEADER + "x,07:00,S,90,D,,,\n", headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["error"] == "1 erreur(s) ; rien n'a été importé"
    assert bad.get_json()["errors"] == [
        {"row": 2, "column": "date", "message": "'x' n'est pas une date comme 2026-03-14"}
    ]


def test_the_session_language_is_used_before_anyone_chose_one(client, token, db):
    """A phone that picked French on the join page (session), not on the person."""
    client.get(f"/join/{token('Alex Rivera')}")
    with client.session_transaction() as s:
        s["lang"] = "fr"
    url = f"/api/scenes/{scene_id(db, '15')}/good-to-go"
    words = error(post(client, url, {"take": 99}), 422)
    assert words == "C'est la prise 1 qui se prépare, pas la prise 99."


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "kind doit être l'une de ces valeurs : pause, concern."),
        ("en", "kind must be one of pause, concern."),
    ],
)
def test_a_bad_alert_over_the_socket_answers_in_the_senders_words(
    sock, db, person, language, words
):
    people.set_language(db, person("Alex Rivera")["id"], language)
    payload = {"kind": "nonsense", "client_id": str(uuid.uuid4())}
    answer = sock("Alex Rivera").emit("alert:raise", payload, callback=True)
    assert answer == {"status": 422, "error": words}


def test_outside_a_request_the_words_stay_english(db, person):
    """The CLI imports schedules with no app or request: its errors are English."""
    with pytest.raises(schedule_import.ImportFailed) as failed:
        schedule_import.parse(db, person("Alex Rivera")["production_id"], b"")
    assert str(failed.value) == "1 error(s); nothing was imported"
    assert str(failed.value.errors[0]) == "row 1, column -: the file is empty"
