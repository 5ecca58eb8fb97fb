"""Searching email activities takes what the user typed as text: % and _ are not wildcards.

The search reads outside input (whatever is typed in the Activities view or ``email list --search``),
so it is checked with generated searches against the plain substring rule, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_admin import Admin

from desktop_sync.store import SqlStore, open_store

SUBJECTS = [
    "100% done",
    "100 done",
    "a_b",
    "axb",
    "back\\slash",
    "slash/ed",
    "under_score_",
    "50%_off",
    "plain words",
    "PERCENT%SIGN",
    "%",
    "_",
    "/",
    "\\",
    "ESCAPE '/'",
]


@pytest.fixture
def searched(store_url: str) -> Iterator[SqlStore]:
    """A store with one outgoing email activity per subject above, from alice's mailbox to bob."""
    admin = Admin(store_url)
    admin("profile", "add", "Corp", "--kind", "imap", "--incoming-host", "imap.example.test",
          "--outgoing-host", "smtp.example.test")  # fmt: skip
    admin("user", "add", "alice@example.test", "--name", "Alice")
    admin("mailbox", "add", "alice@example.test", "--profile", "Corp", "--user", "alice@example.test")
    for subject in SUBJECTS:
        admin("email", "send", "--from", "alice@example.test", "--to", "bob@example.test", "--subject", subject,
              "--no-tracking-token")  # fmt: skip
    store = open_store(store_url)
    yield store
    asyncio.run(store.close())


def found(store: SqlStore, search: str) -> list[str]:
    async def query() -> list[str]:
        async with store.transaction() as tx:
            return sorted(a.subject for a in await tx.activities.list(search=search, limit=1000))

    return asyncio.run(query())


def expected(search: str) -> list[str]:
    """The plain rule: the subject, or a party's address, contains the text (ASCII case folded)."""
    needle = search.lower()
    addresses = ("alice@example.test", "bob@example.test")
    return sorted(s for s in SUBJECTS if needle in s.lower() or any(needle in a for a in addresses))


@pytest.mark.parametrize(
    ("search", "subjects"),
    [
        ("100%", ["100% done"]),
        ("a_b", ["a_b"]),
        ("%_", ["50%_off"]),
        ("\\", ["\\", "back\\slash"]),
        ("/", ["/", "ESCAPE '/'", "slash/ed"]),
    ],
)
def test_wildcards_typed_in_a_search_match_themselves(searched: SqlStore, search: str, subjects: list[str]) -> None:
    assert found(searched, search) == subjects


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(search=st.text(alphabet="%_\\/'aAbB05 .@ex", min_size=1, max_size=6))
def test_any_search_finds_exactly_the_activities_containing_it(searched: SqlStore, search: str) -> None:
    assert found(searched, search) == expected(search)
