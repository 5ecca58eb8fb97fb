"""The mailbox editor: address, profile, owner, channels, credentials and the date mail is taken from.

Choosing an owner who has another mailbox, or taking this mailbox from its owner, asks the remap
question in the service's own words; No changes nothing. The password is write-only: the form
says whether one is set and never shows it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.messages import template
from desktop_sync.domain.model import (
    ApprovalState,
    AuthMethod,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Profile,
    Queue,
    SyncMethod,
    User,
)
from desktop_sync.domain.ports.connectors import ConnectionTestStep
from desktop_sync.engine.enablement import ChannelReport
from desktop_sync.services.mailboxes import (
    ChannelChoice,
    MailboxView,
    MapResult,
    RemapNeeded,
    default_channels,
)
from desktop_sync.services.sync_control import EnablementOutcome
from desktop_sync.ui.connection_test_view import channel_label, step_label
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.date_fields import DateField
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.explanations import explain_localized, localize_step_text
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.mailbox_signin import MailboxSignIn
from desktop_sync.ui.prompts import Asker

Owner = tuple[str, str] | None  # ("user" | "queue", email), or nobody

# The remap question in the services' words (RemapNeeded.prompt), here so that it can be translated.
_REMAP_CURRENT = QT_TRANSLATE_NOOP(
    "MailboxDialog",
    "This mailbox is mapped to {current}. Map it to {new} instead? The previous mapping and its "
    "synchronization will stop.",
)
_REMAP_OTHER = QT_TRANSLATE_NOOP(
    "MailboxDialog", "{new} is mapped to {other}; that mapping and its synchronization will stop."
)


def remap_question(needed: RemapNeeded) -> str:
    """RemapNeeded.prompt in the interface's language; the service's own text if its words changed."""

    def render(translate: Callable[[str], str]) -> str:
        parts = []
        if needed.current_owner is not None:
            parts.append(
                translate(_REMAP_CURRENT).format(current=needed.current_owner.label, new=needed.new_owner.label)
            )
        if needed.users_other_mailbox is not None:
            parts.append(translate(_REMAP_OTHER).format(new=needed.new_owner.label, other=needed.users_other_mailbox))
        return " ".join(parts)

    if render(lambda text: text) != needed.prompt:
        return needed.prompt
    return render(lambda text: QCoreApplication.translate("MailboxDialog", text))


class ChannelRow:
    """One channel's method, enabled flag and last test, on one row of the channels grid."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.method = QComboBox()
        self.method.setAccessibleName(channel_label(channel))
        self.method.addItem(QCoreApplication.translate("MailboxDialog", "Not synchronized"), SyncMethod.NONE)
        self.method.addItem(
            QCoreApplication.translate("MailboxDialog", "Server-side synchronization"), SyncMethod.SERVER_SIDE
        )
        if channel is Channel.INCOMING:
            self.method.addItem(
                QCoreApplication.translate("MailboxDialog", "Forward mailbox"), SyncMethod.FORWARD_MAILBOX
            )
        self.enabled = QCheckBox()
        self.enabled.setAccessibleName(QCoreApplication.translate("MailboxDialog", "Enabled"))
        self.method.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QLabel()
        self.method.currentIndexChanged.connect(self._method_changed)

    def set_state(self, state: ChannelState, status_text: str) -> None:
        index = self.method.findData(state.method)
        self.method.setCurrentIndex(max(index, 0))
        self.enabled.setChecked(state.enabled)
        self.status.setText(status_text)
        self._method_changed()

    def choice(self) -> ChannelChoice:
        return ChannelChoice(self.method.currentData(), self.enabled.isChecked())

    def _method_changed(self, *_args: object) -> None:
        synchronized = self.method.currentData() is not SyncMethod.NONE
        self.enabled.setEnabled(synchronized)
        if not synchronized:
            self.enabled.setChecked(False)


class MailboxDialog(QDialog):
    """New mailbox (``view`` None) or an existing one. ``changed`` fires after anything was written."""

    changed = Signal()

    def __init__(
        self,
        context: UiContext,
        errors: ErrorPresenter,
        asker: Asker,
        *,
        profiles: Sequence[Profile],
        users: Sequence[User],
        queues: Sequence[Queue],
        view: MailboxView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self._ask = asker
        self._profiles = {p.name: p for p in profiles}
        self._view = view
        self.setWindowTitle(self.tr("Edit mailbox") if view else self.tr("New mailbox"))
        self.fields = FieldErrors()

        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("alice@example.com"))
        self.display_name = QLineEdit()
        self.profile = QComboBox()
        for profile in profiles:
            self.profile.addItem(profile.name, profile.name)
        self.owner = QComboBox()
        self.owner.addItem(self.tr("(nobody yet)"), None)
        for user in users:
            self.owner.addItem(
                self.tr("User: {name} <{email}>").format(name=user.name, email=user.email), f"user:{user.email}"
            )
        for queue in queues:
            self.owner.addItem(
                self.tr("Queue: {name} <{email}>").format(name=queue.name, email=queue.email), f"queue:{queue.email}"
            )
        self.login = QLineEdit()
        self.login.setPlaceholderText(self.tr("The address when empty"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password_note = QLabel()
        self.process_email_from = DateField(self.tr("Only mail received on or after"))
        self.approval = QLabel()

        form = QFormLayout()
        form.addRow(self.tr("&Address:"), self.fields.wrap("address", self.address))
        form.addRow(self.tr("Display &name:"), self.fields.wrap("name", self.display_name))
        form.addRow(self.tr("Server &profile:"), self.fields.wrap("profile", self.profile))
        form.addRow(self.tr("&Owner:"), self.fields.wrap("owner", self.owner, "user", "queue"))
        form.addRow(self.tr("&Login:"), self.fields.wrap("login", self.login))
        self.password_row = self.fields.wrap("password", self.password)
        form.addRow(self.tr("Pass&word:"), self.password_row)
        form.addRow("", self.password_note)
        # an OAuth 2.0 profile: a person signs the mailbox in at the identity provider instead
        self.signin = MailboxSignIn(context.signin, self._saved_address, self.changed.emit, self)
        self.sign_in = self.signin.panel
        self.sign_in_row = self.fields.wrap("sign_in", self.sign_in)
        form.addRow(self.tr("Sign-in:"), self.sign_in_row)
        self._form = form
        form.addRow(self.tr("Process &email from:"), self.fields.wrap("process_email_from", self.process_email_from))
        form.addRow(self.tr("Approval:"), self.approval)

        self.channels = {channel: ChannelRow(channel) for channel in Channel}
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("<b>Channel</b>")), 0, 0)
        grid.addWidget(QLabel(self.tr("<b>Method</b>")), 0, 1)
        grid.addWidget(QLabel(self.tr("<b>Enabled</b>")), 0, 2)
        grid.addWidget(QLabel(self.tr("<b>Last test</b>")), 0, 3)
        for row, (channel, widgets) in enumerate(self.channels.items(), start=1):
            label = QLabel(channel_label(channel))
            label.setBuddy(widgets.method)
            grid.addWidget(label, row, 0)
            grid.addWidget(self.fields.wrap(channel.value, widgets.method), row, 1)
            grid.addWidget(widgets.enabled, row, 2)
            grid.addWidget(widgets.status, row, 3)
        grid.setColumnStretch(3, 1)
        channels_box = QGroupBox(self.tr("Synchronization"))
        channels_box.setLayout(grid)

        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome_label.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.approve_button = QPushButton(self.tr("A&pprove"))
        self.test_button = QPushButton(self.tr("&Test && Enable"))
        self.buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.save_and_close)
        self.buttons.rejected.connect(self.reject)
        self.approve_button.clicked.connect(self.approve)
        self.test_button.clicked.connect(self.test_and_enable)

        layout = QVBoxLayout(self)
        layout.addWidget(self.fields.general)
        layout.addLayout(form)
        layout.addWidget(channels_box)
        layout.addWidget(self.outcome_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.profile.currentIndexChanged.connect(self._profile_changed)
        if view is not None:
            self._fill(view)
        else:
            self._profile_changed()
            self._show_approval(ApprovalState.PENDING)
            self._show_password_note(False, on_profile=False)
        self.approve_button.setVisible(view is not None)
        self.test_button.setVisible(view is not None)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 110)

    # --- the form ------------------------------------------------------------------------------

    def _fill(self, view: MailboxView) -> None:
        mailbox = view.mailbox
        self.address.setText(mailbox.address)
        self.address.setReadOnly(True)
        self.display_name.setText(mailbox.name)
        self.profile.setCurrentIndex(max(self.profile.findData(view.profile.name), 0))
        if view.owner is not None:
            self.owner.setCurrentIndex(max(self.owner.findData(f"{view.owner.kind}:{view.owner.email}"), 0))
        self.login.setText(mailbox.login or "")
        self.process_email_from.set_value(mailbox.process_email_from)
        for channel, row in self.channels.items():
            row.set_state(mailbox.channel(channel), self._test_text(mailbox.channel(channel)))
        self._show_approval(mailbox.approval)
        self._show_password_note(view.has_password, on_profile=view.profile.credentials_on is CredentialsOn.PROFILE)
        self._offer_channels(view.profile)

    def _show_approval(self, approval: ApprovalState) -> None:
        self.approval.setText(
            {
                ApprovalState.PENDING: self.tr("Pending: approve the address before the mailbox synchronizes"),
                ApprovalState.APPROVED: self.tr("Approved"),
                ApprovalState.REJECTED: self.tr("Rejected"),
            }[approval]
        )
        self.approve_button.setEnabled(approval is not ApprovalState.APPROVED)

    def _show_password_note(self, has_password: bool | None, *, on_profile: bool) -> None:
        self.password.clear()
        if on_profile:
            self.password.setEnabled(False)
            self.password.setPlaceholderText(self.tr("The profile's service account signs in"))
            self.password_note.setText("")
            return
        self.password.setEnabled(True)
        if has_password:
            self.password.setPlaceholderText(self.tr("Type a new password to replace it"))
            self.password_note.setText(self.tr("A password is set."))
        elif has_password is None:
            self.password.setPlaceholderText(self.tr("Type the mailbox's password"))
            self.password_note.setText(self.tr("The keyring cannot be read, so nobody can tell whether one is set."))
        else:
            self.password.setPlaceholderText(self.tr("Type the mailbox's password"))
            self.password_note.setText(self.tr("No password is set."))

    def _selected_profile(self) -> Profile | None:
        return self._profiles.get(self.profile.currentData())

    def _profile_changed(self, *_args: object) -> None:
        profile = self._selected_profile()
        if profile is None:
            return
        if self._view is None or profile.name != self._view.profile.name:
            offered = default_channels(profile)
            for channel, row in self.channels.items():
                row.set_state(offered[channel.value], self.tr("not tested"))
            if self._view is None:
                self._show_password_note(False, on_profile=profile.credentials_on is CredentialsOn.PROFILE)
        self._offer_channels(profile)

    def _offer_channels(self, profile: Profile) -> None:
        self.channels[Channel.ACT].method.setEnabled(profile.has_act)
        self._offer_sign_in(profile)

    # --- OAuth 2.0 sign-in ---------------------------------------------------------------------

    def _offer_sign_in(self, profile: Profile) -> None:
        """An OAuth profile's mailbox signs in at the identity provider instead of having a password."""
        oauth = profile.auth is AuthMethod.OAUTH2
        self._form.setRowVisible(self.password_row, not oauth)
        self._form.setRowVisible(self.password_note, not oauth)
        self._form.setRowVisible(self.sign_in_row, oauth)
        self.signin.offer(profile, self._view.mailbox.address if self._view is not None else None)

    async def _saved_address(self) -> str | None:
        """The mailbox signs in as stored: save what the form says first (None: it could not be)."""
        try:
            saved = await self.save_changes()
        except DesktopSyncError as exc:
            self._presenter.present(exc, self.tr("save the mailbox"))
            return None
        if not saved or self._view is None:
            return None
        self.fields.clear()
        return self._view.mailbox.address

    def done(self, result: int) -> None:
        self.sign_in.stop()
        super().done(result)

    def _test_text(self, state: ChannelState) -> str:
        if state.test_status is ConnectionTestStatus.SUCCESS:
            return self.tr("passed")
        if state.test_status is ConnectionTestStatus.FAILURE:
            step = state.failed_step or "?"
            return self.tr("failed at {step}").format(step=step)
        return self.tr("not tested")

    def owner_choice(self) -> Owner:
        data = self.owner.currentData()
        if not data:
            return None
        kind, _, email = str(data).partition(":")
        return kind, email

    def channel_choices(self) -> dict[Channel, ChannelChoice]:
        return {channel: row.choice() for channel, row in self.channels.items()}

    # --- writing -------------------------------------------------------------------------------

    async def save_changes(self) -> bool:
        """Write what the form says; False when nothing (or not everything) could be written."""
        try:
            if self._view is None:
                return await self._add()
            return await self._update()
        except ValidationError as exc:
            self.fields.show(exc.errors)
            return False

    async def _ask_remap(self, result: MapResult) -> bool:
        """Ask the remap question when ``result`` needs it; True when the change may go ahead."""
        if not isinstance(result, RemapNeeded):
            return True
        return await self._ask(self.tr("Map the mailbox to another owner?"), remap_question(result))

    async def _add(self) -> bool:
        mailboxes = self._context.mailboxes
        owner = self.owner_choice()
        kwargs = {
            "user_email": owner[1] if owner and owner[0] == "user" else None,
            "queue_email": owner[1] if owner and owner[0] == "queue" else None,
            "name": self.display_name.text(),
            "login": self.login.text() or None,
            "password": self.password.text() if self.password.isEnabled() and self.password.text() else None,
            "process_email_from": self.process_email_from.value(),
        }
        profile = self.profile.currentData() or ""
        result = await mailboxes.add(self.address.text(), profile, **kwargs)  # type: ignore[arg-type]
        if isinstance(result, RemapNeeded):
            if not await self._ask_remap(result):
                return False
            result = await mailboxes.add(self.address.text(), profile, confirm_remap=True, **kwargs)  # type: ignore[arg-type]
        self.changed.emit()
        address = result.mailbox.address
        wanted = self.channel_choices()
        current = {
            c: ChannelChoice(result.mailbox.channel(c).method, result.mailbox.channel(c).enabled) for c in Channel
        }
        if wanted != current:
            await mailboxes.update_settings(
                address,
                name=self.display_name.text(),
                login=self.login.text() or None,
                process_email_from=self.process_email_from.value(),
                channels=wanted,
            )
        self._view = next(v for v in await mailboxes.list() if v.mailbox.address == address)
        return True

    async def _update(self) -> bool:
        assert self._view is not None
        mailboxes = self._context.mailboxes
        address = self._view.mailbox.address
        owner = self.owner_choice()
        current = (self._view.owner.kind, self._view.owner.email) if self._view.owner else None
        if owner != current:
            # the owner first: if the admin says No to the remap question, nothing at all is written
            if owner is None:
                result = await mailboxes.unmap(address)
            elif owner[0] == "user":
                result = await mailboxes.map_to_user(address, owner[1])
            else:
                result = await mailboxes.map_to_queue(address, owner[1])
            if isinstance(result, RemapNeeded):
                if not await self._ask_remap(result):
                    return False
                if owner[0] == "user":
                    result = await mailboxes.map_to_user(address, owner[1], confirm=True)
                else:
                    result = await mailboxes.map_to_queue(address, owner[1], confirm=True)
            self.changed.emit()
        profile = self.profile.currentData()
        if profile and profile != self._view.profile.name:
            await mailboxes.apply_profile([address], profile)
            self.changed.emit()
        await mailboxes.update_settings(
            address,
            name=self.display_name.text(),
            login=self.login.text() or None,
            process_email_from=self.process_email_from.value(),
            channels=self.channel_choices(),
        )
        if self.password.isEnabled() and self.password.text():
            await mailboxes.set_password(address, self.password.text())
        self.changed.emit()
        self._view = next(v for v in await mailboxes.list() if v.mailbox.address == address)
        return True

    @asyncSlot()
    async def save_and_close(self) -> None:
        async with self._presenter.guard(self.save_button, action=self.tr("save the mailbox")):
            if await self.save_changes():
                self.fields.clear()
                self.accept()

    @asyncSlot()
    async def approve(self) -> None:
        if self._view is None:
            return
        approved = None
        async with self._presenter.guard(self.approve_button, action=self.tr("approve the mailbox")):
            approved = await self._context.mailboxes.approve(self._view.mailbox.address)
            self.changed.emit()
        if approved is not None:
            self._show_approval(approved.approval)

    @asyncSlot()
    async def test_and_enable(self) -> None:
        """Save what the form says, then test each channel and enable what passed."""
        async with self._presenter.guard(
            self.test_button, self.save_button, action=self.tr("test and enable the mailbox")
        ):
            if not await self.save_changes():
                return
            assert self._view is not None
            self.outcome_label.setText(self.tr("Testing…"))
            self.outcome_label.setVisible(True)
            [outcome] = await self._context.sync.test_and_enable([self._view.mailbox.address])
            self.changed.emit()
            with contextlib.suppress(RuntimeError):
                self.outcome_label.setText(describe_outcome(outcome))
                refreshed = next(
                    (v for v in await self._context.mailboxes.list() if v.mailbox.address == outcome.address), None
                )
                if refreshed is not None:
                    self._view = refreshed
                    for channel, row in self.channels.items():
                        state = refreshed.mailbox.channel(channel)
                        row.set_state(state, self._test_text(state))


def failed_step_label(value: str | None) -> str:
    """The failed step of a channel report (a ConnectionTestStep's value) as the test connection names it."""
    try:
        return step_label(ConnectionTestStep(value))
    except ValueError:
        return value or "?"


def channel_result(outcome: EnablementOutcome, channel: ChannelReport) -> tuple[str, str]:
    """What Test & Enable found for one channel, and what to do about it ("" when nothing)."""
    if channel.status is ConnectionTestStatus.SUCCESS:
        result = (
            QCoreApplication.translate("TestEnable", "Passed, enabled")
            if channel.enabled
            else QCoreApplication.translate("TestEnable", "Passed")
        )
        return result, ""
    if channel.status is ConnectionTestStatus.FAILURE:
        result = QCoreApplication.translate("TestEnable", "Failed at {step}").format(
            step=failed_step_label(channel.failed_step)
        )
        if channel.detail:
            result += QCoreApplication.translate("TestEnable", ": {detail}").format(
                detail=localize_step_text(channel.detail)
            )
        fix = ""
        if channel.error_code and template(channel.error_code) is not None:
            fix = explain_localized(channel.error_code, address=outcome.address, detail=channel.detail).fix
        return result, fix or QCoreApplication.translate(
            "TestEnable", "Correct the cause above, then run Test & Enable again."
        )
    return QCoreApplication.translate("TestEnable", "Not synchronized"), ""


def describe_outcome(outcome: EnablementOutcome) -> str:
    """One line per channel: passed and enabled, or failed at which step and why."""
    if outcome.error is not None:
        return QCoreApplication.translate("TestEnable", "{address}: {error}").format(
            address=outcome.address, error=outcome.error.message
        )
    assert outcome.report is not None
    lines = []
    for channel in outcome.report.channels:
        result, _fix = channel_result(outcome, channel)
        lines.append(
            QCoreApplication.translate("TestEnable", "{channel}: {result}").format(
                channel=channel_label(channel.channel), result=result
            )
        )
    if not outcome.report.approved:
        lines.append(
            QCoreApplication.translate(
                "TestEnable", "The mailbox is not approved: approve it, then run Test & Enable again."
            )
        )
    return "\n".join(lines)
