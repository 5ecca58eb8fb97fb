"""Logging for the application and the headless engine: named loggers, a file, and redaction.

Every handler carries a filter that masks passwords, tokens and authorization headers, so a
secret that slips into a message never reaches a log file. Chatty libraries that would log
message bodies (imapclient, exchangelib at DEBUG) are kept at WARNING.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

import platformdirs

APP_NAME = "desktop-sync"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
QUIET_LIBRARIES = ("imapclient", "exchangelib", "requests_ntlm", "spnego", "urllib3", "aiosmtplib", "asyncio")

_SECRET_KEYS = r"(password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)"
_PATTERNS = [
    # key=value and key: value forms, the key quoted or not, the value quoted or not
    (re.compile(r"(?i)\b" + _SECRET_KEYS + r"([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"), r"\1\2***"),
    # HTTP authorization headers
    (re.compile(r"(?i)\b(authorization:\s*(?:basic|bearer|ntlm|negotiate))\s+\S+"), r"\1 ***"),
    # IMAP LOGIN user password
    (re.compile(r"(?i)\b(LOGIN\s+\S+\s+)(\"[^\"]*\"|\S+)"), r"\1***"),
    # SMTP/IMAP AUTH PLAIN <base64>
    (re.compile(r"(?i)\b(AUTH(?:ENTICATE)?\s+(?:PLAIN|LOGIN|XOAUTH2)\s+)\S+"), r"\1***"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / "desktop-sync.log"
            file_handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
        except OSError:
            path = None  # a read-only or full disk must not stop the application
        else:
            file_handler.setFormatter(logging.Formatter(FORMAT))
            file_handler.addFilter(redaction)
            file_handler._desktop_sync = True  # type: ignore[attr-defined]
            root.addHandler(file_handler)
    if console_level is not None:
        console = logging.StreamHandler()
        console.setLevel(console_level)
        console.setFormatter(logging.Formatter(FORMAT))
        console.addFilter(redaction)
        console._desktop_sync = True  # type: ignore[attr-defined]
        root.addHandler(console)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path
