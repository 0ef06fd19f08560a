"""The SiteWatch docks fit a 1000-pixel-high screen, tabbed in the right dock area."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QApplication, QDockWidget

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.ui.damage.part import DamagePanel


def sitewatch_docks(window) -> dict[str, QDockWidget]:
    return {
        dock.objectName(): dock
        for dock in window.findChildren(QDockWidget)
        if dock.objectName().startswith("SiteWatch")
    }


def test_showing_every_dock_keeps_the_window_within_a_1000_px_screen(docked_plugin, window):
    docks = sitewatch_docks(window)
    for name in ("SiteWatchImageryPanel", "SiteWatchReviewQueue"):
        docks[name].show()
    part_of(docked_plugin, DamagePanel).action.trigger()  # the toolbar button shows the damage dock
    QApplication.processEvents()
    damage, queue = docks["SiteWatchDamageDock"], docks["SiteWatchReviewQueue"]
    assert damage.isVisible() and queue.isVisibleTo(window)
    assert all(window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea for dock in docks.values())
    assert damage in window.tabifiedDockWidgets(queue)
    assert window.minimumSizeHint().height() <= 1000
    assert window.height() <= 1000
