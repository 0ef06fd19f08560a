"""The Imagery panel inside the loaded plugin: restore, add by drop, edit, relink, pairs, missing files."""

from __future__ import annotations

import os
import shutil

import pytest
from qgis.core import Qgis, QgsDateTimeRange, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication, QDateTime, QEvent, QMimeData, QPointF, Qt, QUrl
from qgis.PyQt.QtGui import QDropEvent
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDockWidget

import sitewatch
from sitewatch.core.imagery.registry import list_images, register_image
from sitewatch.tests.helpers.imagery_rasters import SITE, write_raster
from sitewatch.tests.helpers.review_site import messages
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import GROUP_NAME, ImageryPart


def part_of(plugin) -> ImageryPart:
    return next(part for part in plugin.parts if isinstance(part, ImageryPart))


@pytest.fixture
def three_passes(assessment, tmp_path):
    for name, colour in (
        ("site_2019-09-01.tif", (200, 40, 40)),
        ("site_2020-01-08.tif", (40, 40, 200)),
        ("site_2020-06-30.tif", (40, 200, 40)),
    ):
        register_image(assessment, str(write_raster(tmp_path / name, colour)), source="Maxar")
    return assessment


def test_opening_restores_the_list_layers_and_the_two_latest_as_pair(plugin, three_passes):
    plugin.context.session.open(str(three_passes.path))
    part = part_of(plugin)
    panel = part.panel
    assert [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())] == [
        "2019-09-01",
        "2020-01-08",
        "2020-06-30",
    ]
    session = plugin.context.session
    assert (session.before.acquired, session.after.acquired) == ("2020-01-08", "2020-06-30")
    assert panel.before_combo.currentData() == session.before.image_id
    group = QgsProject.instance().layerTreeRoot().findGroup(GROUP_NAME)
    assert len(group.findLayers()) == 3
    shown = sorted(node.layer().name() for node in group.findLayers() if node.isVisible())
    assert shown == ["2020-01-08 · Maxar [IMG-0002]", "2020-06-30 · Maxar [IMG-0003]"]
    layer = part.image_layer("IMG-0001")
    day = QDateTime.fromString("2019-09-01T12:00:00Z", Qt.DateFormat.ISODate)
    assert layer.temporalProperties().isVisibleInTemporalRange(QgsDateTimeRange(day, day))
    assert panel.toolTip().count("B before") == 1 and "] next pair" in panel.toolTip()
    assert "S swipe" in part.compare_action.toolTip() and "F flicker" in part.compare_action.toolTip()


def test_dropped_files_are_registered_and_a_bad_one_is_reported(plugin, assessment, tmp_path, qgis_iface):
    plugin.context.session.open(str(assessment.path))
    good = [write_raster(tmp_path / "a_20190901.tif"), write_raster(tmp_path / "b_08JAN20.tif", (40, 40, 200))]
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (good[0], bad, good[1])])
    panel = part_of(plugin).panel
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dropEvent(drop)
    assert [r.acquired for r in list_images(assessment)] == ["2019-09-01", "2020-01-08"]
    assert "'notes.txt' is not an image GDAL can read" in messages(qgis_iface, Qgis.MessageLevel.Critical)
    session = plugin.context.session
    assert (session.before.acquired, session.after.acquired) == ("2019-09-01", "2020-01-08")


def test_editing_a_date_in_the_list_is_stored_and_a_future_date_refused(plugin, three_passes, qgis_iface):
    plugin.context.session.open(str(three_passes.path))
    panel = part_of(plugin).panel
    panel.table.item(0, 1).setText("Airbus")
    assert list_images(three_passes)[0].source == "Airbus"
    panel.table.item(0, 0).setText("2099-01-01")
    assert "in the future" in messages(qgis_iface, Qgis.MessageLevel.Critical)
    assert list_images(three_passes)[0].acquired == "2019-09-01"
    assert panel.table.item(0, 0).text() == "2019-09-01"


def test_missing_file_is_reported_and_relinked(plugin, three_passes, tmp_path, qgis_iface):
    moved = tmp_path / "archive"
    moved.mkdir()
    shutil.move(tmp_path / "site_2020-06-30.tif", moved / "site_2020-06-30.tif")
    plugin.context.session.open(str(three_passes.path))
    part = part_of(plugin)
    assert "IMG-0003" in part.panel.missing
    assert part.panel.table.item(2, 3).text() == "missing — relink"
    assert "missing" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert plugin.context.session.after.image_id == "IMG-0002"  # the pair skips the missing image
    part.panel.select("IMG-0003")
    assert part.panel.relink_button.isEnabled() and part.panel.relink_button.font().bold()
    part.relink("IMG-0003", str(moved / "site_2020-06-30.tif"))
    assert not part.panel.missing
    assert part.image_layer("IMG-0003").source() == str(moved / "site_2020-06-30.tif")
    assert len(list_images(three_passes)) == 3


def test_file_removed_while_loaded_keeps_its_registration(plugin, three_passes, tmp_path, qgis_iface):
    plugin.context.session.open(str(three_passes.path))
    os.remove(tmp_path / "site_2019-09-01.tif")
    QTest.qWait(300)
    part = part_of(plugin)
    assert "IMG-0001" in part.panel.missing
    assert "removed or moved while loaded" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert len(list_images(three_passes)) == 3


def test_bracket_keys_step_through_pairs_of_dates(plugin, three_passes, qgis_iface):
    session = plugin.context.session
    session.open(str(three_passes.path))
    part = part_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    assert qgis_iface.mapCanvas().mapTool() is part.tool
    part.comparison.step_requested.emit(-1)
    assert (session.before.image_id, session.after.image_id) == ("IMG-0001", "IMG-0002")
    assert part.comparison.item.labels == ("2019-09-01 · Maxar", "2020-01-08 · Maxar")
    part.comparison.step_requested.emit(-1)
    assert "No earlier pair" in messages(qgis_iface, Qgis.MessageLevel.Info)
    part.comparison.step_requested.emit(1)
    assert (session.before.image_id, session.after.image_id) == ("IMG-0002", "IMG-0003")
    part.set_mode(None)
    assert not part.comparison.active


def test_a_single_image_gives_no_pair_and_a_clear_message(plugin, assessment, tmp_path, qgis_iface):
    register_image(assessment, str(write_raster(tmp_path / "site_2019-09-01.tif")))
    plugin.context.session.open(str(assessment.path))
    part = part_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    assert not part.comparison.active
    assert "needs two images; 1 is registered" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert not part.panel.mode_buttons[CompareMode.SWIPE].isEnabled()


def test_unload_removes_the_panel(qgis_iface, qgis_new_project):
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    assert qgis_iface.mainWindow().findChildren(QDockWidget, "SiteWatchImageryPanel")
    plugin.unload()
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))
    assert not qgis_iface.mainWindow().findChildren(QDockWidget, "SiteWatchImageryPanel")


def test_removing_a_compared_layer_stops_the_comparison_safely(plugin, three_passes, qgis_iface):
    plugin.context.session.open(str(three_passes.path))
    part = part_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    QgsProject.instance().removeMapLayer(part.image_layer("IMG-0003").id())
    assert not part.comparison.active and part.comparison.layers == (None, None)
    qgis_iface.mapCanvas().refresh()
    QTest.qWait(50)
    assert len(list_images(three_passes)) == 3


def test_relinking_while_comparing_keeps_comparing(plugin, three_passes, tmp_path):
    plugin.context.session.open(str(three_passes.path))
    part = part_of(plugin)
    part.set_mode(CompareMode.SWIPE)
    copy = tmp_path / "copy_2020-06-30.tif"
    shutil.copy(tmp_path / "site_2020-06-30.tif", copy)
    part.relink("IMG-0003", str(copy))
    assert part.comparison.active
    assert part.comparison.layers[1].source() == str(copy)


def test_overviews_are_built_in_a_background_task(plugin, assessment, tmp_path, qgis_iface):
    big = write_raster(tmp_path / "big_2020-01-08.tif", size=(2600, 2100), bands=1)
    register_image(assessment, str(big))
    plugin.context.session.open(str(assessment.path))
    assert part_of(plugin).build_overviews("IMG-0001") is not None
    for _ in range(200):
        QTest.qWait(25)
        if "Overviews built" in messages(qgis_iface, Qgis.MessageLevel.Success):
            break
    assert (tmp_path / "big_2020-01-08.tif.ovr").exists()
    assert "Overviews built for 2020-01-08 · IMG-0001" in messages(qgis_iface, Qgis.MessageLevel.Success)


def test_a_file_replaced_by_garbage_is_listed_as_missing_not_a_traceback(plugin, three_passes, tmp_path, qgis_iface):
    (tmp_path / "site_2019-09-01.tif").write_bytes(b"II*\x00garbage")
    plugin.context.session.open(str(three_passes.path))
    part = part_of(plugin)
    assert "IMG-0001" in part.panel.missing
    assert "IMG-0001" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert part.image_layer("IMG-0002") is not None


def test_editing_a_date_that_reverses_the_pair_swaps_it(plugin, assessment, tmp_path, qgis_iface):
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif", "site_2020-06-30.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)), source="Maxar")
    session = plugin.context.session
    session.open(str(assessment.path))
    assert (session.before.image_id, session.after.image_id) == ("IMG-0002", "IMG-0003")
    part_of(plugin).panel.table.item(1, 0).setText("2020-07-15")  # IMG-0002 is now the latest
    assert (session.before.image_id, session.after.image_id) == ("IMG-0003", "IMG-0002")
    assert (session.before.acquired, session.after.acquired) == ("2020-06-30", "2020-07-15")
    assert "IMG-0003 is now the earlier image" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_first_images_of_a_new_assessment_bring_the_map_to_the_site(plugin, assessment, tmp_path, qgis_iface):
    session = plugin.context.session
    session.open(str(assessment.path))  # new assessment: no structures, no images
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    canvas.setExtent(QgsRectangle(0, 0, 10, 10))  # far from the site
    part_of(plugin).add_paths([str(write_raster(tmp_path / "site_2019-09-01.tif"))])
    assert [r.acquired for r in list_images(assessment)] == ["2019-09-01"]
    assert canvas.extent().contains(QgsRectangle(*SITE))
    shown = canvas.extent()  # the image fills the map along one side
    assert min(shown.width() / (SITE[2] - SITE[0]), shown.height() / (SITE[3] - SITE[1])) == pytest.approx(1)
