"""Sign in… in the mailbox editor, against the project's own OAuth provider: the browser opens (the
test's browser follows the real redirect to the loopback listener), the panel waits with a Cancel
that really cancels, then names the account, the granted scopes and the token's expiry; a declined
sign-in, a wrong client id and a provider that is down are said in words with a retry; the device
code shows the page and the code; signing in clears the mailbox's sign-in alert."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path

import pytest
from oauth.browser import open_sign_in_page
from oauth.provider import APP_SCOPES, OAuthProvider
from support.certificates import make_certificate

from desktop_sync.domain.model import Alert, AlertScope, AuthMethod, CredentialsOn, ProfileKind, Severity
from desktop_sync.domain.presets import Preset
from desktop_sync.domain.signin import SIGNIN_NEEDED
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.signin import SignInService
from desktop_sync.ui.mailbox_dialog import MailboxDialog
from desktop_sync.ui.main_window import MainWindow, View
from desktop_sync.ui.profile_dialog import ProfileDialog
from desktop_sync.ui.signin_panel import State
from tests.ui.conftest import Answers, save_grab, until

pytestmark = pytest.mark.gui
APP = "desktop-sync"
ALICE = "alice@example.test"


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_user(ALICE, display_name="Alice")
    oauth_provider.sign_in_as(ALICE)
    return oauth_provider


@pytest.fixture
def world(ui, run, provider: OAuthProvider, tls_ca: Path):
    """A Microsoft 365 IMAP profile pointed at the test provider, and a signing-in service over it."""
    secrets = KeyringSecrets()
    service = SignInService(ui.store, TokenBroker(secrets), secrets, sync_now=ui.context.sync.sync_now)
    ui.context = dataclasses.replace(ui.context, signin=service)

    async def setup() -> None:
        await ui.context.profiles.add(
            ProfileInput(
                name="M365",
                kind=ProfileKind.IMAP,
                incoming_host="outlook.office365.com",
                outgoing_host="smtp.office365.com",
                auth=AuthMethod.OAUTH2,
                oauth_provider=ProviderKind.MICROSOFT,
                client_id=APP,
                tenant=provider.tenant,
                authority_host=provider.base_url,
                ca_file=str(tls_ca),
            )
        )
        await ui.context.mailboxes.add(ALICE, "M365")

    run(setup())
    return ui


def open_dialog(world, run, qtbot, address: str | None = ALICE) -> MailboxDialog:
    async def lists():
        context = world.context
        views = [v for v in await context.mailboxes.list() if v.mailbox.address == address]
        return await context.profiles.list(), await context.directory.users(), views[0] if views else None

    profiles, users, view = run(lists())
    dialog = MailboxDialog(
        world.context, world.presenter(), Answers(), profiles=profiles, users=users, queues=[], view=view
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


class Browser:
    """The person's browser: opens the provider's page when told, in the background as a real one does."""

    def __init__(self, ca: Path, *, hold: bool = False) -> None:
        self.ca = ca
        self.opened: list[str] = []
        self.go = threading.Event()
        self.walked_away = False
        if not hold:
            self.go.set()

    def walk_away(self) -> None:
        """The person never finishes in the browser."""
        self.walked_away = True
        self.go.set()

    def __call__(self, uri: str) -> None:
        self.opened.append(uri)

        def person() -> None:
            self.go.wait(30)
            if not self.walked_away:
                open_sign_in_page(uri, self.ca)

        threading.Thread(target=person, daemon=True).start()


def test_sign_in_names_the_account_scopes_and_expiry_and_no_password_is_asked(world, run, qtbot, tls_ca, tmp_path):
    dialog = open_dialog(world, run, qtbot)
    panel = dialog.sign_in
    assert not dialog.password.isVisibleTo(dialog) and panel.isVisibleTo(dialog)
    run(until(lambda: "Not signed in yet" in panel.status.text(), what="the sign-in state"))
    browser = Browser(tls_ca, hold=True)
    panel.open_browser = browser
    panel.sign_in_button.click()
    run(until(lambda: panel.state is State.WAITING_BROWSER and browser.opened, what="the browser to open"))
    assert "Waiting for the sign-in in your browser" in panel.status.text()
    assert panel.cancel_button.isVisible() and not panel.sign_in_button.isVisible()
    save_grab(dialog, tmp_path / "mailbox-signin-waiting.png")

    browser.go.set()
    run(until(lambda: panel.state is State.SIGNED_IN, what="the sign-in"))
    text = panel.status.text()
    assert f"Signed in as {ALICE}" in text
    assert "https://outlook.office.com/IMAP.AccessAsUser.All" in text and "SMTP.Send" in text
    assert "holds until" in text
    assert panel.sign_in_button.text().replace("&", "") == "Sign in again…"
    assert run(world.context.signin.mailbox_state(ALICE)).signed_in is True

    again = open_dialog(world, run, qtbot)
    run(until(lambda: "Signed in" in again.sign_in.status.text(), what="the stored sign-in to show"))


def test_cancel_really_cancels_and_a_retry_signs_in(world, run, qtbot, tls_ca):
    dialog = open_dialog(world, run, qtbot)
    panel = dialog.sign_in
    browser = Browser(tls_ca, hold=True)
    panel.open_browser = browser
    panel.sign_in_button.click()
    run(until(lambda: panel.state is State.WAITING_BROWSER and browser.opened, what="the wait"))
    panel.cancel_button.click()
    run(until(lambda: panel.state is State.FAILED, what="the cancel"))
    browser.walk_away()
    assert "cancelled" in panel.status.text() and "nothing was granted" in panel.status.text()
    assert run(world.context.signin.mailbox_state(ALICE)).signed_in is False

    panel.open_browser = Browser(tls_ca)
    assert panel.sign_in_button.text().replace("&", "") == "Try again…"
    panel.sign_in_button.click()
    run(until(lambda: panel.state is State.SIGNED_IN, what="the retry"))


def test_a_declined_sign_in_is_said_in_words(world, run, qtbot, tls_ca, provider):
    provider.decline()
    dialog = open_dialog(world, run, qtbot)
    dialog.sign_in.open_browser = Browser(tls_ca)
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.sign_in.state is State.FAILED, what="the refusal"))
    assert "declined in the browser" in dialog.sign_in.status.text()
    dialog.sign_in.show_failed(dialog.sign_in.status.text() + " " + "a long answer of the provider " * 8)
    run(until(dialog.sign_in.text_fits, what="the dialog to make room for the whole text"))
    assert world.shown == []  # said in the panel, not in an error dialog


def test_a_wrong_client_id_is_said_in_words(world, run, qtbot, tls_ca):
    async def wrong_client() -> None:
        profile = await world.context.profiles.get("M365")
        assert profile.oauth is not None
        await world.context.profiles.update(
            "M365",
            ProfileInput(
                name="M365",
                kind=ProfileKind.IMAP,
                incoming_host=profile.incoming.host,
                outgoing_host="smtp.office365.com",
                auth=AuthMethod.OAUTH2,
                oauth_provider=ProviderKind.MICROSOFT,
                client_id="not-registered",
                tenant=profile.oauth.tenant,
                authority_host=profile.oauth.authority_host,
                ca_file=str(tls_ca),
            ),
        )

    run(wrong_client())
    dialog = open_dialog(world, run, qtbot)
    # the provider says so to the app at the device code's request; in a browser sign-in it says so
    # on its own page (it must not send an unknown client back), where the person reads it and cancels
    dialog.sign_in.code_button.click()
    run(until(lambda: dialog.sign_in.state is State.FAILED, what="the refusal"))
    assert "client id" in dialog.sign_in.status.text()


def test_a_provider_that_is_down_is_said_in_words(world, run, qtbot, tls_ca, provider):
    provider.down = True
    dialog = open_dialog(world, run, qtbot)
    dialog.sign_in.open_browser = Browser(tls_ca)
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.sign_in.state is State.FAILED, what="the failure"))
    assert "cannot be reached" in dialog.sign_in.status.text()
    provider.down = False
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.sign_in.state is State.SIGNED_IN, what="the retry"))


def test_the_device_code_shows_the_page_and_the_code(world, run, qtbot, provider, tmp_path):
    dialog = open_dialog(world, run, qtbot)
    panel = dialog.sign_in
    assert panel.code_button.isVisible()
    panel.code_button.click()
    run(until(lambda: panel.state is State.WAITING_CODE, what="the code"))
    code = next(d.user_code for d in provider.state.device_codes.values())
    assert code in panel.status.text() and provider.base_url in panel.status.text()
    save_grab(dialog, tmp_path / "mailbox-signin-code.png")
    provider.approve_device(code, ALICE)
    run(until(lambda: panel.state is State.SIGNED_IN, timeout=30, what="the device sign-in"))
    assert f"Signed in as {ALICE}" in panel.status.text()


def test_a_new_mailbox_is_saved_before_it_signs_in(world, run, qtbot, tls_ca, provider):
    provider.add_user("bob@example.test")
    provider.sign_in_as("bob@example.test")
    dialog = open_dialog(world, run, qtbot, address=None)
    dialog.profile.setCurrentIndex(dialog.profile.findData("M365"))
    assert "saves the mailbox first" in dialog.sign_in.status.text()
    dialog.address.setText("bob@example.test")
    dialog.sign_in.open_browser = Browser(tls_ca)
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.sign_in.state is State.SIGNED_IN, what="the sign-in"))
    assert "bob@example.test" in [v.mailbox.address for v in run(world.context.mailboxes.list())]


def test_a_password_profile_shows_the_password_not_the_sign_in(ui, run, qtbot):
    run(ui.profile("Corp"))
    profiles = run(ui.context.profiles.list())
    dialog = MailboxDialog(ui.context, ui.presenter(), Answers(), profiles=profiles, users=[], queues=[])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password.isVisibleTo(dialog) and not dialog.sign_in.isVisibleTo(dialog)


def microsoft_365_dialog(
    context, presenter, qtbot, provider: OAuthProvider, tls_ca: Path, name: str, client_id: str
) -> ProfileDialog:
    """A new profile from the Microsoft 365 preset, signing in at the test provider (by configuration only)."""
    dialog = ProfileDialog(context, presenter)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText(name)
    index = dialog.preset.findData(Preset.MICROSOFT_365)
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)
    dialog.oauth.client_id.setText(client_id)
    dialog.oauth.tenant.setText(provider.tenant)
    dialog.oauth.advanced.setChecked(True)
    dialog.oauth.authority_host.setText(provider.base_url)
    dialog.ca_file.setText(str(tls_ca))
    return dialog


def service_account_dialog(ui, qtbot, provider: OAuthProvider, tls_ca: Path, secret: str) -> ProfileDialog:
    dialog = microsoft_365_dialog(ui.context, ui.presenter(), qtbot, provider, tls_ca, "Service", APP)
    dialog.credentials_on.setCurrentIndex(dialog.credentials_on.findData(CredentialsOn.PROFILE))
    dialog.password.setText(secret)
    return dialog


def test_a_service_account_proves_its_secret_before_it_is_kept(world, run, qtbot, tls_ca, provider, tmp_path):
    provider.add_client("service-app", secret="app-secret", app_scopes=APP_SCOPES)
    dialog = service_account_dialog(world, qtbot, provider, tls_ca, "wrong-secret")
    dialog.oauth.client_id.setText("service-app")
    panel = dialog.sign_in
    assert panel.isVisibleTo(dialog) and not panel.code_button.isVisibleTo(dialog)
    assert not dialog.login.isVisibleTo(dialog)
    panel.sign_in_button.click()
    run(until(lambda: panel.state is State.FAILED, what="the refusal"))
    assert "client id" in panel.status.text() and "client secret" in panel.status.text()
    assert run(world.context.profiles.has_password("Service")) is False  # saved, but no secret kept
    assert world.context.signin is not None

    dialog.password.setText("app-secret")
    panel.sign_in_button.click()
    run(until(lambda: panel.state is State.SIGNED_IN, what="the application's sign-in"))
    assert "https://outlook.office365.com/.default" in panel.status.text()
    assert run(world.context.profiles.has_password("Service")) is True
    save_grab(dialog, tmp_path / "profile-service-account-signed-in.png")


def test_a_service_account_without_a_secret_is_told_on_the_field(world, run, qtbot, tls_ca, provider):
    dialog = service_account_dialog(world, qtbot, provider, tls_ca, "")
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.fields.message("password") != "", what="the field's error"))
    assert "client secret" in dialog.fields.message("password")
    assert dialog.sign_in.state is State.IDLE


def test_the_sign_in_alerts_fix_signs_the_mailbox_in_and_clears_the_alert(world, run, qtbot, tls_ca):
    async def alert() -> None:
        async with world.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(ALICE)
            await tx.alerts.add(
                Alert(
                    Severity.ERROR,
                    AlertScope.MAILBOX,
                    SIGNIN_NEEDED,
                    {"detail": "the identity provider no longer accepts this sign-in (invalid_grant)"},
                    mailbox.id,
                    mailbox.profile_id,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )

    run(alert())
    window = MainWindow(database_label="test", has_profiles=True, context=world.context, asker=Answers())
    qtbot.addWidget(window)
    window.mailboxes_page.open_browser = Browser(tls_ca)
    window.show_view(View.ALERTS)
    page = window.alerts_page
    run(page.refresh())
    page.table.selectRow(0)
    assert page.sign_in_button.isEnabled() and "Sign-in needed" in page.detail.text()
    page.sign_in_button.click()
    run(until(lambda: isinstance(window.mailboxes_page.dialog, MailboxDialog), what="the mailbox editor"))
    dialog = window.mailboxes_page.dialog
    run(until(lambda: dialog.sign_in.state is State.SIGNED_IN, what="the sign-in"))

    async def open_alerts() -> list[Alert]:
        async with world.store.transaction() as tx:
            return [a for a in await tx.alerts.list() if not a.cleared]

    assert run(open_alerts()) == []


def test_a_service_account_signs_in_with_a_certificate_file(world, run, qtbot, tls_ca, provider, tmp_path):
    cert, key, _ = make_certificate()
    provider.add_client("cert-app", certificate=cert, app_scopes=APP_SCOPES)
    dialog = service_account_dialog(world, qtbot, provider, tls_ca, "")
    dialog.oauth.client_id.setText("cert-app")
    dialog.service_signin.certificate.setText(str(tmp_path / "missing.pem"))
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.fields.message("client_certificate") != "", what="the missing file's error"))
    assert "no such certificate file" in dialog.fields.message("client_certificate")

    pem = tmp_path / "service.pem"
    pem.write_text(cert + key)
    dialog.service_signin.certificate.setText(str(pem))
    dialog.sign_in.sign_in_button.click()
    run(until(lambda: dialog.sign_in.state is State.SIGNED_IN, what="the application's sign-in"))
    assert run(world.context.profiles.has_password("Service")) is True


def test_a_service_accounts_sign_in_alert_opens_its_profile(world, run, qtbot):
    async def alert() -> None:
        async with world.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(ALICE)
            await tx.alerts.add(
                Alert(
                    Severity.ERROR,
                    AlertScope.PROFILE,
                    SIGNIN_NEEDED,
                    {"detail": "the identity provider refused the application's secret (invalid_client)"},
                    mailbox.id,
                    mailbox.profile_id,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )

    run(alert())
    window = MainWindow(database_label="test", has_profiles=True, context=world.context, asker=Answers())
    qtbot.addWidget(window)
    run(window.profiles_page.refresh())
    page = window.alerts_page
    run(page.refresh())
    page.table.selectRow(0)
    assert page.sign_in_target() == ("profile", "M365")
    page.sign_in_button.click()
    run(until(lambda: isinstance(window.profiles_page.dialog, ProfileDialog), what="the profile editor"))
    assert window.profiles_page.dialog.name.text() == "M365"
