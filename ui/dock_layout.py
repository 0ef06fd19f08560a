"""Keeping SiteWatch's docks small enough to share the right side of the QGIS window.

QMainWindow makes the window at least as tall as the minimum heights of the docks stacked in
one area; three SiteWatch docks with tall tables would push it past the screen. Each dock's
body therefore scrolls instead of insisting on its full height, lists and charts ask for
little, and the Damage dock shares a tab with the Review queue when both are in one area.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAbstractScrollArea, QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

SMALL_LIST_HEIGHT = 100
"""Minimum height in pixels of the lists, tables and charts inside the docks."""


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area that fills the dock, so the dock can be shorter
    (or narrower) than the body's own minimum size."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
    area.setWidget(body)
    return area


def stack_in_tabs(window: QMainWindow, first: QDockWidget, second: QDockWidget) -> bool:
    """Put ``second`` in a tab beside ``first`` and bring it to the front, when both are docked
    in the same area of ``window`` and not already tabbed together; True when it did."""
    if first.isFloating() or second.isFloating():
        return False
    area = window.dockWidgetArea(first)
    if area == Qt.DockWidgetArea.NoDockWidgetArea or area != window.dockWidgetArea(second):
        return False
    if second in window.tabifiedDockWidgets(first):
        return False
    window.tabifyDockWidget(first, second)
    second.raise_()
    return True
