"""HTTPS on the set's Wi-Fi: phones trust the laptop's CA once, and it keeps working."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import socketserver
import ssl
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ictool import tls

HOSTNAMES = ["localhost", "ictool-laptop.local"]
ADDRESSES = ["127.0.0.1", "192.168.1.20"]


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _san(path: Path) -> x509.SubjectAlternativeName:
    return _load(path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value


class _HelloHandler(socketserver.BaseRequestHandler):
    """Greets each client over TLS; a client that refuses our certificate just goes away."""

    server: _TlsServer

    def handle(self) -> None:
        try:
            with self.server.context.wrap_socket(self.request, server_side=True) as conn:
                conn.sendall(b"hello from ictool\n")
        except (ssl.SSLError, OSError):
            pass


class _TlsServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        super().__init__(("127.0.0.1", 0), _HelloHandler)


@contextmanager
def serving(files: tls.TlsFiles) -> Iterator[int]:
    """A real TLS server on 127.0.0.1 using ictool's context; yields its port."""
    server = _TlsServer(tls.ssl_context(files))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def greet(port: int, client: ssl.SSLContext, server_hostname: str) -> bytes:
    """Connect like a phone would, verifying the certificate, and read the greeting."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        client.wrap_socket(raw, server_hostname=server_hostname) as conn,
    ):
        return conn.recv(100)


def test_the_ca_is_made_once_and_reused_on_the_next_start(tmp_path: Path) -> None:
    first = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    ca_bytes = first.ca_cert.read_bytes()
    cert_bytes = first.cert.read_bytes()

    second = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)

    assert second == first
    assert second.ca_cert.read_bytes() == ca_bytes
    assert second.cert.read_bytes() == cert_bytes
    assert first.ca_cert.parent == tmp_path / "tls"


def test_a_new_wifi_address_gets_a_new_server_cert_from_the_same_ca(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    ca_bytes = files.ca_cert.read_bytes()
    old_cert = files.cert.read_bytes()

    tls.ensure_certificates(tmp_path, HOSTNAMES, [*ADDRESSES, "10.0.0.7"])

    assert files.ca_cert.read_bytes() == ca_bytes
    assert files.cert.read_bytes() != old_cert
    assert ipaddress.ip_address("10.0.0.7") in _san(files.cert).get_values_for_type(x509.IPAddress)
    _load(files.cert).verify_directly_issued_by(_load(files.ca_cert))


def test_a_server_cert_close_to_expiry_is_renewed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tls, "SERVER_CERT_DAYS", 20)
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    short_lived = files.cert.read_bytes()
    monkeypatch.undo()

    tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)

    assert files.cert.read_bytes() != short_lived
    remaining = _load(files.cert).not_valid_after_utc - dt.datetime.now(dt.UTC)
    assert remaining > dt.timedelta(days=300)


def test_the_server_cert_names_every_hostname_and_address(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)

    san = _san(files.cert)
    assert san.get_values_for_type(x509.DNSName) == HOSTNAMES
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address(a) for a in ADDRESSES]


def test_the_certificates_are_ones_an_iphone_accepts(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    ca, cert = _load(files.ca_cert), _load(files.cert)

    ca_limits = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert ca_limits.critical and ca_limits.value.ca and ca_limits.value.path_length == 0
    ca_usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ca_usage.key_cert_sign and ca_usage.crl_sign
    [ca_name] = ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert ca_name.value == f"ictool set CA ({socket.gethostname().split('.')[0]})"
    assert ca.not_valid_after_utc - ca.not_valid_before_utc > dt.timedelta(days=9 * 365)

    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=397)
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert cert.issuer == ca.subject


def test_a_phone_that_trusts_the_ca_connects_by_name_and_by_address(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    phone = ssl.create_default_context(cafile=files.ca_cert)

    with serving(files) as port:
        assert greet(port, phone, "localhost") == b"hello from ictool\n"
        assert greet(port, phone, "127.0.0.1") == b"hello from ictool\n"
        # An address the certificate does not name is refused, so the IP check is real.
        with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
            greet(port, phone, "127.0.0.2")


def test_a_phone_that_never_installed_the_ca_refuses_the_server(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path / "laptop", HOSTNAMES, ADDRESSES)
    other = tls.ensure_certificates(tmp_path / "other-laptop", HOSTNAMES, ADDRESSES)
    stranger = ssl.create_default_context(cafile=other.ca_cert)

    with (
        serving(files) as port,
        pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"),
    ):
        greet(port, stranger, "localhost")


def test_private_keys_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    tls.ensure_certificates(tmp_path, HOSTNAMES, ["10.0.0.7"])  # re-issued key too

    for key in (files.key, files.ca_cert.parent / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not list(files.ca_cert.parent.glob("*.tmp"))


def test_a_lost_ca_key_is_reported_not_silently_replaced(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    ca_bytes = files.ca_cert.read_bytes()
    (files.ca_cert.parent / "ca-key.pem").unlink()

    with pytest.raises(tls.TlsSetupError, match="CA key .* is missing"):
        tls.ensure_certificates(tmp_path, HOSTNAMES, ["10.0.0.7"])
    assert files.ca_cert.read_bytes() == ca_bytes


def test_the_fingerprint_shown_on_the_ca_page_matches_the_certificate(tmp_path: Path) -> None:
    files = tls.ensure_certificates(tmp_path, HOSTNAMES, ADDRESSES)
    der = ssl.PEM_cert_to_DER_cert(files.ca_cert.read_text())

    fingerprint = tls.ca_fingerprint(files.ca_cert)

    assert fingerprint.count(":") == 31
    assert fingerprint.replace(":", "") == hashlib.sha256(der).hexdigest().upper()


def test_lan_addresses_are_local_ipv4_without_duplicates() -> None:
    addresses = tls.lan_addresses()

    assert addresses[-1] == "127.0.0.1"
    assert len(addresses) == len(set(addresses))
    for address in addresses[:-1]:
        ip = ipaddress.IPv4Address(address)
        assert not ip.is_loopback and not ip.is_unspecified
