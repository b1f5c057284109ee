"""HTTPS webhooks keep their name while the connection is pinned to the checked address: the
certificate is verified for the name, SNI and ``Host`` carry it, and a certificate for another
name is refused."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from avatar_service.adapters.webhooks.urllib_sender import UrllibWebhookSender
from avatar_service.core.errors import Unavailable
from avatar_service.core.webhook_targets import Address, DestinationPolicy, parse_networks

NAME = "hooks.example.com"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[int, Path, list[tuple[str | None, str]]]]:
    """An HTTPS receiver on 127.0.0.1 with a certificate for ``NAME``: (port, certificate,
    [(SNI name, Host header)] per request)."""
    cert, key = _certificate(tmp_path)
    seen: list[tuple[str | None, str]] = []
    names: list[str | None] = []

    class _Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append((names[-1] if names else None, self.headers["Host"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment, misc]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), cert, seen
    finally:
        server.shutdown()
        server.server_close()


def _sender(cert: Path) -> UrllibWebhookSender:
    def resolve(host: str, port: int) -> list[Address]:
        return [ipaddress.ip_address("127.0.0.1")]

    return UrllibWebhookSender(
        policy=DestinationPolicy(parse_networks(["127.0.0.1/32"])),
        resolver=resolve,
        tls=ssl.create_default_context(cafile=str(cert)),
    )


def test_https_to_a_pinned_address_verifies_and_sends_the_name(
    tls_receiver: tuple[int, Path, list[tuple[str | None, str]]],
) -> None:
    port, cert, seen = tls_receiver
    status = _sender(cert).post(f"https://{NAME}:{port}/in", b"{}", {}, timeout=5)
    assert status == 204
    assert seen == [(NAME, f"{NAME}:{port}")]


def test_a_certificate_for_another_name_is_refused(
    tls_receiver: tuple[int, Path, list[tuple[str | None, str]]],
) -> None:
    port, cert, seen = tls_receiver
    with pytest.raises(Unavailable):
        _sender(cert).post(f"https://other.example.com:{port}/in", b"{}", {}, timeout=5)
    assert seen == []
