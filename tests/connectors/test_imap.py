"""The IMAP connector against the real Dovecot: TLS, incremental fetch, flags untouched, resets, IDLE, failures."""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from connectors.imap_kit import deliver, fetch_all, subjects
from connectors.mailkit import credentials_of, flags_of, mailbox_admin, make_message
from servers.dovecot import DovecotServer, MailUser
from servers.tls import make_temp_ca

from desktop_sync.connectors.imap import FolderCursor, ImapIncoming, parse_server_id
from desktop_sync.domain.errors import ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import CredentialsOn, Profile, Security
from desktop_sync.domain.ports.connectors import ConnectionTestStep, IncomingMail, PushListener

pytestmark = [pytest.mark.dovecot, pytest.mark.asyncio]


async def test_implicit_tls_fetches_new_mail_then_only_what_came_after_the_cursor(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "one", "two", "three")
    connector = ImapIncoming(imap_profile(Security.TLS), credentials_of(mail_user))
    try:
        items, cursors, batches = await fetch_all(connector)
        assert subjects(items) == ["one", "two", "three"]
        assert [batch.more for batch in batches] == [False]
        assert not batches[0].reset
        cursor = FolderCursor.decode(cursors["INBOX"])
        assert cursor is not None and cursor.uid == 3 and cursor.modseq is not None  # Dovecot has CONDSTORE
        folder, uidvalidity, uid = parse_server_id(items[0].server_id)
        assert (folder, uidvalidity, uid) == ("INBOX", cursor.uidvalidity, 1)
        assert items[0].folder == "INBOX"
        assert items[0].received_at is not None and items[0].received_at.tzinfo is not None
        assert abs(dt.datetime.now(dt.UTC) - items[0].received_at) < dt.timedelta(minutes=5)

        deliver(dovecot, mail_user, "four", "five")
        items, cursors, _ = await fetch_all(connector, cursors)
        assert subjects(items) == ["four", "five"]

        items, again, batches = await fetch_all(connector, cursors)
        assert items == [] and batches == [] and again == cursors  # nothing new: nothing to commit
    finally:
        await connector.close()


async def test_starttls_fetches_with_the_profile_ca(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    raw = make_message("over starttls", to=mail_user.address)
    dovecot.deliver(mail_user.name, raw)
    connector = ImapIncoming(imap_profile(Security.STARTTLS), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        assert [item.raw for item in items] == [raw]
    finally:
        await connector.close()


async def test_the_connector_satisfies_the_domain_protocols(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector: IncomingMail = ImapIncoming(imap_profile(), credentials_of(mail_user))
    listener: PushListener | None = connector.push()
    assert listener is not None
    await listener.close()
    await connector.close()


async def test_fetching_leaves_every_message_unseen(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "keep me unread", "me too")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        assert len(items) == 2
        await connector.fetch_item(items[0].server_id)
    finally:
        await connector.close()
    for line in flags_of(dovecot, mail_user):
        assert b"\\Seen" not in line


async def test_an_empty_inbox_still_gets_a_cursor_and_a_second_poll_yields_nothing(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        items, cursors, batches = await fetch_all(connector)
        assert items == [] and len(batches) == 1
        assert FolderCursor.decode(cursors["INBOX"]) is not None
        _, _, batches = await fetch_all(connector, cursors)
        assert batches == []
    finally:
        await connector.close()


async def test_limit_stops_early_with_more_then_the_rest_follows(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "a", "b", "c", "d", "e")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        items, cursors, batches = await fetch_all(connector, limit=2)
        assert subjects(items) == ["a", "b"]
        assert batches[-1].more
        items, cursors, batches = await fetch_all(connector, cursors, limit=10)
        assert subjects(items) == ["c", "d", "e"]
        assert not batches[-1].more
    finally:
        await connector.close()


async def test_batches_are_cut_by_batch_size_each_with_its_own_cursor(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "1", "2", "3", "4", "5")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user), batch_size=2)
    try:
        _, _, batches = await fetch_all(connector)
        assert [len(batch.items) for batch in batches] == [2, 2, 1]
        assert [batch.more for batch in batches] == [True, True, False]
        assert [batch.remaining for batch in batches] == [3, 1, 0]  # for the import's progress
        uids = [FolderCursor.decode(batch.cursor.value).uid for batch in batches]  # type: ignore[union-attr]
        assert uids == [2, 4, 5]
    finally:
        await connector.close()


async def test_since_skips_older_mail_but_moves_the_cursor_past_it(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    old = dt.datetime(2020, 3, 1, 12, 0, tzinfo=dt.UTC)
    with mailbox_admin(dovecot, mail_user) as imap:
        for subject, when in (("old", old), ("older", old - dt.timedelta(days=30))):
            status, _ = imap.append("INBOX", "", imaplib.Time2Internaldate(when), make_message(subject))
            assert status == "OK"
    deliver(dovecot, mail_user, "recent")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        since = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        items, cursors, _ = await fetch_all(connector, since=since)
        assert subjects(items) == ["recent"]
        cursor = FolderCursor.decode(cursors["INBOX"])
        assert cursor is not None and cursor.uid == 3

        # Exactly at the boundary: the internal date's time counts, not only its day.
        items, _, _ = await fetch_all(connector, since=old - dt.timedelta(hours=1))
        assert subjects(items) == ["old", "recent"]
        items, _, _ = await fetch_all(connector, since=old + dt.timedelta(hours=1))
        assert subjects(items) == ["recent"]
    finally:
        await connector.close()


async def test_a_changed_uidvalidity_restarts_the_folder_with_reset(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    with mailbox_admin(dovecot, mail_user) as imap:
        assert imap.create("Projects")[0] == "OK"
        for subject in ("p1", "p2"):
            imap.append("Projects", "", None, make_message(subject))
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user), folders=["Projects"])
    try:
        items, cursors, batches = await fetch_all(connector)
        assert subjects(items) == ["p1", "p2"]
        before = FolderCursor.decode(cursors["Projects"])

        # Delete and recreate: same name, new UIDVALIDITY (RFC 3501 requires it).
        with mailbox_admin(dovecot, mail_user) as imap:
            assert imap.delete("Projects")[0] == "OK"
            assert imap.create("Projects")[0] == "OK"
            imap.append("Projects", "", None, make_message("p3 after the reset"))

        items, cursors, batches = await fetch_all(connector, cursors)
        projects = [batch for batch in batches if batch.cursor.folder == "Projects"]
        assert projects[0].reset
        assert subjects(items) == ["p3 after the reset"]
        after = FolderCursor.decode(cursors["Projects"])
        assert before is not None and after is not None and after.uidvalidity != before.uidvalidity
        assert not any(batch.reset for batch in batches if batch.cursor.folder == "INBOX")
    finally:
        await connector.close()


async def test_an_unreadable_cursor_is_a_reset_not_a_crash(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "again")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        items, _, batches = await fetch_all(connector, {"INBOX": "garbage from an older version"})
        assert subjects(items) == ["again"] and batches[0].reset
    finally:
        await connector.close()


async def test_a_missing_tracked_folder_is_an_item_failure_and_inbox_still_syncs(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    deliver(dovecot, mail_user, "inbox mail")
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user), folders=["Gone"])
    try:
        items, _, batches = await fetch_all(connector)
        assert subjects(items) == ["inbox mail"]
        [failure] = [failure for batch in batches for failure in batch.failures]
        assert failure.folder == "Gone" and failure.code == "mailbox_not_found" and not failure.transient
    finally:
        await connector.close()


async def test_malformed_bytes_come_back_as_they_are(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    hostile = b"no headers at all\r\n\xff\xfe broken \x00 bytes \xc3\x28\r\n" + b"x" * 5000 + b"\r\n"
    dovecot.deliver(mail_user.name, hostile)
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(connector)
        # IMAP cannot carry NUL in a literal: Dovecot sends 0x80 instead. Everything else is untouched.
        assert [item.raw for item in items] == [hostile.replace(b"\x00", b"\x80")]
    finally:
        await connector.close()


async def test_fetch_item_again_by_server_id_and_a_gone_one_is_permanent(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    raw = make_message("refetch me")
    dovecot.deliver(mail_user.name, raw)
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        [item], _, _ = await fetch_all(connector)
        again = await connector.fetch_item(item.server_id)
        assert again.raw == raw and again.server_id == item.server_id and again.received_at == item.received_at
        folder, uidvalidity, uid = parse_server_id(item.server_id)
        for missing in (f"{folder};{uidvalidity};{uid + 100}", f"{folder};{uidvalidity + 1};{uid}", "Nope;1;1"):
            with pytest.raises(PermanentError) as caught:
                await connector.fetch_item(missing)
            assert caught.value.code == "item_not_found" and caught.value.scope is ErrorScope.ITEM
    finally:
        await connector.close()


async def test_list_folders_reports_special_use(mail_user: MailUser, imap_profile: Callable[..., Profile]) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    try:
        folders = {folder.name: folder for folder in await connector.list_folders()}
    finally:
        await connector.close()
    assert folders["Sent"].special_use == "\\Sent"
    assert folders["Drafts"].special_use == "\\Drafts"
    assert folders["INBOX"].special_use is None
    assert folders["INBOX"].delimiter == "/"


async def test_connection_test_passes_every_step_in_order(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    for security in (Security.TLS, Security.STARTTLS):
        connector = ImapIncoming(imap_profile(security), credentials_of(mail_user))
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
        assert all(step.elapsed_ms >= 0 for step in result.steps)
        assert "TLS" in result.steps[2].detail and "verified" in result.steps[2].detail
        assert "Sent" in result.steps[4].detail


async def test_a_wrong_password_is_auth_failed_and_the_test_never_shows_the_password(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    secret = "wrong-secret-123"
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user, secret))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "auth_failed" and caught.value.scope is ErrorScope.MAILBOX
        result = await connector.test()
    finally:
        await connector.close()
    assert not result.ok
    assert result.failed_step is ConnectionTestStep.AUTHENTICATE
    assert result.failure is not None and result.failure.error_code == "auth_failed"
    assert [step.ok for step in result.steps] == [True, True, True, False]
    assert "LOGIN" in result.last_request and mail_user.name in result.last_request
    assert secret not in result.last_request + result.last_response + repr(result)
    assert "AUTHENTICATIONFAILED" in result.last_response


async def test_a_refused_service_account_disables_the_profile(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    profile = imap_profile(credentials_on=CredentialsOn.PROFILE)
    connector = ImapIncoming(profile, credentials_of(mail_user, "nope"))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
    finally:
        await connector.close()
    assert caught.value.scope is ErrorScope.PROFILE


async def test_a_certificate_from_another_ca_is_refused(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    directory, other = make_temp_ca()
    try:
        for security in (Security.TLS, Security.STARTTLS):
            connector = ImapIncoming(imap_profile(security, ca_file=str(other.ca_cert)), credentials_of(mail_user))
            try:
                with pytest.raises(PermanentError) as caught:
                    await fetch_all(connector)
                assert caught.value.code == "certificate_invalid"
                result = await connector.test()
                assert result.failed_step is ConnectionTestStep.TLS
                assert result.failure is not None and result.failure.error_code == "certificate_invalid"
            finally:
                await connector.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def test_the_system_store_does_not_trust_the_test_ca(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(ca_file=None), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
    finally:
        await connector.close()
    assert caught.value.code == "certificate_invalid"


async def test_clear_text_is_refused_before_connecting_unless_the_profile_allows_it(
    dovecot: DovecotServer,
    mail_user: MailUser,
    imap_profile: Callable[..., Profile],
    scripted_server: Callable[..., Any],
) -> None:
    listener = await scripted_server(b"* OK nobody should get here\r\n")
    connector = ImapIncoming(imap_profile(Security.NONE, port=listener.port), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "insecure_transport" and caught.value.scope is ErrorScope.PROFILE
        result = await connector.test()
        assert result.failed_step is ConnectionTestStep.TLS
    finally:
        await connector.close()
    assert listener.connections == 0

    deliver(dovecot, mail_user, "in clear text")
    allowed = ImapIncoming(imap_profile(Security.NONE, allow_insecure=True), credentials_of(mail_user))
    try:
        items, _, _ = await fetch_all(allowed)
        assert subjects(items) == ["in clear text"]
        result = await allowed.test()
        assert result.ok and "clear text" in result.steps[2].detail
    finally:
        await allowed.close()


async def test_starttls_configured_but_not_offered_is_tls_unavailable(
    mail_user: MailUser, imap_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    def reply(line: bytes) -> bytes | None:
        tag = line.split(b" ", 1)[0]
        if b"LOGIN" in line.upper():
            raise AssertionError("the password must never be sent over clear text")
        return tag + b" OK done\r\n"

    server = await scripted_server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain only\r\n", reply)
    connector = ImapIncoming(imap_profile(Security.STARTTLS, port=server.port), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "tls_unavailable"
        result = await connector.test()
        assert result.failed_step is ConnectionTestStep.TLS and [step.ok for step in result.steps] == [
            True,
            True,
            False,
        ]
    finally:
        await connector.close()


async def test_a_server_that_drops_the_connection_mid_fetch_is_transient(
    dovecot: DovecotServer,
    mail_user: MailUser,
    imap_profile: Callable[..., Profile],
    tcp_proxy: Callable[..., Any],
) -> None:
    deliver(dovecot, mail_user, "m1", "m2", "m3")
    proxy = await tcp_proxy(dovecot.ports["imap"], cut_when=b"BODY.PEEK[]", cut_after=60)
    profile = imap_profile(Security.NONE, port=proxy.port, allow_insecure=True)
    connector = ImapIncoming(profile, credentials_of(mail_user))
    try:
        with pytest.raises(TransientError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "connection_dropped"
        # The next cycle reconnects and gets everything: nothing lost.
        items, _, _ = await fetch_all(connector)
        assert subjects(items) == ["m1", "m2", "m3"]
    finally:
        await connector.close()


async def test_a_server_that_greets_then_hangs_up_is_connection_dropped(
    mail_user: MailUser, imap_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    server = await scripted_server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hello\r\n")
    connector = ImapIncoming(
        imap_profile(Security.NONE, port=server.port, allow_insecure=True), credentials_of(mail_user)
    )
    try:
        with pytest.raises(TransientError) as caught:
            await fetch_all(connector)
    finally:
        await connector.close()
    assert caught.value.code == "connection_dropped"


async def test_a_silent_server_times_out(
    mail_user: MailUser, imap_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    server = await scripted_server(None)  # accepts, never greets
    profile = imap_profile(Security.NONE, port=server.port, allow_insecure=True, timeout_seconds=1)
    connector = ImapIncoming(profile, credentials_of(mail_user))
    try:
        with pytest.raises(TransientError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "timeout"
        result = await connector.test()
        assert result.failed_step is ConnectionTestStep.CONNECT and result.failure is not None
        assert result.failure.error_code == "timeout"
    finally:
        await connector.close()


async def test_nobody_listening_is_server_unreachable(
    mail_user: MailUser, imap_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    server = await scripted_server(None)
    port = server.port
    await server.close()
    connector = ImapIncoming(imap_profile(port=port), credentials_of(mail_user))
    try:
        with pytest.raises(TransientError) as caught:
            await fetch_all(connector)
        assert caught.value.code == "server_unreachable" and caught.value.scope is ErrorScope.PROFILE
        text = caught.value.message  # said as a person would, not "[Errno 111] Connection refused"
        assert text.startswith("localhost (") and text.endswith(
            f"refused the connection on port {port}: nothing listens there"
        )
    finally:
        await connector.close()


async def test_imaplib_formats_responses_only_for_a_logger_that_wants_them(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile], caplog: pytest.LogCaptureFixture
) -> None:
    """imapclient turns imaplib's debug output on; formatting every body for nobody cost a fifth of
    the connector's CPU. Off unless imapclient's logger is at DEBUG, where the password stays masked."""
    deliver(dovecot, mail_user, "one")
    for level, expected in ((logging.INFO, 0), (logging.DEBUG, 5)):
        caplog.set_level(level, logger="imapclient.imaplib")
        connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
        try:
            items, _, _ = await fetch_all(connector)
            session = connector._link.session
            assert session is not None and session.client._imap.debug == expected
            assert subjects(items) == ["one"]
        finally:
            await connector.close()
    assert "matched" in caplog.text  # imaplib's own trace, at DEBUG
    assert mail_user.password not in caplog.text
