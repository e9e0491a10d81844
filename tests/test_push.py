"""Alerts reach phones through web push: a real round trip to a local push service."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from types import SimpleNamespace

import jwt
import pytest
import requests
import sqlite_utils
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fake_push_service import FakePushService, make_subscription
from webpush import VAPID, WebPush, WebPushSubscription

from ictool import people, productions, push
from ictool.db import connect

PAUSE = {"type": "alert:pause", "scene": "12A", "from": "Performer B", "text": "Pause, please"}


@pytest.fixture(autouse=True)
def local_push_service(monkeypatch):
    """The fake push service listens on loopback over http: let push reach it (the setting
    is off by default, and then such an endpoint is refused: see test_hostile_record)."""
    monkeypatch.setenv("ICTOOL_PUSH_ALLOW_PRIVATE", "1")


@pytest.fixture
def db(tmp_path) -> Iterator[sqlite_utils.Database]:
    """A real, migrated SQLite file."""
    database = connect(str(tmp_path / "t.db"))
    yield database
    database.close()


@pytest.fixture
def crew(db) -> SimpleNamespace:
    """The first AD, a performer, and someone who never subscribed."""
    production = productions.create(db, "Night Swim", "sag_aftra")
    return SimpleNamespace(
        ad=people.add(db, production, "Sam", "first_ad"),
        performer=people.add(db, production, "Performer B", "performer"),
        nobody=people.add(db, production, "Lee", "director"),
    )


@pytest.fixture
def keys(tmp_path) -> push.VapidKeys:
    return push.load_or_create_vapid(tmp_path / "instance")


@pytest.fixture
def service():
    with FakePushService() as running:
        yield running


def endpoints(db) -> set[str]:
    return {row["endpoint"] for row in db.query("SELECT endpoint FROM push_subscriptions")}


def test_vapid_keys_are_made_once_kept_private_and_reused(tmp_path):
    instance = tmp_path / "instance"
    first = push.load_or_create_vapid(instance)
    path = instance / "vapid.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert push.load_or_create_vapid(instance) == first
    assert first.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(push._decode(first.application_server_key)) == 65
    assert [p.name for p in instance.iterdir()] == ["vapid.json"]  # no temp files left


def test_loose_permissions_on_the_key_file_are_tightened(tmp_path):
    first = push.load_or_create_vapid(tmp_path)
    (tmp_path / "vapid.json").chmod(0o644)
    assert push.load_or_create_vapid(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "vapid.json").stat().st_mode) == 0o600


def test_a_phone_subscribes_and_resubscribing_updates_the_same_row(db, crew, service):
    subscription = make_subscription(service, "ad-phone")
    first = push.subscribe(db, crew.ad, subscription)
    again = push.subscribe(db, crew.performer, subscription)  # the phone changed hands
    assert first == again
    row = db["push_subscriptions"].get(first)
    assert row["person_id"] == crew.performer
    assert row["created_at"].endswith("+00:00")
    assert push.unsubscribe(db, crew.ad, subscription["endpoint"]) is False
    assert push.unsubscribe(db, crew.performer, subscription["endpoint"]) is True
    assert endpoints(db) == set()


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda s: s.pop("endpoint"), "endpoint"),
        (lambda s: s.update(endpoint="ftp://push.example/x"), "http(s) endpoint"),
        (lambda s: s.update(endpoint="https://"), "endpoint"),
        (lambda s: s.pop("keys"), "missing its p256dh"),
        (lambda s: s["keys"].pop("auth"), "missing its auth"),
        (lambda s: s["keys"].update(p256dh="abc+/def"), "p256dh key must be a base64url"),
        (lambda s: s["keys"].update(p256dh="AAAA"), "not a P-256 public key"),
        (lambda s: s["keys"].update(auth="AAAA"), "16 bytes"),
        (lambda s: s["keys"].update(auth=12345), "auth key must be a base64url"),
    ],
)
def test_a_malformed_subscription_is_refused_in_plain_words(db, crew, service, mangle, words):
    subscription = make_subscription(service, "phone")
    mangle(subscription)
    with pytest.raises(ValueError, match=r"push subscription") as refused:
        push.subscribe(db, crew.ad, subscription)
    assert words in str(refused.value)
    assert endpoints(db) == set()


@pytest.mark.parametrize("not_a_subscription", [None, "https://push.example/x", [], 42])
def test_something_that_is_not_a_subscription_object_is_refused(db, crew, not_a_subscription):
    with pytest.raises(ValueError, match="needs an http"):
        push.subscribe(db, crew.ad, not_a_subscription)


def test_a_pause_reaches_the_phone_decrypted_signed_urgent(db, crew, keys, service):
    push.subscribe(db, crew.ad, make_subscription(service, "ad-phone"))
    push.subscribe(db, crew.ad, make_subscription(service, "ad-laptop"))
    push.subscribe(db, crew.performer, make_subscription(service, "someone-else"))

    report = push.send(db, [crew.ad], PAUSE, keys)

    assert report == push.SendReport(sent=2, failed=0, removed=0)
    assert service.rejected == []
    assert {m.name for m in service.received} == {"ad-phone", "ad-laptop"}
    for message in service.received:
        assert message.payload == PAUSE
        assert message.headers["urgency"] == "high"
        assert int(message.headers["ttl"]) >= 300
        assert message.headers["content-encoding"] == "aes128gcm"
        assert message.headers["authorization"].endswith(f"k={keys.application_server_key}")
        assert message.claims["sub"] == "mailto:ictool@localhost"  # not mailto:mailto:
        assert message.claims["aud"] == "http://127.0.0.1"  # webpush drops the port


def test_options_do_not_leak_between_sends(db, crew, keys, service):
    push.subscribe(db, crew.ad, make_subscription(service, "phone"))
    push.send(db, [crew.ad], PAUSE, keys, subscriber="mailto:first@set.example", ttl=900)
    push.send(db, [crew.ad], PAUSE, keys)
    first, second = service.messages_for("phone")
    assert (first.headers["ttl"], first.claims["sub"]) == ("900", "mailto:first@set.example")
    assert (second.headers["ttl"], second.claims["sub"]) == ("300", "mailto:ictool@localhost")


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_service_calls_gone_is_deleted(db, crew, keys, service, status):
    live = make_subscription(service, "live")
    dead = make_subscription(service, "dead")
    push.subscribe(db, crew.ad, live)
    push.subscribe(db, crew.ad, dead)
    service.answer("dead", status)

    report = push.send(db, [crew.ad], PAUSE, keys)

    assert report == push.SendReport(sent=1, failed=0, removed=1)
    assert endpoints(db) == {live["endpoint"]}
    assert [r.status for r in service.rejected] == [status]


def test_an_unreachable_service_is_counted_not_raised(db, crew, keys, service):
    push.subscribe(db, crew.ad, make_subscription(service, "phone"))
    service.stop()  # the port is closed now

    report = push.send(db, [crew.ad], PAUSE, keys)

    assert report == push.SendReport(sent=0, failed=1, removed=0)
    assert len(endpoints(db)) == 1  # a network failure is not a reason to forget the phone


def test_a_server_error_is_counted_as_failed_and_kept(db, crew, keys, service):
    push.subscribe(db, crew.ad, make_subscription(service, "phone"))
    service.answer("phone", 503)
    assert push.send(db, [crew.ad], PAUSE, keys) == push.SendReport(sent=0, failed=1, removed=0)
    assert len(endpoints(db)) == 1


def test_an_oversize_payload_is_refused_before_anything_is_sent(db, crew, keys, service):
    push.subscribe(db, crew.ad, make_subscription(service, "phone"))
    with pytest.raises(ValueError, match="too large to push"):
        push.send(db, [crew.ad], {"text": "x" * 3000}, keys)
    assert service.received == []
    just_fits = {"text": "é" * 1490}  # 2,980 bytes of UTF-8 plus the JSON around it
    assert push.send(db, [crew.ad], just_fits, keys).sent == 1
    assert service.received[0].payload == just_fits


def test_logs_name_the_host_and_status_never_the_payload(db, crew, keys, service, caplog):
    push.subscribe(db, crew.ad, make_subscription(service, "phone"))
    with caplog.at_level("DEBUG", logger="ictool.push"):
        push.send(db, [crew.ad], PAUSE, keys)
    assert "127.0.0.1" in caplog.text and "201" in caplog.text
    assert "Pause, please" not in caplog.text and "12A" not in caplog.text


def test_nobody_subscribed_sends_nothing(db, crew, keys):
    assert push.send(db, [crew.nobody, crew.performer], PAUSE, keys) == push.SendReport()
    assert push.send(db, [], PAUSE, keys) == push.SendReport()


# The fake must be able to say no, or the tests above prove nothing.


def signed_request(keys: push.VapidKeys, subscription: dict) -> tuple[bytes, dict]:
    """Body and headers exactly as webpush builds them."""
    message = WebPush(
        private_key=keys.private_pem.encode(),
        public_key=keys.public_pem.encode(),
        subscriber="ictool@localhost",
        ttl=300,
    ).get(message=PAUSE, subscription=WebPushSubscription.model_validate(subscription))
    return message.encrypted, {**message.headers, "Urgency": "high"}


def vapid(keys: push.VapidKeys, key: str | None = None, **overrides: object) -> str:
    """An Authorization header signed by ``keys``, claiming ``key`` (default: ours)."""
    claims = {"aud": "http://127.0.0.1", "exp": int(time.time()) + 60, "sub": "mailto:a@b.example"}
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    token = jwt.encode(claims, keys.private_pem, algorithm="ES256")
    return f"vapid t={token}, k={key or keys.application_server_key}"


def someone_elses_key() -> str:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return VAPID._encode_vapid_key(point)


def flip_signature(headers: dict, keys: push.VapidKeys) -> None:
    token, _, key = headers["authorization"].removeprefix("vapid t=").partition(", k=")
    head, claims, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    headers["authorization"] = f"vapid t={head}.{claims}.{flipped}, k={key}"


def forge_claims(headers: dict, keys: push.VapidKeys) -> None:
    token, _, key = headers["authorization"].removeprefix("vapid t=").partition(", k=")
    head, _, signature = token.split(".")
    forged = VAPID._encode_vapid_key(b'{"aud":"http://127.0.0.1","exp":9999999999,"sub":"x"}')
    headers["authorization"] = f"vapid t={head}.{forged}.{signature}, k={key}"


TAMPERING = {
    "untouched": (lambda h, k: None, 201, None),
    "flipped signature": (flip_signature, 403, "InvalidSignatureError"),
    "forged claims": (forge_claims, 403, "InvalidSignatureError"),
    "someone else's k": (
        lambda h, k: h.update(authorization=vapid(k, key=someone_elses_key())),
        403,
        "InvalidSignatureError",
    ),
    "other origin": (
        lambda h, k: h.update(authorization=vapid(k, aud="https://push.example")),
        403,
        "InvalidAudienceError",
    ),
    "expired": (lambda h, k: h.update(authorization=vapid(k, exp=1)), 403, "ExpiredSignature"),
    "no sub": (lambda h, k: h.update(authorization=vapid(k, sub=None)), 403, "sub"),
    "no authorization": (lambda h, k: h.pop("authorization"), 401, "authorization must be"),
    "old encoding": (lambda h, k: h.update({"content-encoding": "aesgcm"}), 415, "aes128gcm"),
    "no ttl": (lambda h, k: h.pop("ttl"), 400, "ttl"),
    "odd urgency": (lambda h, k: h.update(Urgency="now!"), 400, "urgency"),
}


@pytest.mark.parametrize(("tamper", "status", "reason"), TAMPERING.values(), ids=TAMPERING)
def test_the_fake_push_service_rejects_what_a_real_one_would(keys, service, tamper, status, reason):
    body, headers = signed_request(keys, make_subscription(service, "phone"))
    tamper(headers, keys)
    response = requests.post(f"{service.url}/push/phone", data=body, headers=headers, timeout=5)
    assert response.status_code == status
    if reason is None:
        assert service.messages_for("phone")[0].payload == PAUSE
    else:
        assert reason in service.rejected[0].reason
        assert service.received == []


def test_the_fake_cannot_read_a_message_encrypted_for_another_device(keys, service):
    mine = make_subscription(service, "mine")
    theirs = make_subscription(service, "theirs")
    body, headers = signed_request(keys, theirs)
    response = requests.post(mine["endpoint"], data=body, headers=headers, timeout=5)
    assert response.status_code == 400
    assert "cannot decrypt" in service.rejected[0].reason


def test_the_fake_answers_404_for_an_unknown_subscription(keys, service):
    body, headers = signed_request(keys, make_subscription(service, "phone"))
    response = requests.post(f"{service.url}/push/stranger", data=body, headers=headers, timeout=5)
    assert response.status_code == 404
