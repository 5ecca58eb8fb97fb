"""The opaque tokens the EWS test server hands out: item and folder ids, change keys and sync states.

They are base64 text naming what they stand for, so the server can tell its own tokens from a client's
guesses (``ErrorInvalidIdMalformed``, ``ErrorInvalidSyncStateData``) without a lookup table.
"""

from __future__ import annotations

import base64


def encode_id(kind: str, number: int) -> str:
    return base64.b64encode(f"ews-test:{kind}:{number}".encode()).decode()


def decode_id(value: str, kind: str) -> int | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix = f"ews-test:{kind}:"
    if not text.startswith(prefix) or not text[len(prefix) :].isdigit():
        return None
    return int(text[len(prefix) :])


def encode_change_key(number: int, version: int) -> str:
    return base64.b64encode(f"ck:{number}:{version}".encode()).decode()


def decode_change_key(value: str) -> tuple[int, int] | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
        kind, number, version = text.split(":")
    except (ValueError, UnicodeDecodeError):
        return None
    if kind != "ck" or not number.isdigit() or not version.isdigit():
        return None
    return int(number), int(version)


class InvalidSyncState(ValueError):
    """A sync state this server did not issue, or one issued for another folder."""


def encode_sync_state(scope: str, folder_id: str, position: int) -> str:
    return base64.b64encode(f"sync:{scope}:{folder_id}:{position}".encode()).decode()


def decode_sync_state(value: str, scope: str, folder_id: str) -> int:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
        kind, token_scope, rest = text.split(":", 2)
        token_folder, position = rest.rsplit(":", 1)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyncState(value) from exc
    if kind != "sync" or token_scope != scope or token_folder != folder_id or not position.isdigit():
        raise InvalidSyncState(value)
    return int(position)
