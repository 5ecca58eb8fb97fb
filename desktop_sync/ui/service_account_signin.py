"""A service account's OAuth 2.0 sign-in in the profile editor: the application proves its client
secret (or, at Microsoft, its certificate) by getting its own token, and only then is the secret
kept in the keyring for every mailbox of the profile."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit

from desktop_sync.domain.errors import ValidationError
from desktop_sync.services.signin import SignInResult, SignInService
from desktop_sync.ui.signin_panel import OpenBrowser, SignInActions, SignInPanel

# the service's field names, as the profile editor names its fields
_FIELDS = {"client_secret": "password", "client_certificate": "client_certificate"}


class ServiceAccountSignIn(QObject):
    """``save()`` stores the profile as the editor says and gives its name (None: it could not);
    ``secret()`` is the client secret typed; ``show_errors`` puts refusals on the editor's fields."""

    def __init__(
        self,
        service: SignInService | None,
        save: Callable[[], Awaitable[str | None]],
        secret: Callable[[], str],
        show_errors: Callable[[Mapping[str, str]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._save = save
        self._secret = secret
        self._show_errors = show_errors
        self.certificate = QLineEdit()
        self.certificate.setPlaceholderText(self.tr("Or a PEM file with the certificate and its private key"))
        self.certificate.setAccessibleName(self.tr("Client certificate"))
        self.panel = SignInPanel()
        self.panel.setToolTip(self.tr("Saves the profile, then gets the application's own token to prove its secret"))

    def offer(self, shown: bool) -> None:
        if not shown:
            self.panel.set_actions(None)
        elif self._service is None:
            self.panel.set_actions(None, self.tr("Sign-in is not available in this window."))
        else:
            self.panel.set_actions(
                SignInActions(self._sign_in),
                self.tr("Sign in… saves the profile and proves the application's secret with the provider."),
            )

    async def _sign_in(self, _open_browser: OpenBrowser, _cancelled: threading.Event) -> SignInResult | None:
        service = self._service
        if service is None:
            return None
        path = self.certificate.text().strip()
        secret = self._secret()
        try:
            name = await self._save()
            if name is None:
                return None
            if path:
                certificate = await service.read_certificate(path)
                return await service.sign_in_service_account(name, certificate=certificate)
            return await service.sign_in_service_account(name, client_secret=secret or None)
        except ValidationError as exc:
            self._show_errors({_FIELDS.get(field, field): text for field, text in exc.errors.items()})
            return None
