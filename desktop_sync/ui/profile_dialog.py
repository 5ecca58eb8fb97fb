"""The server profile editor: every field of a profile, checked by the service, errors on their fields,
and Test connection run step by step with the last raw request and response."""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.model import (
    MAX_CONNECTIONS_DEFAULT,
    MAX_CONNECTIONS_MAX,
    MAX_CONNECTIONS_MIN,
    MIN_POLL_SECONDS_DEFAULT,
    PORT_MAX,
    TIMEOUT_DEFAULT,
    TIMEOUT_MAX,
    TIMEOUT_MIN,
    TRACKED_CATEGORY_DEFAULT,
    AuthMethod,
    CredentialsOn,
    Direction,
    Endpoint,
    Profile,
    ProfileKind,
    Security,
    default_port,
)
from desktop_sync.domain.presets import Preset, preset_servers
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.services.connection_test import ConnectionTestAccount
from desktop_sync.ui.connection_test_view import ConnectionTestResults
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.date_fields import DateField
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.oauth_fields import OAuthFields
from desktop_sync.ui.page import narrow_combo, resize_within_screen
from desktop_sync.ui.service_account_signin import ServiceAccountSignIn


class ProfileDialog(QDialog):
    """New or existing profile. ``saved`` carries the profile as stored."""

    saved = Signal(object)

    def __init__(
        self,
        context: UiContext,
        errors: ErrorPresenter,
        profile: Profile | None = None,
        has_password: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self._profile = profile
        self._test_task: asyncio.Task[None] | None = None
        self._validated_once = False
        self.setWindowTitle(self.tr("Edit server profile") if profile else self.tr("New server profile"))
        self.fields = FieldErrors()

        # --- general
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Name"))
        self.kind = QComboBox()
        for kind, text in (
            (ProfileKind.IMAP, self.tr("IMAP and SMTP")),
            (ProfileKind.POP3, self.tr("POP3 and SMTP")),
            (ProfileKind.EXCHANGE, self.tr("Exchange (EWS)")),
            (ProfileKind.EXCHANGE_ONLINE, self.tr("Exchange Online (Microsoft Graph)")),
        ):
            self.kind.addItem(text, kind)
        self.oauth = OAuthFields(self)
        self.preset = self.oauth.preset_combo()
        self.preset.setToolTip(self.tr("Fills the servers, ports, security and sign-in of a known mail service"))
        general = QFormLayout()
        general.addRow(self.tr("&Name:"), self.fields.wrap("name", self.name))
        general.addRow(self.tr("&Kind:"), self.fields.wrap("kind", self.kind))
        general.addRow(self.tr("Pr&eset:"), self.preset)

        # --- servers
        self.incoming_host = QLineEdit()
        self.incoming_port = self._port_box()
        self.incoming_security = self._security_box()
        self.outgoing_host = QLineEdit()
        self.outgoing_host.setPlaceholderText(self.tr("None: this profile does not send mail"))
        self.outgoing_port = self._port_box()
        self.outgoing_security = self._security_box()
        self.ews_url = QLineEdit()
        self.ews_url.setPlaceholderText(self.tr("Built from the incoming server when empty"))
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(self.tr("The system's trusted certificates"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse_ca_file)
        ca_row = QWidget()
        ca_layout = QHBoxLayout(ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        ca_layout.addWidget(self.ca_file, stretch=1)
        ca_layout.addWidget(browse)
        ca_row.setFocusProxy(self.ca_file)
        self.allow_insecure = QCheckBox(self.tr("Allow connections without TLS (passwords travel in clear text)"))

        servers = QFormLayout()
        servers.addRow(self.tr("&Incoming server:"), self.fields.wrap("incoming_host", self.incoming_host))
        servers.addRow(self.tr("Incoming &port:"), self.fields.wrap("incoming_port", self.incoming_port))
        servers.addRow(self.tr("Incoming &security:"), self.fields.wrap("incoming_security", self.incoming_security))
        servers.addRow(self.tr("&Outgoing server:"), self.fields.wrap("outgoing_host", self.outgoing_host))
        servers.addRow(self.tr("Outgoing p&ort:"), self.fields.wrap("outgoing_port", self.outgoing_port))
        servers.addRow(self.tr("Outgoing s&ecurity:"), self.fields.wrap("outgoing_security", self.outgoing_security))
        self.ews_row_label = QLabel(self.tr("EWS &URL:"))
        self.ews_row = self.fields.wrap("ews_url", self.ews_url)
        self.ews_row_label.setBuddy(self.ews_url)
        servers.addRow(self.ews_row_label, self.ews_row)
        ca_label = QLabel(self.tr("C&A file:"))
        ca_label.setBuddy(self.ca_file)
        servers.addRow(ca_label, self.fields.wrap("ca_file", ca_row))
        servers.addRow("", self.fields.wrap("allow_insecure", self.allow_insecure))
        servers_box = QGroupBox(self.tr("Servers"))
        servers_box.setLayout(servers)

        # --- credentials
        self.auth = narrow_combo(QComboBox(), characters=24)
        for method, text in (
            (AuthMethod.BASIC, self.tr("User name and password")),
            (AuthMethod.NTLM, self.tr("NTLM (Exchange on premises)")),
            (AuthMethod.OAUTH2, self.tr("OAuth 2.0 (Microsoft 365, Google…)")),
        ):
            self.auth.addItem(text, method)
        self.credentials_on = narrow_combo(QComboBox(), characters=24)
        self.credentials_on.addItem(self.tr("Each mailbox signs in with its own credentials"), CredentialsOn.MAILBOX)
        self.credentials_on.addItem(
            self.tr("One service account for every mailbox (impersonation)"), CredentialsOn.PROFILE
        )
        self.login = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        credentials = QFormLayout()
        credentials.addRow(self.tr("&Authentication:"), self.fields.wrap("auth", self.auth))
        credentials.addRow(self.tr("C&redentials:"), self.fields.wrap("credentials_on", self.credentials_on))
        self.oauth.add_rows(credentials, self.fields)
        self.login_label = QLabel(self.tr("Service account &login:"))
        self.login_label.setBuddy(self.login)
        self.login_row = self.fields.wrap("login", self.login)
        credentials.addRow(self.login_label, self.login_row)
        self.password_label = QLabel(self.tr("Service account pass&word:"))
        self.password_label.setBuddy(self.password)
        self.password_row = self.fields.wrap("password", self.password)
        credentials.addRow(self.password_label, self.password_row)
        # an application's own sign-in (client credentials): proven with the provider before it is kept
        self.service_signin = ServiceAccountSignIn(
            context.signin, self._store_for_sign_in, self.password.text, self.fields.show, self
        )
        self.certificate_row = self.fields.wrap("client_certificate", self.service_signin.certificate)
        credentials.addRow(self.tr("Client certi&ficate:"), self.certificate_row)
        self.sign_in = self.service_signin.panel
        self.sign_in_row = self.fields.wrap("sign_in", self.sign_in)
        credentials.addRow("", self.sign_in_row)
        self._credentials_form = credentials
        self._has_password = has_password
        credentials_box = QGroupBox(self.tr("Credentials"))
        credentials_box.setLayout(credentials)

        # --- limits and behaviour
        self.max_connections = QSpinBox()
        self.max_connections.setRange(MAX_CONNECTIONS_MIN, MAX_CONNECTIONS_MAX)
        self.max_connections.setValue(MAX_CONNECTIONS_DEFAULT)
        self.timeout = QSpinBox()
        self.timeout.setRange(TIMEOUT_MIN, TIMEOUT_MAX)
        self.timeout.setValue(TIMEOUT_DEFAULT)
        self.timeout.setSuffix(self.tr(" s"))
        self.min_poll = QSpinBox()
        self.min_poll.setRange(0, 12 * 60)
        self.min_poll.setValue(MIN_POLL_SECONDS_DEFAULT)
        self.min_poll.setSuffix(self.tr(" s"))
        self.process_email_from = DateField(self.tr("Only mail received on or after"))
        self.delete_after_download = QCheckBox(self.tr("Delete mail from the server once it is in the CRM (POP3)"))
        self.tracking_token_prefix = QLineEdit("CRM:")
        self.tracking_token_prefix.setMaxLength(20)
        self.tracked_category = QLineEdit(TRACKED_CATEGORY_DEFAULT)
        self.tracked_category.setMaxLength(100)
        self.tracked_category.setPlaceholderText(self.tr("None: tracked items are not marked"))
        self.tag_undeliverable = QCheckBox(self.tr("Mark items that cannot be tracked as “Undeliverable”"))
        limits = QFormLayout()
        limits.addRow(self.tr("&Maximum connections:"), self.fields.wrap("max_connections", self.max_connections))
        limits.addRow(self.tr("Request &time-out:"), self.fields.wrap("timeout_seconds", self.timeout))
        limits.addRow(self.tr("Minimum polling &interval:"), self.fields.wrap("min_poll_seconds", self.min_poll))
        limits.addRow(self.tr("Process &email from:"), self.fields.wrap("process_email_from", self.process_email_from))
        limits.addRow("", self.fields.wrap("delete_after_download", self.delete_after_download))
        limits.addRow(
            self.tr("Trac&king token prefix:"),
            self.fields.wrap("tracking_token_prefix", self.tracking_token_prefix),
        )
        self.tracked_category_label = QLabel(self.tr("Categor&y on tracked items:"))
        self.tracked_category_label.setBuddy(self.tracked_category)
        limits.addRow(self.tracked_category_label, self.fields.wrap("tracked_category", self.tracked_category))
        limits.addRow("", self.fields.wrap("tag_undeliverable", self.tag_undeliverable))
        limits_box = QGroupBox(self.tr("Limits and behaviour"))
        limits_box.setLayout(limits)

        # --- test connection
        self.test_address = QLineEdit()
        self.test_address.setPlaceholderText(self.tr("A mailbox on this server, e.g. alice@example.com"))
        self.test_login = QLineEdit()
        self.test_login.setPlaceholderText(self.tr("The address when empty"))
        self.test_password = QLineEdit()
        self.test_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_password.setPlaceholderText(self.tr("Used for this test only, never stored"))
        self.test_button = QPushButton(self.tr("&Test connection"))
        self.test_button.setShortcut(QKeySequence("Ctrl+T"))
        self.test_button.clicked.connect(self.start_test)
        self.test_results = ConnectionTestResults()
        self.raw_button = QToolButton()
        self.raw_button.setText(self.tr("Last request and &response"))
        self.raw_button.setCheckable(True)
        self.raw_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.raw_button.setArrowType(Qt.ArrowType.RightArrow)
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setAccessibleName(self.tr("Last request and response"))
        self.raw.setVisible(False)
        self.raw.setPlaceholderText(self.tr("Run a test to see what was said to the server."))
        self.raw_button.toggled.connect(self._show_raw)
        test_form = QFormLayout()
        test_form.addRow(self.tr("Test &mailbox:"), self.fields.wrap("test_address", self.test_address))
        self.test_login_label = QLabel(self.tr("Test lo&gin:"))
        self.test_login_label.setBuddy(self.test_login)
        test_form.addRow(self.test_login_label, self.fields.wrap("test_login", self.test_login))
        test_password_label = QLabel(self.tr("Test pa&ssword:"))
        test_password_label.setBuddy(self.test_password)
        test_form.addRow(test_password_label, self.fields.wrap("test_password", self.test_password))
        self._no_connectors_text = self.tr(
            "No mail connectors are available in this installation, so connections cannot be tested."
        )
        self._oauth_test_text = self.tr(
            "An OAuth 2.0 profile is tested on a signed-in mailbox: Sign in… then Test & Enable in its editor."
        )
        self.test_unavailable = QLabel(self._no_connectors_text)
        self.test_unavailable.setWordWrap(True)  # shown, and the button enabled, by _credentials_changed
        test_layout = QVBoxLayout()
        test_layout.addLayout(test_form)
        test_layout.addWidget(self.test_unavailable)
        test_layout.addWidget(self.test_button, alignment=Qt.AlignmentFlag.AlignLeft)
        test_layout.addWidget(self.test_results)
        test_layout.addWidget(self.raw_button, alignment=Qt.AlignmentFlag.AlignLeft)
        test_layout.addWidget(self.raw)
        test_box = QGroupBox(self.tr("Test connection"))
        test_box.setLayout(test_layout)
        test_box.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)

        # --- assembly: the settings scroll on the left, the test on the right
        settings = QWidget()
        settings_layout = QVBoxLayout(settings)
        settings_layout.addLayout(general)
        settings_layout.addWidget(servers_box)
        settings_layout.addWidget(credentials_box)
        settings_layout.addWidget(limits_box)
        settings_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # the whole form when there is room; on a small screen it scrolls sideways too
        scroll.setMinimumWidth(
            min(settings.sizeHint().width(), self.fontMetrics().averageCharWidth() * 70)
            + scroll.verticalScrollBar().sizeHint().width()
        )

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        columns = QSplitter(Qt.Orientation.Horizontal)
        columns.addWidget(scroll)
        columns.addWidget(test_box)
        columns.setChildrenCollapsible(False)
        columns.setStretchFactor(0, 1)
        columns.setStretchFactor(1, 1)
        # the form as wide as it wants when the screen allows, the test the rest; shrunk alike otherwise
        columns.setSizes(
            [scroll.minimumWidth() + self.fontMetrics().averageCharWidth() * 20, test_box.sizeHint().width()]
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields.general)
        layout.addWidget(columns, stretch=1)
        layout.addWidget(self.buttons)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.incoming_security.currentIndexChanged.connect(self._update_port_hints)
        self.outgoing_security.currentIndexChanged.connect(self._update_port_hints)
        self.credentials_on.currentIndexChanged.connect(self._credentials_changed)
        self.auth.currentIndexChanged.connect(self._credentials_changed)
        self.preset.activated.connect(self._apply_preset)
        for edit in (self.name, self.incoming_host, self.outgoing_host, self.ews_url, self.login):
            edit.textChanged.connect(self._revalidate_later)
        if profile is not None:
            self._fill(profile)
        self._kind_changed()
        self._credentials_changed()
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 200, metrics.lineSpacing() * 46)

    # --- the form ------------------------------------------------------------------------------

    def _port_box(self) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, PORT_MAX)
        box.setSpecialValueText(self.tr("Default"))
        return box

    def _security_box(self) -> QComboBox:
        box = QComboBox()
        box.addItem(self.tr("Implicit TLS"), Security.TLS)
        box.addItem(self.tr("STARTTLS"), Security.STARTTLS)
        box.addItem(self.tr("None (clear text)"), Security.NONE)
        return box

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _fill(self, profile: Profile) -> None:
        self.name.setText(profile.name)
        self._select(self.kind, profile.kind)
        self._show_servers(profile.kind, profile.incoming, profile.outgoing)
        self.ews_url.setText(profile.ews_url or "")
        self.ca_file.setText(profile.ca_file or "")
        self.allow_insecure.setChecked(profile.allow_insecure)
        self._select(self.auth, profile.auth)
        self._select(self.credentials_on, profile.credentials_on)
        self.oauth.fill(profile.oauth)
        self.login.setText(profile.login or "")
        self.max_connections.setValue(profile.max_connections)
        self.timeout.setValue(profile.timeout_seconds)
        self.min_poll.setValue(profile.min_poll_seconds)
        self.process_email_from.set_value(profile.process_email_from)
        self.delete_after_download.setChecked(profile.delete_after_download)
        self.tracking_token_prefix.setText(profile.tracking_token_prefix)
        self.tracked_category.setText(profile.tracked_category)
        self.tag_undeliverable.setChecked(profile.tag_undeliverable)

    def _show_servers(self, kind: ProfileKind, incoming: Endpoint, outgoing: Endpoint | None) -> None:
        """Hosts, security and ports; a kind's default port shows as "Default (N)"."""
        rows = [(Direction.INCOMING, incoming, self.incoming_host, self.incoming_port, self.incoming_security)]
        if outgoing is not None:
            rows.append((Direction.OUTGOING, outgoing, self.outgoing_host, self.outgoing_port, self.outgoing_security))
        for direction, endpoint, host, port, security in rows:
            host.setText(endpoint.host)
            self._select(security, endpoint.security)
            port.setValue(0 if endpoint.port == default_port(kind, direction, endpoint.security) else endpoint.port)

    def profile_input(self) -> ProfileInput:
        """What the form says, unchecked (the service checks it)."""

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        def port(box: QSpinBox) -> int | None:
            return box.value() or None

        kind: ProfileKind = self.kind.currentData()
        return ProfileInput(
            name=self.name.text(),
            kind=kind,
            incoming_host=text(self.incoming_host),
            incoming_port=port(self.incoming_port),
            incoming_security=self.incoming_security.currentData(),
            outgoing_host=text(self.outgoing_host) if not kind.is_exchange else None,
            outgoing_port=port(self.outgoing_port) if not kind.is_exchange else None,
            outgoing_security=self.outgoing_security.currentData(),
            ews_url=text(self.ews_url) if kind is ProfileKind.EXCHANGE else None,
            auth=self.auth.currentData(),
            credentials_on=self.credentials_on.currentData(),
            login=text(self.login),
            max_connections=self.max_connections.value(),
            timeout_seconds=self.timeout.value(),
            min_poll_seconds=self.min_poll.value(),
            process_email_from=self.process_email_from.value(),
            ca_file=text(self.ca_file),
            allow_insecure=self.allow_insecure.isChecked(),
            delete_after_download=self.delete_after_download.isChecked() and kind is ProfileKind.POP3,
            tracking_token_prefix=self.tracking_token_prefix.text(),
            tracked_category=self.tracked_category.text(),
            tag_undeliverable=self.tag_undeliverable.isChecked() and kind.is_exchange,
            **self.oauth.values(),  # type: ignore[arg-type]
        )

    def _kind_changed(self, *_args: object) -> None:
        kind: ProfileKind = self.kind.currentData()
        exchange = kind.is_exchange  # Exchange Online sends through Graph as Exchange does through EWS
        self.ews_row_label.setVisible(kind is ProfileKind.EXCHANGE)
        self.ews_row.setVisible(kind is ProfileKind.EXCHANGE)
        for widget in (self.outgoing_host, self.outgoing_port, self.outgoing_security):
            widget.setEnabled(not exchange)
        self.outgoing_host.setPlaceholderText(
            self.tr("Exchange Online sends mail through Microsoft Graph")
            if kind is ProfileKind.EXCHANGE_ONLINE
            else self.tr("Exchange sends mail through EWS")
            if exchange
            else self.tr("None: this profile does not send mail")
        )
        self.delete_after_download.setEnabled(kind is ProfileKind.POP3)
        for widget in (self.tracked_category_label, self.tracked_category, self.tag_undeliverable):
            widget.setEnabled(exchange)
        self._update_port_hints()
        self._credentials_changed()
        if self.preset.currentData() is not None:
            self._apply_preset()

    def _update_port_hints(self, *_args: object) -> None:
        kind: ProfileKind = self.kind.currentData()
        incoming = default_port(kind, Direction.INCOMING, self.incoming_security.currentData())
        outgoing = default_port(kind, Direction.OUTGOING, self.outgoing_security.currentData())
        self.incoming_port.setSpecialValueText(self.tr("Default ({port})").format(port=incoming))
        self.outgoing_port.setSpecialValueText(self.tr("Default ({port})").format(port=outgoing))

    def _apply_preset(self, *_args: object) -> None:
        """Fill the servers and the sign-in of the chosen preset for the kind of profile in hand."""
        preset: Preset | None = self.preset.currentData()
        if preset is None:
            return
        servers = preset_servers(preset, self.kind.currentData())
        if servers is None:  # the vendor has no such servers (Google and Exchange): its IMAP, then
            self._select(self.kind, ProfileKind.IMAP)  # re-applies the preset through _kind_changed
            return
        self._show_servers(self.kind.currentData(), servers.incoming, servers.outgoing)
        self._select(self.auth, servers.auth)
        self.oauth.select_provider(servers.provider)
        self.oauth.scopes.clear()  # the provider's defaults for this kind, shown as the placeholder

    def _credentials_changed(self, *_args: object) -> None:
        on_profile = self.credentials_on.currentData() is CredentialsOn.PROFILE
        oauth = self.auth.currentData() is AuthMethod.OAUTH2
        self.oauth.set_context(shown=oauth, kind=self.kind.currentData(), app_only=on_profile)
        for widget in (self.login_label, self.login, self.password_label, self.password):
            widget.setEnabled(on_profile)
        # an application signs in with its own id and secret: no service login
        self._credentials_form.setRowVisible(self.login_row, not (oauth and on_profile))
        for row in (self.certificate_row, self.sign_in_row):
            self._credentials_form.setRowVisible(row, oauth and on_profile)
        self.service_signin.offer(oauth and on_profile)
        # the connection test signs in with a password; an OAuth mailbox is tested once signed in
        available = self._context.connection_test.available
        self.test_button.setEnabled(available and not oauth)
        self.test_unavailable.setVisible(oauth or not available)
        self.test_unavailable.setText(self._oauth_test_text if oauth else self._no_connectors_text)
        self.password_label.setText(self.tr("Client s&ecret:") if oauth else self.tr("Service account pass&word:"))
        self.password.setAccessibleName(self.tr("Client secret") if oauth else self.tr("Service account password"))
        if oauth:
            self.password.setPlaceholderText(
                self.tr("A client secret is set; type a new one to replace it")
                if self._has_password
                else self.tr("The application's secret, from the provider (kept in the keyring)")
            )
        else:
            self.password.setPlaceholderText(
                self.tr("A password is set; type a new one to replace it")
                if self._has_password
                else self.tr("No password set")
            )
        self.test_login.setEnabled(not on_profile)
        self.test_login_label.setEnabled(not on_profile)
        self.test_password.setPlaceholderText(
            self.tr("The service account's password; used for this test only")
            if on_profile
            else self.tr("Used for this test only, never stored")
        )

    def _browse_ca_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("CA certificate"),
            self.ca_file.text(),
            self.tr("PEM certificates (*.pem *.crt);;All files (*)"),
        )
        if path:
            self.ca_file.setText(path)

    # --- save ----------------------------------------------------------------------------------

    @asyncSlot()
    async def _revalidate_later(self) -> None:
        """Once a save or test showed errors, recheck as the admin types so fixed fields clear."""
        if not self._validated_once or not self.fields.has_errors():
            return
        try:
            await self._context.profiles.validate(self.profile_input())
        except ValidationError as exc:
            kept = {k: v for k, v in self.fields.errors().items() if k.startswith("test_") or k == "password"}
            self.fields.show({**exc.errors, **kept})
        except DesktopSyncError:
            return
        else:
            self.fields.show({k: v for k, v in self.fields.errors().items() if k.startswith("test_")})

    @asyncSlot()
    async def save(self) -> None:
        password = self.password.text() if self.password.isEnabled() and self.password.text() else None
        async with self._presenter.guard(self.save_button, action=self.tr("save the profile")):
            if await self._store(password) is not None:
                self.accept()

    async def _store(self, password: str | None) -> Profile | None:
        """Write what the form says (None: refused, the errors are on their fields)."""
        try:
            if self._profile is None:
                stored = await self._context.profiles.add(self.profile_input(), password)
            else:
                stored = await self._context.profiles.update(self._profile.name, self.profile_input(), password)
        except ValidationError as exc:
            self._validated_once = True
            self.fields.show(exc.errors)
            return None
        self.fields.clear()
        self._profile = stored
        self.saved.emit(stored)
        return stored

    async def _store_for_sign_in(self) -> str | None:
        """The sign-in keeps the secret once the provider accepted it: the profile is saved without."""
        stored = await self._store(None)
        return stored.name if stored is not None else None

    # --- test connection -------------------------------------------------------------------------

    def start_test(self) -> None:
        if self._test_task is not None and not self._test_task.done():
            return
        self._test_task = asyncio.ensure_future(self.run_test())

    def test_account(self) -> ConnectionTestAccount:
        password = self.test_password.text()
        if not password and self.credentials_on.currentData() is CredentialsOn.PROFILE:
            password = self.password.text()
        return ConnectionTestAccount(self.test_address.text(), self.test_login.text(), password)

    async def run_test(self) -> None:
        service = self._context.connection_test
        data, account = self.profile_input(), self.test_account()
        self.test_button.setEnabled(False)
        try:
            try:
                profile, _, _ = await service.prepare(data, account)
            except ValidationError as exc:
                self._validated_once = True
                self.fields.show(exc.errors)
                return
            self.fields.clear()
            items = self.test_results.show_expected(service.channels(profile))
            raw: list[str] = []
            async for result in service.run(data, account):
                self.test_results.show_result(items[result.channel], result.result)
                raw.append(self.test_results.raw_text(result.channel, result.result))
                self.raw.setPlainText("\n\n".join(raw))
        except DesktopSyncError as exc:
            self._presenter.present(exc, self.tr("test the connection"))
        finally:
            with contextlib.suppress(RuntimeError):  # the dialog may be gone
                self.test_button.setEnabled(self._context.connection_test.available)

    def _show_raw(self, shown: bool) -> None:
        self.raw.setVisible(shown)
        self.raw_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def done(self, result: int) -> None:
        self.sign_in.stop()
        if self._test_task is not None and not self._test_task.done():
            self._test_task.cancel()
        super().done(result)
