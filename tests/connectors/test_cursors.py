"""Cursor and server-id texts: what the engine stores and hands back must round-trip exactly."""

from __future__ import annotations

import pytest

from desktop_sync.connectors.imap import FolderCursor, parse_server_id
from desktop_sync.connectors.pop3 import decode_uidls, encode_uidls


def test_cursor_text_round_trips_and_rejects_what_it_did_not_write() -> None:
    cursor = FolderCursor(uidvalidity=123, uid=456, modseq=789)
    assert cursor.encode() == "v1;uidvalidity=123;uid=456;modseq=789"
    assert FolderCursor.decode(cursor.encode()) == cursor
    assert FolderCursor.decode("v1;uidvalidity=1;uid=2") == FolderCursor(1, 2, None)
    for bad in ("", "v2;uidvalidity=1;uid=2", "v1;uid=2", "v1;uidvalidity=x;uid=2", "1;2"):
        assert FolderCursor.decode(bad) is None


def test_server_ids_may_contain_semicolons_in_the_folder_name() -> None:
    assert parse_server_id("Work;2024;7;42") == ("Work;2024", 7, 42)
    with pytest.raises(ValueError):
        parse_server_id("INBOX;x;1")


def test_pop3_cursor_is_sorted_uidls_one_a_line_after_a_version() -> None:
    text = encode_uidls(["b", "a", "c", "a"])
    assert text == "v1\na\nb\nc"
    assert decode_uidls(text) == {"a", "b", "c"}
    assert decode_uidls(encode_uidls([])) == frozenset()
    assert decode_uidls("a\nb") is None
