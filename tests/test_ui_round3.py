"""Round 3 interface fixes: docks that fit the screen, side by side that closes, Close assessment."""

from __future__ import annotations

import pytest
from qgis.core import QgsPointXY, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import QApplication, QDockWidget

import sitewatch
from sitewatch.core.imagery.registry import register_image
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.imagery.part import ImageryPart

from .imagery_rasters import SITE, write_raster
from .test_compound_damage import TWO_COMPOUNDS, box, build
from .test_damage_panel import wait_until_idle


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
def load_plugin(window, qgis_iface, qgis_new_project, assessment):
    """Start the whole plugin with ``assessment`` open."""
    plugins = []

    def load():
        plugin = sitewatch.classFactory(qgis_iface)
        plugin.initGui()
        plugins.append(plugin)
        plugin.context.session.open(str(assessment.path))
        return plugin

    yield load
    for plugin in plugins:
        wait_until_idle(part_of(plugin, DamagePanel).dock)  # no damage task outlives the test
        plugin.unload()
    flush_deletes()


@pytest.fixture
def plugin(load_plugin, assessment):
    """The plugin with two compounds and two structures in the open assessment."""
    build(assessment, TWO_COMPOUNDS, [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 20))],
          [("S-1", "2020-01-08", "destroyed")])
    return load_plugin()


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


# -- 2. unticking "Side by side" closes the before map ---------------------------------------------

@pytest.fixture
def compared(load_plugin, assessment, tmp_path, qgis_iface):
    """The imagery part comparing two images of the site in swipe mode."""
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    plugin = load_plugin()
    part = part_of(plugin, ImageryPart)
    part.set_mode(CompareMode.SWIPE)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    canvas.setExtent(QgsRectangle(*SITE))
    return part


def before_docks(window) -> list[QDockWidget]:
    return [dock for dock in window.findChildren(QDockWidget, "SiteWatchSideBySide") if dock.isVisible()]


def test_unticking_side_by_side_hides_the_before_map_and_ticking_brings_it_back_in_step(compared, window,
                                                                                         qgis_iface):
    box = compared.panel.side_by_side_box
    box.setChecked(True)
    QApplication.processEvents()
    assert len(before_docks(window)) == 1
    box.setChecked(False)
    QApplication.processEvents()
    assert before_docks(window) == []
    assert compared.comparison.side_by_side is None
    box.setChecked(True)
    QApplication.processEvents()
    [dock] = before_docks(window)
    assert box.isChecked()
    canvas = qgis_iface.mapCanvas()
    centre = canvas.center()
    canvas.setCenter(QgsPointXY(centre.x() + 40, centre.y() - 25))
    assert dock.canvas.center().x() == pytest.approx(centre.x() + 40, abs=0.5)
    assert dock.canvas.center().y() == pytest.approx(centre.y() - 25, abs=0.5)
    assert dock.canvas.scale() == pytest.approx(canvas.scale(), rel=1e-6)


def test_closing_the_before_map_unticks_side_by_side(compared, window):
    box = compared.panel.side_by_side_box
    box.setChecked(True)
    QApplication.processEvents()
    [dock] = before_docks(window)
    dock.close()
    QApplication.processEvents()
    assert not box.isChecked()
    assert compared.comparison.side_by_side is None
    box.setChecked(True)
    QApplication.processEvents()
    assert len(before_docks(window)) == 1


# -- 3. Close assessment, and actions that need one ------------------------------------------------

def menu_texts(plugin) -> list[str]:
    return [action.text() for action in plugin.context.menu.actions() if action.text()]


def needing_an_assessment(plugin) -> dict[str, bool]:
    part = part_of(plugin, AnnotationPart)
    actions = (*part.tool_actions.values(), part.undo_action, part.redo_action, part.delete_action)
    return {action.text(): action.isEnabled() for action in actions}


def close_action(plugin):
    return next(action for action in plugin.context.menu.actions() if action.text() == "Close assessment")


def test_close_assessment_removes_its_layers_and_disables_the_tools_until_one_is_opened(plugin, assessment,
                                                                                        qgis_iface):
    texts = menu_texts(plugin)
    assert texts.index("Close assessment") == texts.index("Open assessment…") + 1
    assert "Draw footprint" in needing_an_assessment(plugin) and "Review states" in needing_an_assessment(plugin)
    assert all(needing_an_assessment(plugin).values())
    part = part_of(plugin, AnnotationPart)
    part.tool_actions["polygon"].trigger()
    assert qgis_iface.mapCanvas().mapTool() is part.tools["polygon"]
    action = close_action(plugin)
    assert action.isEnabled()
    action.trigger()
    session = plugin.context.session
    assert session.store is None
    assert not [layer for layer in QgsProject.instance().mapLayers().values()
                if layer.customProperty("sitewatch/layer")]
    assert not action.isEnabled()
    assert not any(needing_an_assessment(plugin).values())
    assert qgis_iface.mapCanvas().mapTool() is not part.tools["polygon"]
    session.open(str(assessment.path))
    assert action.isEnabled()
    assert all(needing_an_assessment(plugin).values())


def test_a_new_project_disables_the_tools_and_opening_enables_them(plugin, assessment):
    QgsProject.instance().clear()  # File ▸ New project
    assert plugin.context.session.store is None
    assert not close_action(plugin).isEnabled()
    assert not any(needing_an_assessment(plugin).values())
    plugin.context.session.open(str(assessment.path))
    assert close_action(plugin).isEnabled()
    assert all(needing_an_assessment(plugin).values())


def test_without_an_assessment_the_plugin_starts_with_the_tools_disabled(window, qgis_iface, qgis_new_project):
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert not close_action(plugin).isEnabled()
        assert not any(needing_an_assessment(plugin).values())
    finally:
        plugin.unload()
        flush_deletes()
