"""A mailbox's OAuth 2.0 sign-in in its editor: the Sign in… panel over the sign-in service, for a
profile whose mailboxes sign in each with their own account (the browser, or a code)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Profile
from desktop_sync.services.signin import SignInResult, SignInService
from desktop_sync.ui.signin_panel import OpenBrowser, ShowCode, SignInActions, SignInPanel


class MailboxSignIn(QObject):
    """``save()`` stores what the editor says and gives the mailbox's address (None: it could not);
    ``changed()`` tells the editor's owner that something was written."""

    def __init__(
        self,
        service: SignInService | None,
        save: Callable[[], Awaitable[str | None]],
        changed: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._save = save
        self._changed = changed
        self._address: str | None = None
        self.panel = SignInPanel()

    def offer(self, profile: Profile, address: str | None) -> None:
        """What the panel offers for a mailbox of ``profile`` (``address`` None: not stored yet)."""
        self._address = address
        oauth = profile.auth is AuthMethod.OAUTH2
        if not oauth:
            self.panel.set_actions(None)
            return
        if self._service is None:
            self.panel.set_actions(None, self.tr("Sign-in is not available in this window."))
            return
        if profile.credentials_on is CredentialsOn.PROFILE:
            self.panel.set_actions(None, self.tr("The profile's application signs in for every mailbox."))
            return
        self.panel.set_actions(self._actions(), self.tr("Sign in… saves the mailbox first.") if address is None else "")
        if address is not None:
            self._show_state(address)

    def _actions(self) -> SignInActions:
        return SignInActions(self._browser, self._device)

    @asyncSlot()
    async def _show_state(self, address: str) -> None:
        if self._service is None:
            return
        with contextlib.suppress(DesktopSyncError):
            state = await self._service.mailbox_state(address)
            if state.needs_sign_in:
                text = self.tr("Sign-in needed: the identity provider no longer accepts the last sign-in.")
            elif state.signed_in:
                text = self.tr("Signed in: the mailbox's grant is in the keyring.")
            elif state.signed_in is None:
                text = self.tr("The keyring cannot be read, so nobody can tell whether the mailbox is signed in.")
            else:
                text = self.tr("Not signed in yet.")
            with contextlib.suppress(RuntimeError):  # the editor may be gone
                if self._address == address:
                    self.panel.set_actions(self._actions(), text)

    async def _browser(self, open_browser: OpenBrowser, cancelled: threading.Event) -> SignInResult | None:
        address = await self._save()
        if self._service is None or address is None:
            return None
        result = await self._service.sign_in_mailbox(address, open_browser=open_browser, cancelled=cancelled)
        self._changed()
        return result

    async def _device(self, show_code: ShowCode, cancelled: threading.Event) -> SignInResult | None:
        address = await self._save()
        if self._service is None or address is None:
            return None
        device = await self._service.start_device_sign_in(address)
        show_code(device.prompt)
        result = await self._service.finish_device_sign_in(device, cancelled)
        self._changed()
        return result
