"""Logging for the application and the headless engine: named loggers, a file, and redaction.

Every handler's formatter masks passwords, tokens and authorization headers in the formatted
text, traceback and chained causes included, and every secret the product has handed to a
connector or the keyring wherever it appears: a secret that slips into a message or an
exception never reaches a log file. Chatty libraries that would log message bodies or SQL
parameters (imapclient, exchangelib, SQLAlchemy, aiosqlite at DEBUG) are kept at WARNING.
The log directory is 0700 and its files 0600.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import re
import threading
from pathlib import Path

import platformdirs

from desktop_sync.private_files import private_directory, private_file

APP_NAME = "desktop-sync"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
QUIET_LIBRARIES = (
    "imapclient",
    "exchangelib",
    "requests_ntlm",
    "requests_oauthlib",
    "oauthlib",
    "spnego",
    "urllib3",
    "aiosmtplib",
    "asyncio",
    # SQL statements with their parameters (mail bodies among them), and the driver calls behind them
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "psycopg",
    "keyring",
)
MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter ones would mask ordinary words; nobody's password is that short

_SECRET_KEYS = r"(password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)"
_PATTERNS = [
    # key=value and key: value forms, the key quoted or not, the value quoted or not
    (re.compile(r"(?i)\b" + _SECRET_KEYS + r"([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"), r"\1\2***"),
    # HTTP authorization headers
    (re.compile(r"(?i)\b(authorization:\s*(?:basic|bearer|ntlm|negotiate))\s+\S+"), r"\1 ***"),
    # IMAP LOGIN user password
    (re.compile(r"(?i)\b(LOGIN\s+\S+\s+)(\"[^\"]*\"|\S+)"), r"\1***"),
    # SMTP/IMAP/POP3 AUTH PLAIN <base64>, and the OAuth mechanisms' initial responses
    (re.compile(r"(?i)\b(AUTH(?:ENTICATE)?\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER)\s+)\S+"), r"\1***"),
    # a bearer token wherever it shows (a header without its name, a decoded SASL response "auth=Bearer ...")
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9\-._~+/]{16,}=*"), r"\1\2***"),
    # user:password@ in a URL (a PostgreSQL store, a proxy)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@]+:)[^\s/@]+@"), r"\1***@"),
]


class _KnownSecrets:
    """Every secret handed to a connector or the keyring, to be masked wherever it shows up.

    Only a keyed hash and the length of each is kept (Python's string hash is keyed per process),
    so this table is no copy of the passwords; a log text is masked where one of its substrings of
    a known length hashes the same."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_length: dict[int, frozenset[int]] = {}

    def remember(self, secret: str | None) -> None:
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        digest = hash(secret)
        with self._lock:
            known = self._by_length.get(len(secret), frozenset())
            if digest not in known:  # each cycle hands the same secrets again: nothing to copy then
                self._by_length = {**self._by_length, len(secret): known | {digest}}

    def forget_all(self) -> None:
        with self._lock:
            self._by_length = {}

    def mask(self, text: str) -> str:
        by_length = self._by_length  # replaced, never changed in place: no lock needed to read
        if not by_length:
            return text
        # Again until nothing is found: a secret with "***" in it could reappear around a mask. Each
        # pass shortens the text (a secret is longer than the mask), so this ends.
        while True:
            masked = self._mask_once(text, by_length)
            if masked == text:
                return text
            text = masked

    @staticmethod
    def _mask_once(text: str, by_length: dict[int, frozenset[int]]) -> str:
        spans: list[tuple[int, int]] = []
        for length, hashes in by_length.items():
            start = 0
            while start + length <= len(text):
                if hash(text[start : start + length]) in hashes:
                    spans.append((start, start + length))
                    start += length
                else:
                    start += 1
        if not spans:
            return text
        spans.sort()
        pieces, cursor = [], 0
        for start, end in spans:
            if end <= cursor:
                continue
            pieces.append(text[cursor : max(start, cursor)])
            pieces.append(MASK)
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)


_known = _KnownSecrets()


def remember_secret(secret: str | None) -> None:
    """Mask ``secret`` in every log text from now on (called where a secret enters the product)."""
    _known.remember(secret)


def forget_secrets() -> None:
    """Forget every remembered secret (tests)."""
    _known.forget_all()


def redact(text: str) -> str:
    # The patterns first: a remembered secret that happens to be a word of theirs ("secret" in
    # "client_secret=...") must not hide the key from them.
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _known.mask(text)


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record: message, traceback, chained causes and stack."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600 (each rotation makes a new file)."""

    def _open(self) -> io.TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()


class RedactingFilter(logging.Filter):
    """Masks secrets in the final message (arguments included) before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def close() -> None:
    """Remove and close the handlers ``configure`` added (at the end of a run, and in tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_desktop_sync", False):
            root.removeHandler(handler)
            handler.close()


def log_directory() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def configure(*, console_level: int | None = logging.WARNING, to_file: bool = True, level: str = "info") -> Path | None:
    """Set up the root logger once: a rotating file in the user log dir, and the console if asked.

    ``level`` (debug, info, warning, error) is the settings file's log level."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_desktop_sync", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    redaction = RedactingFilter()
    path = None
    if to_file:
        directory = log_directory()
        try:
            private_directory(directory)
            path = directory / "desktop-sync.log"
            file_handler = PrivateRotatingFileHandler(
                path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
        except OSError:
            path = None  # a read-only or full disk must not stop the application
        else:
            file_handler.setFormatter(RedactingFormatter(FORMAT))
            file_handler.addFilter(redaction)
            file_handler._desktop_sync = True  # type: ignore[attr-defined]
            root.addHandler(file_handler)
    if console_level is not None:
        console = logging.StreamHandler()
        console.setLevel(console_level)
        console.setFormatter(RedactingFormatter(FORMAT))
        console.addFilter(redaction)
        console._desktop_sync = True  # type: ignore[attr-defined]
        root.addHandler(console)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path
