"""Round 3 interface fixes: docks that fit the screen, side by side that closes, Close assessment."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import QApplication, QDockWidget

import sitewatch
from sitewatch.ui.damage_panel import DamagePanel

from .test_compound_damage import TWO_COMPOUNDS, box, build


def part_of(plugin, kind):
    return next(part for part in plugin.parts if isinstance(part, kind))


def flush_deletes() -> None:
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))


@pytest.fixture
def window(qgis_iface, monkeypatch):
    """pytest-qgis's main window at 1600×1000, docking widgets as QGIS does (its stub
    ``addDockWidget`` leaves them out of the window)."""
    window = qgis_iface.mainWindow()
    monkeypatch.setattr(qgis_iface, "addDockWidget", lambda area, dock: window.addDockWidget(area, dock))
    monkeypatch.setattr(qgis_iface, "removeDockWidget", window.removeDockWidget)
    size = window.size()
    window.resize(1600, 1000)
    window.show()
    yield window
    window.hide()
    window.resize(size)


@pytest.fixture
def plugin(window, qgis_iface, qgis_new_project, assessment):
    build(assessment, TWO_COMPOUNDS, [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 20))],
          [("S-1", "2020-01-08", "destroyed")])
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    plugin.context.session.open(str(assessment.path))
    yield plugin
    plugin.unload()
    flush_deletes()


def sitewatch_docks(window) -> dict[str, QDockWidget]:
    return {dock.objectName(): dock for dock in window.findChildren(QDockWidget)
            if dock.objectName().startswith("SiteWatch")}


# -- 1. the docks fit the screen -----------------------------------------------------------------

def test_showing_every_dock_keeps_the_window_within_a_1000_px_screen(plugin, window):
    docks = sitewatch_docks(window)
    for name in ("SiteWatchImageryPanel", "SiteWatchReviewQueue"):
        docks[name].show()
    part_of(plugin, DamagePanel).action.trigger()  # the toolbar button shows the damage dock
    QApplication.processEvents()
    damage, queue = docks["SiteWatchDamageDock"], docks["SiteWatchReviewQueue"]
    assert damage.isVisible() and queue.isVisibleTo(window)
    assert all(window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea for dock in docks.values())
    assert damage in window.tabifiedDockWidgets(queue)
    assert window.minimumSizeHint().height() <= 1000
    assert window.height() <= 1000


def test_the_docks_fit_even_when_not_tabbed(plugin, window):
    """Moved apart by the analyst, the three docks stacked in one area still fit."""
    docks = sitewatch_docks(window)
    part_of(plugin, DamagePanel).action.trigger()
    for name in ("SiteWatchImageryPanel", "SiteWatchReviewQueue", "SiteWatchDamageDock"):
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[name], Qt.Orientation.Vertical)
        docks[name].show()
    QApplication.processEvents()
    assert not window.tabifiedDockWidgets(docks["SiteWatchDamageDock"])
    assert window.minimumSizeHint().height() <= 1000
