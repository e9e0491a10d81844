"""HTTPS on the set's own Wi-Fi: a local certificate authority and a server certificate.

Phones only give a page service workers, notifications and the camera on a secure
origin, so ictool serves HTTPS even on a LAN with no internet. Each laptop makes its
own small certificate authority (CA) once. People install that CA on their phones
from the /ca page, after checking its fingerprint. From then on the phones trust
every server certificate the laptop issues for its current names and addresses.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
# Apple rejects server certificates valid for more than 398 days.
SERVER_CERT_DAYS = 397
RENEW_WITHIN = dt.timedelta(days=30)
# Backdate a little so a phone whose clock runs behind still accepts a new certificate.
CLOCK_SKEW = dt.timedelta(hours=1)

# Private addresses we "connect" a UDP socket to, only to learn which local address
# the kernel would route from. connect() on UDP sends no packet.
_ROUTE_PROBES = ("10.254.254.254", "172.31.255.254", "192.168.255.254")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TlsSetupError(RuntimeError):
    """The certificate files are in a state ictool must not repair on its own."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA certificate, the server certificate and its private key live."""

    ca_cert: Path
    cert: Path
    key: Path


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that phones on the set's Wi-Fi could reach.

    The server certificate must name every address people may type or scan, and
    this works with no internet and without sending any traffic. The address the
    kernel routes from comes first (the likeliest one for links), then any others
    in numeric order, then 127.0.0.1.
    """
    routed = [addr for probe in _ROUTE_PROBES if (addr := _route_source(probe))]
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    named = sorted({ipaddress.IPv4Address(info[4][0]) for info in infos})
    found: list[str] = []
    for ip in [*map(ipaddress.IPv4Address, routed), *named]:
        if ip.is_loopback or ip.is_unspecified or str(ip) in found:
            continue
        found.append(str(ip))
    return [*found, "127.0.0.1"]


def _route_source(probe: str) -> str | None:
    """The local address the kernel would send from to reach `probe`, if any route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((probe, 9))
        except OSError:
            return None
        return sock.getsockname()[0]


def ensure_certificates(
    instance_path: Path, hostnames: list[str], addresses: list[str]
) -> TlsFiles:
    """Make sure `instance_path/tls/` holds a CA and a server certificate for these names.

    The CA is created once and never replaced, because phones already trust it.
    The server certificate is reused while it names every requested hostname and
    address and has more than 30 days left; otherwise a new one is issued by the
    same CA. Private keys are written readable by the owner only.
    """
    names = _dns_names(hostnames)
    ips = _ip_addresses(addresses)
    if not names and not ips:
        raise ValueError("A server certificate needs at least one hostname or address.")

    tls_dir = Path(instance_path) / "tls"
    tls_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = TlsFiles(
        ca_cert=tls_dir / "ca.pem",
        cert=tls_dir / "server.pem",
        key=tls_dir / "server-key.pem",
    )
    ca_key_path = tls_dir / "ca-key.pem"
    now = dt.datetime.now(dt.UTC)

    if files.ca_cert.exists():
        ca_cert, ca_key = _load_ca(files.ca_cert, ca_key_path)
    else:
        ca_cert, ca_key = _create_ca(files.ca_cert, ca_key_path, now)

    if not _server_cert_fits(files, ca_cert, names, ips, now):
        _issue_server_cert(files, ca_cert, ca_key, names, ips, now)
    return files


def ca_fingerprint(ca_cert_path: Path) -> str:
    """The CA certificate's SHA-256 fingerprint as colon-separated hex (AB:CD:...).

    Shown on the /ca page so people can check, before trusting it, that the CA
    their phone downloaded is the one on this laptop.
    """
    cert = x509.load_pem_x509_certificate(Path(ca_cert_path).read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A server-side TLS context (TLS 1.2 or newer) serving our server certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=files.cert, keyfile=files.key)
    return context


def _dns_names(hostnames: list[str]) -> list[str]:
    """Hostnames normalised for a certificate: lower case, ASCII (IDNA), no duplicates."""
    names: list[str] = []
    for raw in hostnames:
        name = raw.strip().rstrip(".").lower()
        if not name:
            continue
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise ValueError(f"{raw!r} cannot be used as a hostname.") from error
        if name not in names:
            names.append(name)
    return names


def _ip_addresses(addresses: list[str]) -> list[IPAddress]:
    """Addresses parsed as IPs, without duplicates; a bad one raises ValueError."""
    ips: list[IPAddress] = []
    for raw in addresses:
        ip = ipaddress.ip_address(raw.strip())
        if ip not in ips:
            ips.append(ip)
    return ips


def _load_ca(
    cert_path: Path, key_path: Path
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The existing CA, refusing to go on if its private key is missing or wrong."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    fix = (
        f"Restore it from a backup, or delete {cert_path} to make a new CA "
        "(every phone will then have to install the new one)."
    )
    if not key_path.exists():
        raise TlsSetupError(f"The CA key {key_path} is missing. {fix}")
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise TlsSetupError(f"The CA key {key_path} does not belong to {cert_path}. {fix}")
    return cert, key


def _create_ca(
    cert_path: Path, key_path: Path, now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A new CA that may sign server certificates but no other CAs."""
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname().split(".")[0] or "ictool"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"ictool set CA ({host[:48]})"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ictool"),
        ]
    )
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    # Key first: a CA certificate on disk always has its key beside it.
    _write_file(key_path, _key_pem(key), mode=0o600)
    _write_file(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert, key


def _server_cert_fits(
    files: TlsFiles,
    ca_cert: x509.Certificate,
    names: list[str],
    ips: list[IPAddress],
    now: dt.datetime,
) -> bool:
    """Whether the server certificate on disk can keep serving these names and addresses."""
    if not (files.cert.exists() and files.key.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    covered_names = {name.lower() for name in san.get_values_for_type(x509.DNSName)}
    covered_ips = set(san.get_values_for_type(x509.IPAddress))
    return (
        key.public_key() == cert.public_key()
        and set(names) <= covered_names
        and set(ips) <= covered_ips
        and cert.not_valid_after_utc - now > RENEW_WITHIN
    )


def _issue_server_cert(
    files: TlsFiles,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: list[str],
    ips: list[IPAddress],
    now: dt.datetime,
) -> None:
    """Sign a new server certificate and key for exactly these names and addresses."""
    key = ec.generate_private_key(ec.SECP256R1())
    common_name = names[0] if names else str(ips[0])
    san = [x509.DNSName(name) for name in names] + [x509.IPAddress(ip) for ip in ips]
    start = now - CLOCK_SKEW
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=SERVER_CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_file(files.key, _key_pem(key), mode=0o600)
    _write_file(files.cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A private key as unencrypted PKCS#8 PEM (the server starts unattended)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Write `data` atomically with permissions `mode`, so no reader sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.chmod(tmp, mode)  # O_CREAT's mode does not apply to a leftover file
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
