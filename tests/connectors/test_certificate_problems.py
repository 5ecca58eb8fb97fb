"""A certificate that fails verification is named by what is wrong with it (self-signed, expired,
wrong name, unknown issuer), in words the interface translates, never OpenSSL's raw text. The
certificates are made here and presented by a real TLS server on loopback."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from servers.ports import LOOPBACK

from desktop_sync.connectors.errors import translate
from desktop_sync.domain.ports.connectors import STEP_TEXTS, step_text

NOW = dt.datetime.now(dt.UTC)
Key = ec.EllipticCurvePrivateKey


def certificate(
    name: str, key: Key, issuer: tuple[str, Key] | None = None, *, ca: bool = False, days: tuple[int, int] = (-1, 30)
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (name, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + dt.timedelta(days=days[0]))
        .not_valid_after(NOW + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[Key, Path]:
    """The CA the client trusts (as a profile's CA file names it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(pem(certificate("Trusted CA", key, ca=True)))
    return key, path


def served(tmp_path: Path, cert: x509.Certificate, key: Key) -> Iterator[int]:
    """A TLS server on loopback presenting ``cert`` to one client; yields its port."""
    (tmp_path / "cert.pem").write_bytes(pem(cert))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    listener = socket.create_server((LOOPBACK, 0))

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with context.wrap_socket(connection, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass  # the client refused the certificate: what the test wants

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(timeout=10)
        listener.close()


def handshake_problem(port: int, ca_file: Path, host: str = "localhost") -> str:
    context = ssl.create_default_context(cafile=str(ca_file))
    with socket.create_connection((LOOPBACK, port), timeout=10) as sock:
        try:
            with context.wrap_socket(sock, server_hostname=host):
                raise AssertionError("the certificate was accepted")
        except ssl.SSLCertVerificationError as exc:
            problem = translate(exc)
    assert problem.code == "certificate_invalid"
    assert "SSL" not in problem.message and "verify failed" not in problem.message
    return problem.message


def test_a_self_signed_certificate_is_named_self_signed(tmp_path: Path, authority: tuple[Key, Path]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for port in served(tmp_path, certificate("localhost", key), key):
        assert handshake_problem(port, authority[1]) == step_text("certificate_self_signed")


def test_an_expired_certificate_is_named_expired(tmp_path: Path, authority: tuple[Key, Path]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate("localhost", key, ("Trusted CA", authority[0]), days=(-60, -2))
    for port in served(tmp_path, cert, key):
        assert handshake_problem(port, authority[1]) == step_text("certificate_expired")


def test_a_certificate_for_another_name_names_the_name_asked_for(tmp_path: Path, authority: tuple[Key, Path]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate("mail.elsewhere.test", key, ("Trusted CA", authority[0]))
    for port in served(tmp_path, cert, key):
        assert handshake_problem(port, authority[1]) == step_text("certificate_wrong_name", host="localhost")


def test_a_certificate_of_an_authority_not_trusted_says_so(tmp_path: Path, authority: tuple[Key, Path]) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    for port in served(tmp_path, certificate("localhost", key, ("Another CA", other)), key):
        assert handshake_problem(port, authority[1]) == step_text("certificate_unknown_issuer")


@settings(max_examples=2000)
@given(code=st.none() | st.integers(-5, 100), said=st.none() | st.text(max_size=120))
def test_any_verification_result_reads_as_one_of_the_step_texts(code: int | None, said: str | None) -> None:
    exc = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    if code is not None or said is not None:  # else as raised without them (a library's own subclass)
        exc.verify_code, exc.verify_message = code, said  # type: ignore[assignment]
    message = translate(exc).message
    whole = {step_text(key) for key in STEP_TEXTS if key.startswith("certificate_") and "{" not in STEP_TEXTS[key]}
    filled = [STEP_TEXTS[key].split("{")[0] for key in ("certificate_wrong_name", "certificate_not_verified")]
    assert message in whole or message.startswith(tuple(filled)), message
