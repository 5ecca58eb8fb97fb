"""A service account's certificate file as an admin gives it: a real certificate and key are read with
Entra's thumbprint; thousands of generated files (broken, truncated, encrypted, mixed) give a certificate
or a field error with its code, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support.certificates import make_certificate

from desktop_sync.domain.client_certificate import (
    STORED_PREFIX,
    ClientCertificate,
    read_client_certificate,
    stored_client_credential,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.validation import FIELD_ERRORS

CERT, KEY, THUMBPRINT = make_certificate()


def code_of(text: str) -> str:
    try:
        read_client_certificate(text)
    except ValidationError as refused:
        return refused.checks["client_certificate"].code
    return "ok"


def test_a_certificate_and_its_key_give_entras_thumbprint_in_either_order() -> None:
    for text in (
        CERT + KEY,
        KEY + CERT,
        f"Bag Attributes\n{KEY}\nsubject=/CN=x\n{CERT}",
        (CERT + KEY).replace("\n", "\r\n"),
    ):
        read = read_client_certificate(text)
        assert read.thumbprint == THUMBPRINT
        assert read.private_key.strip() == KEY.strip()
        assert KEY.split("\n")[1] not in repr(read)  # the key never shows in a repr


def test_the_stored_form_reads_back_and_a_plain_secret_stays_a_secret() -> None:
    read = read_client_certificate(CERT + KEY)
    assert read.stored().startswith(STORED_PREFIX)
    assert stored_client_credential(read.stored()) == read
    assert stored_client_credential("s3cr3t~value") == "s3cr3t~value"
    assert stored_client_credential(STORED_PREFIX + "{not json") == STORED_PREFIX + "{not json"


def test_each_missing_part_is_named() -> None:
    encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
    assert code_of(CERT) == "client_certificate_no_key"
    assert code_of(KEY) == "client_certificate_no_certificate"
    assert code_of(CERT + encrypted) == "client_certificate_encrypted"
    assert code_of(CERT + KEY + KEY) == "client_certificate_many_keys"
    assert code_of("") == "client_certificate_no_certificate"
    assert code_of(CERT + KEY + " " * 100_000) == "client_certificate_too_large"


pem_labels = st.sampled_from(
    ["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY", "X"]
)
base64ish = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n \t\r", max_size=300)
block = st.builds(
    lambda label, body: f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n", pem_labels, base64ish
)
pieces = st.one_of(block, st.text(max_size=80), st.sampled_from([CERT, KEY, CERT[:200], KEY[-150:]]))


@settings(max_examples=2000, deadline=None)
@given(st.lists(pieces, max_size=6))
def test_any_file_gives_a_certificate_or_a_named_refusal(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        read = read_client_certificate(text)
    except ValidationError as refused:
        (check,) = refused.checks.values()
        assert check.code in FIELD_ERRORS and set(refused.errors) == {"client_certificate"}
        return
    assert isinstance(read, ClientCertificate)
    assert len(read.thumbprint) == 40 and int(read.thumbprint, 16) >= 0
    assert "PRIVATE KEY-----" in read.private_key
