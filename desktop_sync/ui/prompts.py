"""Yes/no questions asked without blocking the event loop (the remap confirmation prompt among them).

A question is an ``Asker``: an async callable (title, text) -> bool. Dialogs take one, so tests
give them an answer instead of a message box.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import QMessageBox, QWidget

Asker = Callable[[str, str], Awaitable[bool]]


def message_box_asker(parent: QWidget | None) -> Asker:
    """Ask with a window-modal QMessageBox opened with ``open()``: no nested event loop, so the
    engine keeps running while the question waits. No is the default answer."""

    async def ask(title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        yes = box.addButton(QMessageBox.StandardButton.Yes)
        no = box.addButton(QMessageBox.StandardButton.No)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def finished(_result: int) -> None:
            if not answered.done():
                answered.set_result(box.clickedButton() is yes)

        box.finished.connect(finished)
        box.open()
        try:
            return await answered
        finally:
            box.deleteLater()

    return ask
