"""The POP3 connector against the real Dovecot: UIDL diff, mail left on the server, deleting only what was committed."""

from __future__ import annotations

import datetime as dt
import poplib
import shutil
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from connectors.mailkit import credentials_of, make_message
from servers.dovecot import DovecotServer, MailUser
from servers.tls import make_temp_ca

from desktop_sync.connectors.pop3 import Pop3Incoming, decode_uidls
from desktop_sync.domain.errors import ErrorScope, PermanentError
from desktop_sync.domain.model import Profile, Security
from desktop_sync.domain.ports.connectors import Batch, ConnectionTestStep, IncomingMail, RawMessage

pytestmark = [pytest.mark.dovecot, pytest.mark.asyncio]


async def fetch_all(
    connector: Pop3Incoming,
    cursors: Mapping[str, str] | None = None,
    *,
    since: dt.datetime | None = None,
    limit: int = 1000,
) -> tuple[list[RawMessage], dict[str, str], list[Batch]]:
    batches = [batch async for batch in connector.fetch(cursors or {}, since, limit)]
    new_cursors = dict(cursors or {})
    for batch in batches:
        new_cursors[batch.cursor.folder] = batch.cursor.value
    return [item for batch in batches for item in batch.items], new_cursors, batches


def subjects(items: list[RawMessage]) -> list[str]:
    return [
        line[len(b"Subject: ") :].decode()
        for item in items
        for line in item.raw.split(b"\r\n")
        if line.startswith(b"Subject: ")
    ]


def uidls_on_server(dovecot: DovecotServer, user: MailUser) -> list[str]:
    client = poplib.POP3("127.0.0.1", dovecot.ports["pop3"], timeout=10)
    try:
        client.user(user.name)
        client.pass_(user.password)
        return [line.split()[1].decode() for line in client.uidl()[1]]
    finally:
        client.quit()


def deliver(dovecot: DovecotServer, user: MailUser, *names: str) -> list[bytes]:
    messages = [make_message(name, to=user.address) for name in names]
    for raw in messages:
        dovecot.deliver(user.name, raw)
    return messages


async def test_pop3s_fetches_new_mail_by_uidl_and_leaves_it_on_the_server(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    delivered = deliver(dovecot, mail_user, "one", "two", "three")
    connector: IncomingMail = Pop3Incoming(pop3_profile(Security.TLS), credentials_of(mail_user))
    assert connector.push() is None
    try:
        items, cursors, batches = await fetch_all(connector)  # type: ignore[arg-type]
        assert [item.raw for item in items] == delivered
        assert [item.server_id for item in items] == uidls_on_server(dovecot, mail_user)
        assert {item.folder for item in items} == {"INBOX"}
        assert items[0].received_at == dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC)
        assert decode_uidls(cursors["INBOX"]) == {item.server_id for item in items}
        assert [batch.more for batch in batches] == [False]

        deliver(dovecot, mail_user, "four", "five")
        items, cursors, _ = await fetch_all(connector, cursors)  # type: ignore[arg-type]
        assert subjects(items) == ["four", "five"]
        items, _, batches = await fetch_all(connector, cursors)  # type: ignore[arg-type]
        assert items == [] and batches == []
    finally:
        await connector.close()
    assert len(uidls_on_server(dovecot, mail_user)) == 5  # left on the server


async def test_stls_fetches_with_the_profile_ca(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    delivered = deliver(dovecot, mail_user, "over stls")
    connector = Pop3Incoming(pop3_profile(Security.STARTTLS), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        assert [item.raw for item in items] == delivered
    finally:
        await connector.close()


async def test_delete_after_download_deletes_only_what_was_committed(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "a", "b", "c")
    connector = Pop3Incoming(pop3_profile(delete_after_download=True), credentials_of(mail_user))
    try:
        items, cursors, _ = await fetch_all(connector)
        [late] = deliver(dovecot, mail_user, "arrived after the fetch")
        committed = items[:2]
        await connector.delete_committed(committed)
        remaining = uidls_on_server(dovecot, mail_user)
        assert len(remaining) == 2
        assert not {item.server_id for item in committed} & set(remaining)
        assert items[2].server_id in remaining

        # The cursor forgets UIDLs that left the server; the late mail is still new.
        new, cursors, _ = await fetch_all(connector, cursors)
        assert [item.raw for item in new] == [late]
        assert decode_uidls(cursors["INBOX"]) == set(remaining)
    finally:
        await connector.close()


async def test_without_delete_after_download_nothing_is_ever_deleted(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "keep")
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        await connector.delete_committed(items)
    finally:
        await connector.close()
    assert len(uidls_on_server(dovecot, mail_user)) == 1


async def test_deleting_while_a_fetch_is_under_way_uses_its_session(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "1", "2", "3")
    connector = Pop3Incoming(pop3_profile(delete_after_download=True), credentials_of(mail_user), batch_size=1)
    try:
        seen = 0
        async for batch in connector.fetch({}, None, 100):
            seen += len(batch.items)
            await connector.delete_committed(batch.items)  # as the engine does after each commit
        assert seen == 3
    finally:
        await connector.close()
    assert uidls_on_server(dovecot, mail_user) == []


async def test_limit_stops_early_with_more_then_the_rest_follows(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "a", "b", "c", "d", "e")
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user), batch_size=2)
    try:
        items, cursors, batches = await fetch_all(connector, limit=3)
        assert subjects(items) == ["a", "b", "c"]
        assert [batch.more for batch in batches] == [True, True]
        items, _, batches = await fetch_all(connector, cursors)
        assert subjects(items) == ["d", "e"] and not batches[-1].more
    finally:
        await connector.close()


async def test_since_is_judged_from_the_headers_without_downloading_old_mail(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    dovecot.deliver(mail_user.name, make_message("old", date="Sun, 01 Mar 2020 12:00:00 +0000"))
    dovecot.deliver(mail_user.name, make_message("new", date="Mon, 06 Jan 2025 10:00:00 +0000"))
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user))
    try:
        items, cursors, _ = await fetch_all(connector, since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        assert subjects(items) == ["new"]
        assert len(decode_uidls(cursors["INBOX"]) or ()) == 2  # the old one is covered, not retried
    finally:
        await connector.close()


async def test_fetch_item_by_uidl_and_a_gone_one_is_permanent(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    [raw] = deliver(dovecot, mail_user, "again")
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user))
    try:
        [item], _, _ = await fetch_all(connector)
        assert (await connector.fetch_item(item.server_id)).raw == raw
        with pytest.raises(PermanentError) as caught:
            await connector.fetch_item("no-such-uidl")
        assert caught.value.code == "item_not_found" and caught.value.scope is ErrorScope.ITEM
    finally:
        await connector.close()


async def test_long_lines_and_odd_bytes_come_back_whole(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    raw = b"Subject: long\r\n\r\n" + b"A" * 200_000 + b"\r\n.leading dot\r\n\xff\xfe\r\n"
    dovecot.deliver(mail_user.name, raw)
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        assert [item.raw for item in items] == [raw]
    finally:
        await connector.close()


async def test_an_unreadable_cursor_reads_everything_again_with_reset(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "x")
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user))
    try:
        items, _, batches = await fetch_all(connector, {"INBOX": "something else"})
        assert subjects(items) == ["x"] and batches[0].reset
    finally:
        await connector.close()


async def test_connection_test_steps(mail_user: MailUser, pop3_profile: Callable[..., Profile]) -> None:
    for security in (Security.TLS, Security.STARTTLS):
        connector = Pop3Incoming(pop3_profile(security), credentials_of(mail_user))
        try:
            result = await connector.test()
        finally:
            await connector.close()
        assert result.ok, result
        assert [step.step for step in result.steps] == [
            ConnectionTestStep.RESOLVE,
            ConnectionTestStep.CONNECT,
            ConnectionTestStep.TLS,
            ConnectionTestStep.AUTHENTICATE,
            ConnectionTestStep.LIST_FOLDERS,
        ]
        assert "0 messages" in result.steps[-1].detail


async def test_a_wrong_password_is_auth_failed_and_never_shown(
    mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    secret = "not-the-pop3-password"
    connector = Pop3Incoming(pop3_profile(), credentials_of(mail_user, secret))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "auth_failed"
        result = await connector.test()
    finally:
        await connector.close()
    assert result.failed_step is ConnectionTestStep.AUTHENTICATE
    assert result.last_request == "PASS ********"
    assert secret not in repr(result)


async def test_a_certificate_from_another_ca_is_refused(
    mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    directory, other = make_temp_ca()
    try:
        for security in (Security.TLS, Security.STARTTLS):
            connector = Pop3Incoming(pop3_profile(security, ca_file=str(other.ca_cert)), credentials_of(mail_user))
            try:
                with pytest.raises(PermanentError) as caught:
                    await fetch_all(connector)
                assert caught.value.code == "certificate_invalid"
            finally:
                await connector.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def test_stls_configured_but_not_offered_is_tls_unavailable(
    mail_user: MailUser, pop3_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    def reply(line: bytes) -> bytes | None:
        if line.upper().startswith(b"CAPA"):
            return b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"
        if line.upper().startswith((b"USER", b"PASS")):
            raise AssertionError("credentials must never go out in clear text")
        return b"-ERR no\r\n"

    server = await scripted_server(b"+OK plain only\r\n", reply)
    connector = Pop3Incoming(pop3_profile(Security.STARTTLS, port=server.port), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "tls_unavailable"
    finally:
        await connector.close()


async def test_clear_text_needs_the_profile_to_allow_it(
    dovecot: DovecotServer, mail_user: MailUser, pop3_profile: Callable[..., Profile]
) -> None:
    connector = Pop3Incoming(pop3_profile(Security.NONE), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "insecure_transport"
    finally:
        await connector.close()
    deliver(dovecot, mail_user, "plain")
    allowed = Pop3Incoming(pop3_profile(Security.NONE, allow_insecure=True), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(allowed)
        assert subjects(items) == ["plain"]
    finally:
        await allowed.close()
