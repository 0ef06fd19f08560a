"""The side-by-side before map: opens on the left of the main map (before left, after right), closes with its
tick box and unticks it when closed."""

from __future__ import annotations

import pytest
from qgis.core import QgsPointXY, QgsRectangle
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QApplication, QDockWidget

from sitewatch.core.imagery.registry import register_image
from sitewatch.tests.helpers.imagery_rasters import SITE, write_raster
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart


def imagery_of(plugin) -> ImageryPart:
    return next(part for part in plugin.parts if isinstance(part, ImageryPart))


def test_side_by_side_opens_on_the_left_of_the_map(plugin, assessment, tmp_path, qgis_iface):
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    plugin.context.session.open(str(assessment.path))
    part = imagery_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    part.panel.side_by_side_toggled.emit(True)
    dock = part.comparison.side_by_side
    assert dock is not None
    assert qgis_iface.mainWindow().dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    part.panel.side_by_side_toggled.emit(False)


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


def test_unticking_side_by_side_hides_the_before_map_and_ticking_brings_it_back_in_step(compared, window, qgis_iface):
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
