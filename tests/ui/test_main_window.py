"""The main window: navigation by mouse and keyboard, the first-run page, honest empty views."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop_sync.ui.dashboard import DashboardPage
from desktop_sync.ui.main_window import EmptyTablePage, View

pytestmark = pytest.mark.gui

DIGIT_KEYS = [
    Qt.Key.Key_1,
    Qt.Key.Key_2,
    Qt.Key.Key_3,
    Qt.Key.Key_4,
    Qt.Key.Key_5,
    Qt.Key.Key_6,
    Qt.Key.Key_7,
    Qt.Key.Key_8,
    Qt.Key.Key_9,
    Qt.Key.Key_0,  # the tenth view
]


def _page_title(window, view: View) -> str:
    return window.page(view).title_label.text()


def _has_drawn_content(image: QImage) -> bool:
    """More than one colour: text and frames were drawn (an empty grab is a single flat colour)."""
    first = image.pixel(0, 0)
    step = max(1, image.width() // 200)
    return any(
        image.pixel(x, y) != first for y in range(0, image.height(), step) for x in range(0, image.width(), step)
    )


def test_window_has_title_icon_and_shows_the_database(make_window):
    window = make_window(has_profiles=True, database_label="postgresql://sync@db.example/crm")

    assert window.windowTitle() == "Desktop Sync"
    assert not window.windowIcon().isNull()
    assert "postgresql://sync@db.example/crm" in window.database_label.text()
    assert window.database_label.isVisible()


def test_first_run_page_is_shown_when_the_store_has_no_profile(make_window):
    window = make_window(has_profiles=False)

    assert window.is_first_run_shown()
    assert window.current_view() is None
    assert window.first_run_page.isVisible()
    assert window.first_run_page.create_profile_button.text().startswith("1.")
    assert window.first_run_page.add_mailbox_button.text().startswith("2.")
    # It has its own navigation entry, selected, so focus moving to the list does not hide it.
    assert window.navigation.currentRow() == 0
    assert window.navigation.count() == len(View) + 1


def test_first_run_page_is_not_shown_when_profiles_exist(make_window):
    window = make_window(has_profiles=True)

    assert not window.is_first_run_shown()
    assert window.current_view() is View.MAILBOXES
    assert window.navigation.currentItem() is window.navigation_item(View.MAILBOXES)
    assert window.navigation.count() == len(View)  # no "Get started" entry


def test_first_run_steps_lead_to_their_views(make_window, qtbot):
    window = make_window(has_profiles=False)

    qtbot.mouseClick(window.first_run_page.create_profile_button, Qt.MouseButton.LeftButton)
    assert window.current_view() is View.SERVER_PROFILES

    window.show_first_run()
    assert window.is_first_run_shown()
    qtbot.mouseClick(window.first_run_page.add_mailbox_button, Qt.MouseButton.LeftButton)
    assert window.current_view() is View.MAILBOXES


def test_clicking_the_navigation_switches_views(make_window, qtbot):
    window = make_window(has_profiles=True)

    for view in reversed(View):
        item = window.navigation_item(view)
        position = window.navigation.visualItemRect(item).center()
        qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=position)
        assert window.current_view() is view
        assert window.stack.currentWidget().isVisible()
        assert _page_title(window, view) == item.text()


@pytest.mark.parametrize("view", list(View), ids=lambda view: view.name.lower())
def test_ctrl_digit_switches_views(make_window, qtbot, view):
    window = make_window(has_profiles=False)

    qtbot.keyClick(window, DIGIT_KEYS[int(view)], Qt.KeyboardModifier.ControlModifier)

    assert window.current_view() is view
    assert window.view_actions[view].isChecked()


def test_ctrl_q_asks_to_quit(make_window, qtbot):
    window = make_window(has_profiles=True)

    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def test_without_services_every_view_is_an_honest_empty_state(make_window):
    window = make_window(has_profiles=True)

    for view in View:
        window.show_view(view)
        page = window.page(view)
        assert page.title_label.text()
        assert page.description_label.text().endswith(".")
        if isinstance(page, DashboardPage):
            assert page.note_label.isVisible()
            assert all(bar.count == 0 for bar in page.state_bars.values())
            continue
        table = page.table
        assert table.model().rowCount() == 0
        headers = [table.model().headerData(i, Qt.Orientation.Horizontal) for i in range(table.model().columnCount())]
        assert len(headers) >= 4 and all(headers)
        empty = page.empty_label if isinstance(page, EmptyTablePage) else page.empty.label
        assert empty.isVisible()
    assert not window.mailboxes_page.add_action.isEnabled()
    assert window.engine_label.text() == "Not connected to a store"


def test_window_grabs_show_drawn_text(make_window, tmp_path):
    window = make_window(has_profiles=False)
    shots = {"first-run": None}
    shots.update({view.name.lower(): view for view in View})

    for name, view in shots.items():
        if view is None:
            window.show_first_run()
        else:
            window.show_view(view)
        path = tmp_path / f"main-window-{name}.png"
        assert window.grab().save(str(path))

        image = QImage(str(path))
        assert image.width() >= 600 and image.height() >= 400
        # A title drawn as a single flat colour means no font was found ("empty labels").
        title = window.first_run_page.title_label if view is None else window.page(view).title_label
        assert _has_drawn_content(title.grab().toImage()), name


def test_a_long_status_message_is_elided_with_its_tooltip_and_the_store_path_stays(make_window, qtbot):
    window = make_window(has_profiles=True)
    window.resize(1024, 700)
    text = "Test & Enable: " + ", ".join(f"mailbox{n}@example.test passed" for n in range(30))
    window.show_message(text)
    qtbot.waitUntil(lambda: window.message_label.isVisible())
    assert window.message_label.toolTip() == text  # the whole message, for when it does not fit
    assert window.message_label.text() == text
    assert window.width() <= 1024  # a long message never widens the window
    assert window.database_label.toolTip().startswith("Database: ")
