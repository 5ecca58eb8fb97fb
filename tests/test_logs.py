"""Secrets never reach a log: the redaction filter on every handler."""

from __future__ import annotations

import logging

import pytest

from desktop_sync.logs import RedactingFilter, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connecting with password=hunter22 to imap", "hunter22"),
        ("config {'password': 's3cr3t!'}", "s3cr3t!"),
        ('token: "abc.def.ghi"', "abc.def.ghi"),
        ("client_secret=XYZ123", "XYZ123"),
        ("Authorization: Basic YWxpY2U6YWxpY2Vwdw==", "YWxpY2U6YWxpY2Vwdw=="),
        ("Authorization: Bearer eyJhbGciOi", "eyJhbGciOi"),
        ('a001 LOGIN alice "my pass"', "my pass"),
        ("a001 LOGIN alice hunter22", "hunter22"),
        ("AUTH PLAIN AGFsaWNlAGFsaWNlcHc=", "AGFsaWNlAGFsaWNlcHc="),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert "***" in redact(text)


def test_ordinary_text_is_left_alone() -> None:
    text = "synced 12 items for alice@example.test in 0.4 s"
    assert redact(text) == text


def test_the_filter_masks_arguments_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("desktop_sync.test_logs")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO):
            logger.info("login with %s", "password=hunter22")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "hunter22" not in caplog.text
