"""Side by side: the before map and the main map share the central area equally, and the other
SiteWatch docks keep their widths."""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QWidget

from sitewatch.core.imagery.registry import register_image
from sitewatch.tests.helpers.imagery_rasters import write_raster
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart


def test_before_map_shares_the_central_area_equally(load_plugin, assessment, tmp_path, window):
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    map_area = QWidget()  # stands for QGIS's map, the window's central widget
    window.setCentralWidget(map_area)
    window.resize(1920, 1080)
    try:
        part = part_of(load_plugin(), ImageryPart)
        part.panel.show()
        for _ in range(5):
            QApplication.processEvents()
        panel_width = part.panel.width()
        central_before = map_area.width()
        part.set_mode(CompareMode.SWIPE)
        part.panel.side_by_side_box.setChecked(True)
        for _ in range(5):
            QApplication.processEvents()
        before = window.findChild(QDockWidget, "SiteWatchSideBySide")
        assert before is not None and before.isVisible()
        assert abs(before.width() - map_area.width()) <= 0.05 * central_before, (before.width(), map_area.width())
        assert part.panel.width() >= panel_width - 2, "the Imagery panel is not squeezed"
        part.panel.side_by_side_box.setChecked(False)
    finally:
        window.takeCentralWidget()
        map_area.deleteLater()
