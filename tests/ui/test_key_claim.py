"""SiteWatch map tools keep their single keys when an application shortcut uses the same key."""

from __future__ import annotations

from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QKeySequence
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QAction, QApplication, QMainWindow

from sitewatch.ui.annotation.draw_tools import SiteWatchTool
from sitewatch.ui.annotation.review_tool import (
    ACCEPT_SUGGESTION_KEY,
    CONFIDENCE_KEYS,
    NEXT_KEYS,
    STATUS_KEYS,
    ReviewTool,
)
from sitewatch.ui.compare.tool import KEYS as COMPARE_KEYS


def _window_with_shortcut(key: str):
    window = QMainWindow()
    canvas = QgsMapCanvas(window)
    window.setCentralWidget(canvas)
    fired: list[str] = []
    action = QAction("another plugin's shortcut", window)
    action.setShortcut(QKeySequence(key))
    action.triggered.connect(lambda: fired.append(key))
    window.addAction(action)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    canvas.setFocus()
    QApplication.processEvents()
    return window, canvas, fired


def test_the_active_tool_keeps_its_key_and_gives_it_back_when_deactivated(qgis_app):
    window, canvas, fired = _window_with_shortcut("3")
    picked: list[int] = []
    tool = SiteWatchTool(canvas, on_type_key=picked.append)
    QTest.keyClick(canvas, Qt.Key.Key_3)
    assert fired == ["3"] and picked == []  # no SiteWatch tool: the shortcut has the key (and shortcuts work here)
    canvas.setMapTool(tool)
    QTest.keyClick(canvas, Qt.Key.Key_3)
    assert picked == [3] and fired == ["3"]  # the tool's type key, not the shortcut
    canvas.unsetMapTool(tool)
    QTest.keyClick(canvas, Qt.Key.Key_3)
    assert fired == ["3", "3"] and picked == [3]
    window.close()


def test_forwarded_compare_keys_are_claimed_too(qgis_app):
    window, canvas, fired = _window_with_shortcut("F")
    forwarded: list[int] = []
    tool = SiteWatchTool(canvas)
    tool.other_keys = lambda event: forwarded.append(event.key())
    tool.other_key_set = COMPARE_KEYS
    canvas.setMapTool(tool)
    QTest.keyClick(canvas, Qt.Key.Key_F)
    assert forwarded == [Qt.Key.Key_F] and fired == []
    canvas.unsetMapTool(tool)
    window.close()


def test_a_ctrl_shortcut_stays_with_qgis(qgis_app):
    window, canvas, fired = _window_with_shortcut("Ctrl+3")
    tool = SiteWatchTool(canvas, on_type_key=lambda number: None)
    canvas.setMapTool(tool)
    QTest.keyClick(canvas, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["Ctrl+3"]
    canvas.unsetMapTool(tool)
    window.close()


def test_the_review_tool_claims_every_review_key():
    keys = set(STATUS_KEYS) | set(CONFIDENCE_KEYS) | NEXT_KEYS | {ACCEPT_SUGGESTION_KEY, Qt.Key.Key_Delete}
    tool = ReviewTool.__new__(ReviewTool)
    tool.on_type_key, tool.other_keys = None, None
    assert keys <= ReviewTool.claimed_keys(tool)
