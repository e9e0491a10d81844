"""HTTPS on the set's Wi-Fi: `ictool serve --https` with a real TLS client trusting its CA."""

from __future__ import annotations

import html
import http.client
import json
import ssl
import urllib.request
from pathlib import Path

import pytest
import requests
import socketio
from serverproc import ServerProcess, demo_database, free_port

from ictool import tls


class HttpsServer(ServerProcess):
    """`ictool serve --https` in a child process, with its own instance folder."""

    def __init__(
        self, db: Path, instance: Path, http_port: int | None = None, demo: bool = False
    ) -> None:
        super().__init__(db, instance)
        self.http_port = http_port
        self.args = ("--https",) + (("--http-port", str(http_port)) if http_port else ())
        self.args += ("--demo",) if demo else ()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca(self) -> Path:
        return self.instance / "tls" / "ca.pem"

    def phone(self) -> ssl.SSLContext:
        """A TLS client that trusts the set's CA, as a phone does after installing it."""
        return ssl.create_default_context(cafile=str(self.ca))

    def healthz(self) -> bool:
        """Over TLS (until the CA file exists, the OSError says: not up yet)."""
        context = self.phone()
        with urllib.request.urlopen(self.url + "/healthz", timeout=1, context=context) as r:
            return r.status == 200


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory):
    """One HTTPS server for this module's tests (the CA is made on its first start)."""
    folder = tmp_path_factory.mktemp("https")
    server = HttpsServer(folder / "set.db", folder / "instance", http_port=free_port())
    server.people = demo_database(folder / "set.db")
    server.start()
    yield server
    server.stop()


def _session(server: HttpsServer) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would replace `verify`
    session.verify = str(server.ca)
    return session


def test_a_phone_that_trusts_the_set_ca_gets_the_app_over_https(https_server) -> None:
    phone = _session(https_server)
    token = https_server.people["Sam Lindqvist"]["token"]

    joined = phone.get(f"{https_server.url}/join/{token}", allow_redirects=False)
    assert joined.status_code == 302
    cookie = joined.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie

    day = phone.get(f"{https_server.url}/home")
    assert day.status_code == 200
    assert day.url == f"{https_server.url}/me"
    assert "Sam Lindqvist" in day.text


def test_a_phone_without_the_ca_refuses_the_server(https_server) -> None:
    stranger = ssl.create_default_context()  # the system's public CAs only
    connection = http.client.HTTPSConnection(
        "127.0.0.1", https_server.port, context=stranger, timeout=5
    )
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        connection.request("GET", "/healthz")
    connection.close()


def test_the_ca_page_offers_the_certificate_its_fingerprint_and_install_steps(
    https_server,
) -> None:
    phone = _session(https_server)

    page = phone.get(f"{https_server.url}/ca")
    assert page.status_code == 200
    assert tls.ca_fingerprint(https_server.ca) in page.text
    text = html.unescape(page.text)
    assert "Settings › General › About › Certificate Trust Settings" in text
    assert "Settings › Security › Encryption & credentials › Install a certificate" in text

    for name in ("ca.pem", "ca.crt"):
        download = phone.get(f"{https_server.url}/{name}")
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/x-x509-ca-cert"
        assert download.content == https_server.ca.read_bytes()


def test_plain_http_serves_only_the_ca_page_and_sends_the_rest_to_https(https_server) -> None:
    plain = f"http://127.0.0.1:{https_server.http_port}"

    plain_phone = requests.Session()
    plain_phone.trust_env = False
    ca_page = plain_phone.get(f"{plain}/ca", timeout=5)
    assert ca_page.status_code == 200
    assert tls.ca_fingerprint(https_server.ca) in ca_page.text
    assert plain_phone.get(f"{plain}/ca.crt", timeout=5).content == https_server.ca.read_bytes()

    moved = plain_phone.get(f"{plain}/me?day=2", timeout=5, allow_redirects=False)
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"https://127.0.0.1:{https_server.port}/me?day=2"


def test_live_alerts_connect_over_tls(https_server) -> None:
    token = https_server.people["Tom Brennan"]["token"]
    client = socketio.Client(http_session=_session(https_server), reconnection=False)
    try:
        client.connect(https_server.url, auth={"token": token}, wait_timeout=10)
        assert client.connected
        assert client.transport() in ("websocket", "polling")
    finally:
        client.disconnect()


def test_the_same_ca_is_kept_when_the_server_restarts(https_server) -> None:
    before = https_server.ca.read_bytes()
    https_server.stop()
    https_server.start()

    assert https_server.ca.read_bytes() == before
    connection = http.client.HTTPSConnection(
        "127.0.0.1", https_server.port, context=https_server.phone(), timeout=5
    )
    connection.request("GET", "/healthz")
    assert json.loads(connection.getresponse().read()) == {"ok": True}
    connection.close()


def test_join_links_printed_at_start_use_https(tmp_path: Path) -> None:
    server = HttpsServer(tmp_path / "fresh.db", tmp_path / "instance", demo=True)
    server.start()
    try:
        printed = server.log_text()
    finally:
        server.stop()
    assert f"https://127.0.0.1:{server.port}/join/" in printed
    assert "http://127.0.0.1" not in printed.replace(f"https://127.0.0.1:{server.port}", "")
    assert f"https://127.0.0.1:{server.port}/ca" in printed
    assert tls.ca_fingerprint(server.ca) in printed  # to compare with the phone's


def test_without_https_the_ca_page_says_how_to_turn_it_on(client) -> None:
    page = client.get("/ca")
    assert page.status_code == 200
    assert b"ictool serve --https" in page.data
    assert client.get("/ca.pem").status_code == 404
