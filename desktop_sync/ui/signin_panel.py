"""Sign in…, as the mailbox and profile dialogs show it: the browser opens, the panel waits with a
Cancel that really cancels, then says who signed in with which scopes until when, or what went
wrong in words with a retry; "Use a code instead" is the way for a machine without a browser.

The panel knows nothing of providers: the dialog hands it coroutines (``SignInActions``) that call
the sign-in service, so the work runs on the asyncio loop and the window stays responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.signin import DeviceCodePrompt, ProviderUnavailable, SignInRefused
from desktop_sync.ui.explanations import explain_localized
from desktop_sync.ui.form import make_room
from desktop_sync.ui.formatting import format_when

OpenBrowser = Callable[[str], None]
ShowCode = Callable[[DeviceCodePrompt], None]


class Granted(Protocol):
    """What a finished sign-in tells (the domain's SignedIn, the sign-in service's SignInResult)."""

    @property
    def account(self) -> str: ...
    @property
    def scopes(self) -> tuple[str, ...]: ...
    @property
    def expires_at(self) -> dt.datetime: ...


@dataclass(frozen=True)
class SignInActions:
    """What the panel runs. ``browser(open_browser, cancelled)`` signs in through the system browser;
    ``device(show_code, cancelled)`` by a code typed on another device (None: not offered). Either
    returns None when it did not start (the dialog showed why, e.g. a field to correct)."""

    browser: Callable[[OpenBrowser, threading.Event], Awaitable[Granted | None]]
    device: Callable[[ShowCode, threading.Event], Awaitable[Granted | None]] | None = None


def open_in_system_browser(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


class State(enum.Enum):
    IDLE = "idle"
    WAITING_BROWSER = "waiting-browser"
    WAITING_CODE = "waiting-code"
    SIGNED_IN = "signed-in"
    FAILED = "failed"


# What the provider said, as the identity adapters quote it: "... (access_denied: the user declined)"
_PROVIDER_CODE = re.compile(r"\(([a-z_]+)[:)]")


class SignInPanel(QWidget):
    """The states: not signed in → waiting (browser or code, with Cancel) → signed in / failed (retry)."""

    signed_in = Signal(object)  # Granted

    def __init__(self, button_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_browser: OpenBrowser = open_in_system_browser  # tests give the test browser
        self._actions: SignInActions | None = None
        self._idle_text = ""
        self._room_tries = 0
        self._task: asyncio.Task[None] | None = None
        self._cancelled = threading.Event()
        self.state = State.IDLE
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Sign-in status"))
        self.sign_in_button = QPushButton(button_text or self.tr("S&ign in…"))
        self.code_button = QPushButton(self.tr("Use a c&ode instead"))
        self.code_button.setToolTip(self.tr("Sign in on another device: for a machine without a browser"))
        self.cancel_button = QPushButton(self.tr("Cancel sign-in"))
        self.sign_in_button.clicked.connect(self.start_browser)
        self.code_button.clicked.connect(self.start_device)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.code_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.show_idle("")

    def set_actions(self, actions: SignInActions | None, idle_text: str = "") -> None:
        """What Sign in… does now (None: nothing to sign in, the buttons are off) and what the panel says."""
        self._actions = actions
        self._idle_text = idle_text
        if not self.busy():
            self.show_idle(idle_text)

    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- the states ----------------------------------------------------------------------------

    def _buttons(self, *, waiting: bool) -> None:
        ready = self._actions is not None and not waiting
        self.sign_in_button.setVisible(not waiting)
        self.sign_in_button.setEnabled(ready)
        self.code_button.setVisible(not waiting and self._actions is not None and self._actions.device is not None)
        self.code_button.setEnabled(ready)
        self.cancel_button.setVisible(waiting)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        if self.isVisible():  # the dialog grows for the wrapped text rather than cut it, once laid out
            self._room_tries = 10
            QTimer.singleShot(0, self, self._make_room)

    def _make_room(self) -> None:
        # the nested layouts learn the status's new height over a few passes of the event loop
        if not self.isVisible() or self.text_fits() or self._room_tries <= 0:
            return
        self._room_tries -= 1
        make_room(self.window())
        QTimer.singleShot(20, self, self._make_room)

    def text_fits(self) -> bool:
        """Whether the status shows whole (not cut by a dialog too small for it)."""
        return self.status.height() >= self.status.heightForWidth(self.status.width())

    def show_idle(self, text: str) -> None:
        self.state = State.IDLE
        self._buttons(waiting=False)
        self._say(text)

    def show_waiting_browser(self) -> None:
        self.state = State.WAITING_BROWSER
        self._buttons(waiting=True)
        self._say(self.tr("Waiting for the sign-in in your browser…"))

    def show_code(self, prompt: DeviceCodePrompt) -> None:
        self.state = State.WAITING_CODE
        self._buttons(waiting=True)
        self._say(
            self.tr("On any device, open {page} and type the code {code}. Waiting until {time}…").format(
                page=prompt.verification_uri, code=prompt.user_code, time=format_when(prompt.expires_at)
            )
        )

    def show_signed_in(self, signed: Granted) -> None:
        self.state = State.SIGNED_IN
        self._buttons(waiting=False)
        self.sign_in_button.setText(self.tr("S&ign in again…"))
        scopes = " ".join(signed.scopes) or self.tr("(none named)")
        self._say(
            self.tr("Signed in as {account}.\nGranted: {scopes}\nThe access token holds until {time}.").format(
                account=signed.account or self.tr("(the provider did not say)"),
                scopes=scopes,
                time=format_when(signed.expires_at),
            )
        )

    def show_failed(self, text: str) -> None:
        self.state = State.FAILED
        self._buttons(waiting=False)
        self.sign_in_button.setText(self.tr("Try a&gain…"))
        self._say(text)

    # --- running -------------------------------------------------------------------------------

    def start_browser(self) -> None:
        if self._actions is None or self.busy():
            return
        self.show_waiting_browser()
        self._run(self._actions.browser(self.open_browser, self._fresh_event()))

    def start_device(self) -> None:
        if self._actions is None or self._actions.device is None or self.busy():
            return
        self._buttons(waiting=True)
        self._say(self.tr("Asking the provider for a code…"))
        self._run(self._actions.device(self.show_code, self._fresh_event()))

    def cancel(self) -> None:
        """Stop waiting: the listener or the polling ends, nothing is granted."""
        self._cancelled.set()

    def _fresh_event(self) -> threading.Event:
        self._cancelled = threading.Event()
        return self._cancelled

    def _run(self, work: Awaitable[Granted | None]) -> None:
        self._task = asyncio.ensure_future(self._finish(work, self._cancelled))

    async def _finish(self, work: Awaitable[Granted | None], cancelled: threading.Event) -> None:
        try:
            signed = await work
        except DesktopSyncError as exc:
            with contextlib.suppress(RuntimeError):  # the dialog may be gone
                if cancelled.is_set():
                    self.show_failed(self.tr("Sign-in cancelled: nothing was granted."))
                else:
                    self.show_failed(self.describe(exc))
            return
        with contextlib.suppress(RuntimeError):
            if signed is None:
                self.show_idle(self._idle_text)
                return
            self.show_signed_in(signed)
            self.signed_in.emit(signed)

    def describe(self, error: DesktopSyncError) -> str:
        """A failed sign-in in words: what happened, what to do, and the provider's own words."""
        said = error.message
        found = _PROVIDER_CODE.search(said)
        answer = found.group(1) if found else ""  # the provider's error code
        if isinstance(error, ProviderUnavailable):
            text = self.tr("The identity provider cannot be reached. Check the network, then try again.")
        elif isinstance(error, SignInRefused) and answer in ("access_denied", "consent_required"):
            text = self.tr("The sign-in was declined in the browser.")
        elif isinstance(error, SignInRefused) and (
            answer in ("invalid_client", "unauthorized_client") or "client_id" in said or "AADSTS700016" in said
        ):
            text = self.tr(
                "The identity provider does not know this application: check the profile's client id "
                "(and the client secret of a service account)."
            )
        elif isinstance(error, SignInRefused) and answer == "invalid_scope":
            text = self.tr("The identity provider refused a scope: check the profile's scopes.")
        elif isinstance(error, SignInRefused) and ("took too long" in said or "in time" in said):
            text = self.tr("Nobody finished the sign-in in time. Try again, and finish it in the browser.")
        else:
            explained = explain_localized(error.code, detail=said)
            return f"{explained.title}: {explained.cause}"
        return self.tr("{what}\nThe provider said: {said}").format(what=text, said=said)

    def stop(self) -> None:
        """The dialog closes: cancel what is under way."""
        self._cancelled.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
