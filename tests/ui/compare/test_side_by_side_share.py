"""Side by side: the before map sits on the left of the main map, the two share the central area
equally, and the other SiteWatch docks keep their widths."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
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
        # As in QGIS: the panel beside the map (earlier tests left the shared window's docks
        # as wide as a window without a central widget)
        window.resizeDocks([part.panel], [500], Qt.Orientation.Horizontal)
        for _ in range(5):
            QApplication.processEvents()
        panel_width = part.panel.width()
        central_before = map_area.width()
        part.set_mode(CompareMode.SWIPE)
        part.panel.side_by_side_box.setChecked(True)
        for _ in range(5):
            QApplication.processEvents()
        before = part.comparison.side_by_side
        assert before is not None and before.isVisible()
        docks = [
            (d.objectName(), d.width(), window.dockWidgetArea(d))
            for d in window.findChildren(QDockWidget)
            if d.isVisible()
        ]
        assert abs(before.width() - map_area.width()) <= 0.05 * central_before, (
            before.width(),
            map_area.width(),
            docks,
            window.width(),
            central_before,
        )
        assert part.panel.width() >= panel_width - 2, "the Imagery panel is not squeezed"
        assert before.geometry().right() <= map_area.geometry().left() + 1, "next to the map, on its left"
        part.panel.side_by_side_box.setChecked(False)
    finally:
        window.takeCentralWidget()
        map_area.deleteLater()


def test_on_a_small_screen_the_right_docks_make_room_and_get_it_back(load_plugin, assessment, tmp_path, window):
    """At 1366×768 QGIS's map never gets narrower than 423 px (its welcome page): half the central
    area is less, so the right docks give up width (down to 400 px) for two maps of one width."""
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    map_area = QWidget()
    map_area.setMinimumWidth(423)
    window.setCentralWidget(map_area)
    window.resize(1311, 737)  # 1366×768 in QGIS's logical pixels
    try:
        part = part_of(load_plugin(), ImageryPart)
        part.panel.show()
        settle()
        window.resizeDocks([part.panel], [520], Qt.Orientation.Horizontal)
        settle()
        panel_width = part.panel.width()
        part.set_mode(CompareMode.SWIPE)
        part.panel.side_by_side_box.setChecked(True)
        settle()
        before = part.comparison.side_by_side
        assert abs(before.width() - map_area.width()) <= 12, (before.width(), map_area.width(), part.panel.width())
        assert map_area.width() >= 423 and part.panel.width() >= 400
        assert part.panel.width() < panel_width, "the panel made room"
        part.panel.side_by_side_box.setChecked(False)
        settle()
        assert abs(part.panel.width() - panel_width) <= 2, "and got its width back"
    finally:
        window.takeCentralWidget()
        map_area.deleteLater()


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()
