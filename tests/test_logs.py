"""Secrets never reach a log: redaction of the formatted record (tracebacks included), private log files."""

from __future__ import annotations

import base64
import io
import logging
import logging.handlers
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_admin import Admin

from desktop_sync.logs import (
    FORMAT,
    MIN_SECRET_LENGTH,
    RedactingFilter,
    RedactingFormatter,
    close,
    configure,
    forget_secrets,
    redact,
    remember_secret,
)


@pytest.fixture(autouse=True)
def no_remembered_secrets() -> Iterator[None]:
    """Each test starts without the secrets earlier tests handed to connectors or the keyring."""
    forget_secrets()
    yield
    forget_secrets()


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


_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(
    token=st.text(alphabet=_TOKEN_ALPHABET, min_size=16, max_size=120),
    login=st.from_regex(r"[a-z][a-z0-9.]{0,20}@example\.test", fullmatch=True),
)
def test_oauth_tokens_and_sasl_responses_are_masked_unremembered(token: str, login: str) -> None:
    """A token nobody remembered: in a header, in a decoded XOAUTH2/OAUTHBEARER response, and the
    responses themselves as a client sends them (base64 after AUTH or AUTHENTICATE)."""
    xoauth2 = f"user={login}\x01auth=Bearer {token}\x01\x01"
    oauthbearer = f"n,a={login},\x01host=imap.example.test\x01port=993\x01auth=Bearer {token}\x01\x01"
    texts = [
        f"Authorization: Bearer {token}",
        f"sending headers {{'Authorization': 'Bearer {token}'}}",
        xoauth2,
        oauthbearer,
    ]
    for mechanism, response in (("XOAUTH2", xoauth2), ("OAUTHBEARER", oauthbearer)):
        encoded = base64.b64encode(response.encode()).decode()
        texts += [f"AUTH {mechanism} {encoded}", f"a002 AUTHENTICATE {mechanism} {encoded}"]
        assert encoded not in redact(f"AUTH {mechanism} {encoded}")
    for text in texts:
        assert token not in redact(text), text


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


# --- redaction after formatting: tracebacks and their causes


@pytest.fixture
def remembered() -> Iterator[str]:
    secret = "Canary-" + secrets.token_hex(8)
    remember_secret(secret)
    yield secret
    forget_secrets()


def _formatted(logger_name: str, emit: Callable[[logging.Logger], None]) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(FORMAT))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_a_traceback_and_its_cause_never_carry_a_remembered_secret(remembered: str) -> None:
    def fail(logger: logging.Logger) -> None:
        try:
            try:
                raise OSError(f"server said no to {remembered}")
            except OSError as cause:
                raise RuntimeError(f"login failed, password={remembered!r}") from cause
        except RuntimeError:
            logger.exception("cycle failed for %s", "alice")

    text = _formatted("desktop_sync.test_logs.traceback", fail)
    assert "Traceback" in text and "OSError" in text and "RuntimeError" in text  # the trace is kept
    assert remembered not in text
    assert "server said no to ***" in text


def test_a_secret_in_the_stack_info_is_masked(remembered: str) -> None:
    def emit(logger: logging.Logger) -> None:
        logger.debug("token %s", remembered, stack_info=True)

    text = _formatted("desktop_sync.test_logs.stack", emit)
    assert "Stack (most recent call last)" in text
    assert remembered not in text


def test_a_secret_in_a_url_is_masked() -> None:
    assert "s3cret" not in redact("store postgresql://crm:s3cret@db.example.test/crm unreachable")


# Generated text: any remembered secret, wherever it sits in any text and however often, comes out masked.
_WORDS = st.text(max_size=80)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=st.text(min_size=MIN_SECRET_LENGTH, max_size=40),
    before=_WORDS,
    after=_WORDS,
    times=st.integers(min_value=1, max_value=3),
)
def test_a_remembered_secret_is_masked_wherever_it_appears(secret: str, before: str, after: str, times: int) -> None:
    forget_secrets()
    remember_secret(secret)
    try:
        text = before + (secret + after) * times
        assert secret not in redact(text)
    finally:
        forget_secrets()


def test_a_remembered_secret_that_is_a_word_of_a_pattern_leaves_the_pattern_working() -> None:
    remember_secret("secret")  # a test password somewhere: "client_secret=" must still be recognised
    assert "XYZ123" not in redact("client_secret=XYZ123")


def test_short_secrets_are_not_remembered() -> None:
    remember_secret("abc")
    try:
        assert redact("abcdef") == "abcdef"
    finally:
        forget_secrets()


# --- the log files are private


def test_the_log_directory_is_0700_and_its_files_0600(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(os, "umask", os.umask)  # restored below whatever happens
    old = os.umask(0o022)  # the usual umask would make 0755 and 0644
    try:
        path = configure(console_level=None, level="debug")
        assert path is not None
        logging.getLogger("desktop_sync.test_logs").warning("a line")
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "_desktop_sync", False))
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()  # a rotation makes a new file: private too
        logging.getLogger("desktop_sync.test_logs").warning("another line")
    finally:
        os.umask(old)
        close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["desktop-sync.log", "desktop-sync.log.1"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


def test_debug_logging_writes_no_sql_parameter_and_no_mail_body(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    marker = "Body-marker-" + secrets.token_hex(6)
    cli = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")

    def admin(*argv: str) -> None:
        configure(console_level=None, level="debug")  # each command closes the log when it ends
        cli(*argv)

    path = configure(console_level=None, level="debug")
    assert path is not None
    try:
        admin("profile", "add", "Corp", "--kind", "imap", "--incoming-host", "imap.example.test",
              "--outgoing-host", "smtp.example.test")  # fmt: skip
        admin("user", "add", "alice@example.test", "--name", "Alice")
        admin("mailbox", "add", "alice@example.test", "--profile", "Corp", "--user", "alice@example.test")
        admin("email", "send", "--from", "alice@example.test", "--to", "bob@example.test", "--subject", "Hello",
              "--body", marker)  # fmt: skip
        admin("email", "list", "--search", marker)
        configure(console_level=None, level="debug")
        logging.getLogger("desktop_sync.test_logs").debug("the run is over")
    finally:
        close()
    written = path.read_text(encoding="utf-8")
    assert any(  # DEBUG did reach the file
        "DEBUG" in line and "the run is over" in line for line in written.splitlines()
    )
    assert marker not in written
