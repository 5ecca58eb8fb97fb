"""What the mail connector reads from Graph and from its own cursors, with generated values: cursors of any
text, any receivedDateTime, any delta item and any recipients list give a value or a fresh start, never a crash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.connectors.graph.client import GraphClient
from desktop_sync.connectors.graph.mail import GraphIncoming, decode_cursor, encode_cursor, received_at
from desktop_sync.connectors.graph.send import quoted, with_bcc
from desktop_sync.domain.signin import AccessToken

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)


class NoTokens:
    async def token(self) -> AccessToken:
        raise AssertionError("no request is made here")

    def rejected(self, token: AccessToken) -> None:
        pass


def connector(category: str = "Tracked to CRM") -> GraphIncoming:
    client = GraphClient("https://graph.test/v1.0", "a@b.test", NoTokens(), ssl_context=None)
    return GraphIncoming(client, tracked_category=category)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=80), st.text(min_size=1, max_size=20))
def test_any_cursor_is_a_link_of_this_folder_or_a_fresh_start(value: str, folder: str) -> None:
    found = decode_cursor(value, folder)
    assert found is None or (found.startswith("https://") and value.startswith(f"graph1|{folder}|"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="|"), min_size=1, max_size=20), st.text(max_size=40))
def test_a_cursor_comes_back_as_it_was_written(folder: str, tail: str) -> None:
    link = "https://graph.test/v1.0/users/a/mailFolders/x/messages/delta?$deltatoken=" + tail
    assert decode_cursor(encode_cursor(folder, link), folder) == link
    assert decode_cursor(encode_cursor(folder, link), folder + "x") is None


@settings(max_examples=1000, deadline=None)
@given(JSON)
def test_any_received_date_is_a_time_or_none(value: Any) -> None:
    found = received_at({"receivedDateTime": value})
    assert found is None or found.tzinfo is not None


def test_received_dates_as_graph_writes_them() -> None:
    assert received_at({"receivedDateTime": "2026-12-08T01:02:03Z"}) == dt.datetime(2026, 12, 8, 1, 2, 3, tzinfo=dt.UTC)
    assert received_at({"receivedDateTime": "2026-12-08T01:02:03"}) == dt.datetime(2026, 12, 8, 1, 2, 3, tzinfo=dt.UTC)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(st.sampled_from(["categories", "receivedDateTime", "@removed", "subject"]), JSON))
def test_any_delta_item_is_wanted_or_not(extra: dict[str, Any]) -> None:
    item = {"id": "AAMk1", **extra}
    wanted = connector()._wanted(item, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    categories = extra.get("categories")
    if "@removed" in extra or (isinstance(categories, list) and "Tracked to CRM" in categories):
        assert wanted is False


@settings(max_examples=300, deadline=None)
@given(st.lists(st.emails(), max_size=4), st.lists(st.emails(), max_size=4))
def test_bcc_adds_only_recipients_the_headers_do_not_name(named: list[str], recipients: list[str]) -> None:
    raw = (f"To: {', '.join(named) or 'x@y.test'}\r\nSubject: s\r\n\r\nbody\r\n").encode()
    out = with_bcc(raw, named + recipients)
    assert out.endswith(raw)
    header = out[: len(out) - len(raw)].decode()
    lowered = {n.lower() for n in named}
    hidden = [r for r in recipients if r.lower() not in lowered]
    assert (header == "") == (not hidden)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=40))
def test_any_message_id_is_one_odata_string(value: str) -> None:
    literal = quoted(value)
    assert literal.startswith("'") and literal.endswith("'") and literal[1:-1].replace("''", "").count("'") == 0
