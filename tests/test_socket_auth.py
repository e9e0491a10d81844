"""A socket is signed in by its join token, and revoking the token stops it at once."""

from ictool import people
from ictool.realtime import socketio


def test_a_revoked_phone_can_no_longer_raise_or_sync_over_its_open_socket(app, db, person, token):
    alex = person("Alex Rivera")
    phone = socketio.test_client(app, auth={"token": token("Alex Rivera")})
    assert phone.is_connected()
    assert phone.emit("alert:sync", {"since": 0}, callback=True)["status"] == 200

    people.revoke_tokens(db, alex["id"])
    answer = phone.emit("alert:sync", {"since": 0}, callback=True)
    assert answer["status"] == 401
    pause = {"kind": "pause", "client_id": "5d0f3c2a-8a3e-4f0e-9a61-2b7f1c9e4d11"}
    assert phone.emit("alert:raise", pause, callback=True)["status"] == 401
    phone.disconnect()


def test_a_socket_with_a_bad_token_is_refused(app):
    phone = socketio.test_client(app, auth={"token": "not-a-token"})
    assert not phone.is_connected()
