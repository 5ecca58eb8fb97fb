"""What the issue asks of an admin at the window, against the real servers: a profile from the
Microsoft 365 preset (aimed at the test servers and the test OAuth provider), a mailbox signed in
with Sign in… in its editor, Test & Enable passing through XOAUTH2, and the engine importing mail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer
from servers.smtp import SmtpServer
from support.oauth_mail import oauth_account
from support.scripted import message
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import CredentialsOn
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.signin import SignInService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.ui.mailbox_dialog import MailboxDialog
from desktop_sync.ui.signin_panel import State
from tests.ui.conftest import FAST_ENGINE, Answers, until
from tests.ui.test_signin_dialogs import Browser, microsoft_365_dialog

pytestmark = [pytest.mark.gui, pytest.mark.dovecot, pytest.mark.smtp]


def test_a_preset_profile_a_gui_sign_in_test_and_enable_and_mail_imported(
    ui, run, qtbot, tls_ca: Path, oauth_provider_session: OAuthProvider, dovecot: DovecotServer, smtp_server: SmtpServer
):
    provider = oauth_provider_session
    account = oauth_account(provider, dovecot, tls_ca, prefix="gui")
    address = account.user.address
    secrets = KeyringSecrets()
    broker = TokenBroker(secrets)
    sync = SyncControl(
        store=ui.store,
        secrets=secrets,
        connectors=MailConnectorFactory(imap_parked_per_server=0),
        bus=ui.bus,
        monitoring=ui.context.monitoring,
        settings=FAST_ENGINE,
        tokens=broker,
    )
    context = dataclasses.replace(
        ui.context, sync=sync, signin=SignInService(ui.store, broker, secrets, sync_now=sync.sync_now)
    )
    try:
        # the profile: the preset, then aimed at the test servers and provider
        profile = microsoft_365_dialog(context, ui.presenter(), qtbot, provider, tls_ca, "M365", account.client_id)
        profile.incoming_host.setText("localhost")
        profile.incoming_port.setValue(dovecot.ports["imaps"])
        profile.outgoing_host.setText("localhost")
        profile.outgoing_port.setValue(smtp_server.port)
        assert profile.credentials_on.currentData() is CredentialsOn.MAILBOX
        with qtbot.waitSignal(profile.saved, timeout=10_000):
            profile.save_button.click()

        async def mailbox() -> None:
            await context.directory.add_queue(address, "Orders")
            await context.mailboxes.add(address, "M365", queue_email=address, login=account.user.name)
            await context.mailboxes.approve(address)

        run(mailbox())
        for n in (1, 2):
            dovecot.deliver(account.user.name, message(n, to=address))

        # the mailbox's editor: Sign in…, then Test & Enable
        views = run(context.mailboxes.list())
        dialog = MailboxDialog(
            context,
            ui.presenter(),
            Answers(),
            profiles=run(context.profiles.list()),
            users=[],
            queues=run(context.directory.queues()),
            view=next(v for v in views if v.mailbox.address == address),
        )
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.sign_in.open_browser = Browser(tls_ca)
        dialog.sign_in.sign_in_button.click()
        run(until(lambda: dialog.sign_in.state is State.SIGNED_IN, timeout=30, what="the sign-in"))
        assert f"Signed in as {address}" in dialog.sign_in.status.text()

        dialog.test_button.click()
        run(until(lambda: "Incoming email" in dialog.outcome_label.text(), timeout=60, what="Test & Enable"))
        outcome = dialog.outcome_label.text()
        assert "Incoming email: Passed, enabled" in outcome and "Outgoing email: Passed, enabled" in outcome

        run(sync.start())

        async def imported() -> bool:
            async with ui.store.transaction() as tx:
                return int(await tx.activities.count()) >= 2

        run(eventually(imported, timeout=60, what="the two mails imported through XOAUTH2"))
        assert ui.shown == []
    finally:
        run(sync.stop())
