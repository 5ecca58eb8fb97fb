"""A keyring backend for benchmarks that run ``desktop-sync`` as a separate process: the one password
the benchmark's mailbox needs comes from the environment (``DESKTOP_SYNC_BENCH_PASSWORD``), so the
engine process reads it as it would read the system keyring. Selected with
``PYTHON_KEYRING_BACKEND=bench_keyring.EnvKeyring`` and this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import os

import keyring.backend

VARIABLE = "DESKTOP_SYNC_BENCH_PASSWORD"


class EnvKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(VARIABLE)

    def set_password(self, service: str, username: str, password: str) -> None:
        os.environ[VARIABLE] = password

    def delete_password(self, service: str, username: str) -> None:
        os.environ.pop(VARIABLE, None)
