"""The profile dialog's OAuth 2.0 part and its presets: which identity provider, which application,
which scopes, and the Microsoft 365 and Google Workspace / Gmail servers filled in one choice."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop_sync.domain.model import PROFILE_PROTOCOLS, ProfileKind
from desktop_sync.domain.presets import Preset
from desktop_sync.domain.signin import MICROSOFT_AUTHORITY, OAuthProvider, OAuthSettings, app_scopes, default_scopes
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.page import narrow_combo


class OAuthFields(QObject):
    """The OAuth rows of a form: provider, client id, tenant (Microsoft), issuer (any OpenID Connect
    provider), scopes (empty: the provider's defaults, shown as the placeholder) and, under
    "Advanced", the authority host of another Microsoft cloud."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.provider = narrow_combo(QComboBox(), characters=24)
        self.provider.addItem(self.tr("Microsoft 365 (Microsoft Entra ID)"), OAuthProvider.MICROSOFT)
        self.provider.addItem(self.tr("Google"), OAuthProvider.GOOGLE)
        self.provider.addItem(self.tr("Another OpenID Connect provider"), OAuthProvider.OIDC)
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText(self.tr("The application id registered at the provider"))
        self.tenant = QLineEdit()
        self.tenant.setPlaceholderText(self.tr("organizations (any work account)"))
        self.issuer = QLineEdit()
        self.issuer.setPlaceholderText(self.tr("https://id.example.com"))
        self.scopes = QLineEdit()
        self.scopes.setAccessibleName(self.tr("Scopes, separated by spaces"))
        self.advanced = QToolButton()
        self.advanced.setText(self.tr("Ad&vanced"))
        self.advanced.setCheckable(True)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.authority_host = QLineEdit()
        self.authority_host.setPlaceholderText(MICROSOFT_AUTHORITY)
        self._kind = ProfileKind.IMAP
        self._app_only = False
        self._shown = False
        self._form: QFormLayout | None = None
        self._rows: dict[str, QWidget] = {}
        self.provider.currentIndexChanged.connect(self._update)
        self.advanced.toggled.connect(self._update)

    def preset_combo(self) -> QComboBox:
        """The presets an admin can start a profile from; "none" leaves every field as typed."""
        combo = narrow_combo(QComboBox(), characters=28)
        combo.addItem(self.tr("None: I type the servers"), None)
        combo.addItem(self.tr("Microsoft 365"), Preset.MICROSOFT_365)
        combo.addItem(self.tr("Google Workspace / Gmail"), Preset.GOOGLE)
        return combo

    def add_rows(self, form: QFormLayout, fields: FieldErrors) -> None:
        """Put the rows in ``form`` (under the authentication choice), each with its error label."""
        self._form = form
        rows = (
            ("oauth_provider", self.tr("Identity &provider:"), self.provider),
            ("client_id", self.tr("Application (&client) ID:"), self.client_id),
            ("tenant", self.tr("&Tenant:"), self.tenant),
            ("issuer", self.tr("&Issuer URL:"), self.issuer),
            ("scopes", self.tr("Sco&pes:"), self.scopes),
        )
        for field, text, widget in rows:
            label = QLabel(text)
            label.setBuddy(widget)
            wrapped = fields.wrap(field, widget)
            form.addRow(label, wrapped)
            self._rows[field] = wrapped
        form.addRow("", self.advanced)
        self._rows["advanced"] = self.advanced
        label = QLabel(self.tr("Authority &host:"))
        label.setBuddy(self.authority_host)
        self._rows["authority_host"] = fields.wrap("authority_host", self.authority_host)
        form.addRow(label, self._rows["authority_host"])
        self._update()

    # --- what the form says ------------------------------------------------------------------

    def fill(self, settings: OAuthSettings | None) -> None:
        if settings is None:
            return
        self.select_provider(settings.provider)
        self.client_id.setText(settings.client_id)
        self.tenant.setText("" if settings.tenant == "organizations" else settings.tenant)
        self.issuer.setText(settings.issuer)
        self.scopes.setText(" ".join(settings.scopes))
        if settings.authority_host.rstrip("/") != MICROSOFT_AUTHORITY:
            self.authority_host.setText(settings.authority_host)
            self.advanced.setChecked(True)

    def select_provider(self, provider: OAuthProvider) -> None:
        index = self.provider.findData(provider)
        if index >= 0:
            self.provider.setCurrentIndex(index)

    def values(self) -> dict[str, object]:
        """The ProfileInput fields of the OAuth settings (all empty when the profile uses no OAuth)."""
        if not self._shown:
            return {}

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        provider: OAuthProvider = self.provider.currentData()
        return {
            "oauth_provider": provider,
            "client_id": text(self.client_id),
            "tenant": text(self.tenant) if provider is OAuthProvider.MICROSOFT else None,
            "issuer": text(self.issuer) if provider is OAuthProvider.OIDC else None,
            "scopes": tuple(self.scopes.text().split()),
            "authority_host": text(self.authority_host) if provider is OAuthProvider.MICROSOFT else None,
        }

    # --- what shows --------------------------------------------------------------------------

    def set_context(self, *, shown: bool, kind: ProfileKind, app_only: bool) -> None:
        """Show the rows for an OAuth profile of ``kind``; ``app_only``: the application signs in itself."""
        self._shown, self._kind, self._app_only = shown, kind, app_only
        self._update()

    def _update(self, *_args: object) -> None:
        provider: OAuthProvider = self.provider.currentData()
        protocols = PROFILE_PROTOCOLS[self._kind]
        defaults = app_scopes(provider, protocols) if self._app_only else default_scopes(provider, protocols)
        self.scopes.setPlaceholderText(
            self.tr("Separated by spaces, e.g. openid email")
            if not defaults
            else self.tr("Default: {scopes}").format(scopes=" ".join(defaults))
        )
        self.scopes.setToolTip(" ".join(defaults))
        self.tenant.setPlaceholderText(
            self.tr("Your tenant id or domain, e.g. contoso.onmicrosoft.com")
            if self._app_only
            else self.tr("organizations (any work account)")
        )
        microsoft = provider is OAuthProvider.MICROSOFT
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if self.advanced.isChecked() else Qt.ArrowType.RightArrow)
        visible = {
            "oauth_provider": True,
            "client_id": True,
            "tenant": microsoft,
            "issuer": provider is OAuthProvider.OIDC,
            "scopes": True,
            "advanced": microsoft,
            "authority_host": microsoft and self.advanced.isChecked(),
        }
        if self._form is None:
            return
        for field, widget in self._rows.items():
            self._form.setRowVisible(widget, self._shown and visible[field])
