"""Who may call the EWS test server: the authentication schemes, the authenticated principal, and the
process-wide NTLM user file that pyspnego's acceptor reads.
"""

from __future__ import annotations

import atexit
import enum
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .store import Mailbox


class AuthScheme(enum.Enum):
    BASIC = "Basic"
    NTLM = "NTLM"
    BEARER = "Bearer"


@dataclass(eq=False)
class Principal:
    """Who authenticated: a mailbox owner, or an OAuth application (no mailbox, may impersonate)."""

    name: str
    impersonation_right: bool
    mailbox: Mailbox | None


# --- NTLM credentials
# pyspnego's NTLM acceptor reads its users from the file named by $NTLM_USER_FILE, which is
# process-wide: every EwsServer of the process registers its users in one file.


_ntlm_lock = threading.Lock()
_ntlm_users: dict[tuple[str, str], str] = {}
_ntlm_file: Path | None = None


def register_ntlm_user(domain: str, username: str, password: str) -> None:
    global _ntlm_file
    with _ntlm_lock:
        if _ntlm_file is None:
            handle, name = tempfile.mkstemp(prefix="ews-test-ntlm-", suffix=".txt")
            os.close(handle)
            _ntlm_file = Path(name)
            atexit.register(_ntlm_file.unlink, missing_ok=True)
            os.environ["NTLM_USER_FILE"] = name
        for user_domain in (domain, ""):
            _ntlm_users[(user_domain.upper(), username.upper())] = password
        lines = [f"{d}:{u}:{p}" for (d, u), p in _ntlm_users.items()]
        _ntlm_file.write_text("\n".join(lines) + "\n")
