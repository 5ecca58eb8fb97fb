"""Real servers on 127.0.0.1 for integration tests: Dovecot, an SMTP sink, PostgreSQL and their TLS files.

Each server is a class with ``start()``/``stop()`` that also works as a context manager; the pytest
fixtures in ``tests/conftest.py`` start one of each per session. Set ``KEEP_TEST_SERVER_DIRS=1`` to
keep a server's temporary directory (config, logs, mail, data) after it stops.
"""


class ServerUnavailable(RuntimeError):
    """A program the server needs (dovecot, initdb, openssl, a system user) is not installed."""


class ServerStartError(RuntimeError):
    """The server was installed but did not come up; the message carries its log."""
