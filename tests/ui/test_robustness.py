"""Errors that must not escape into Qt (an exception leaving a slot, an event handler or
``QgsTask.run`` aborts QGIS under PyQt5): each becomes a clear message instead."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsExpression, QgsProject, QgsRectangle
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt
from qgis.PyQt.QtXml import QDomDocument

import sitewatch
from sitewatch.core.damage.inputs import SiteCache
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.imagery.overviews import BuildOverviewsTask, needs_overviews
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, X0, Y0, box, build
from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.tests.helpers.review_site import messages
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.annotation.status_style import FUNCTION_NAME, codes_expression, status_renderer
from sitewatch.ui.damage.part import DamagePanel
from sitewatch.ui.damage.task import DamageTask
from sitewatch.ui.imagery.part import ImageryPart


@pytest.fixture
def plugin_on_site(qgis_iface, qgis_new_project, assessment):
    """The whole plugin with ``assessment`` (two compounds, two structures) open."""
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 20))],
        [("S-1", "2020-01-08", "destroyed")],
    )
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    plugin.context.session.open(str(assessment.path))
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    canvas.setExtent(QgsRectangle(X0 - 50, Y0 - 50, X0 + 250, Y0 + 150))
    qgis_iface.messageBar().clear_messages()
    yield plugin
    plugin.unload()
    deferred = QEvent.Type.DeferredDelete
    QCoreApplication.sendPostedEvents(None, getattr(deferred, "value", deferred))


def press_and_release(tool, x: float, y: float) -> None:
    canvas = tool.canvas()
    point = canvas.getCoordinateTransform().transform(X0 + x, Y0 + y)
    position = QPoint(round(point.x()), round(point.y()))
    left = Qt.MouseButton.LeftButton
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, position, left))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, position, left))


# -- 1. background tasks -----------------------------------------------------------------------


def test_damage_task_turns_a_numpy_failure_into_an_error_naming_the_file(assessment):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 20)), ("S-3", "bunker", box(60, 10, 5))],
    )
    cache = SiteCache()
    assert DamageTask(assessment, "2020-01-08", None, cache).run()
    cache.areas = np.zeros(1)  # a cache out of step with the file: numpy raises IndexError
    task = DamageTask(assessment, "2020-01-08", None, cache)
    assert task.run() is False
    assert str(assessment.path) in task.error and "IndexError" in task.error


def test_overview_task_turns_an_os_level_failure_into_an_error():
    task = BuildOverviewsTask("/tmp/bad\0name.tif", "bad name")  # Python refuses the path: ValueError
    assert task.run() is False
    assert "bad" in task.error and "ValueError" in task.error


# -- 2. errors in map-tool event handlers and slots ------------------------------------------------


def test_move_tool_with_no_assessment_open_says_so(plugin_on_site, qgis_iface):
    part = part_of(plugin_on_site, AnnotationPart)
    tool = part.activate("move")
    plugin_on_site.context.session.close()
    press_and_release(tool, 15, 15)
    assert "No assessment is open" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_review_tool_click_after_the_structures_layer_was_removed_says_so(plugin_on_site, qgis_iface):
    part = part_of(plugin_on_site, AnnotationPart)
    tool = part.activate("review")
    QgsProject.instance().removeMapLayer(plugin_on_site.context.session.layer("structures"))
    press_and_release(tool, 15, 15)
    assert "'structures' layer" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_drawing_where_coordinates_cannot_be_transformed_says_so(plugin_on_site, qgis_iface):
    part = part_of(plugin_on_site, AnnotationPart)
    tool = part.activate("point")
    canvas = tool.canvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    canvas.setExtent(QgsRectangle(1000, 1000, 1010, 1010))  # far outside the earth: no UTM position
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)
    left = Qt.MouseButton.LeftButton
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, centre, left))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, centre, left))
    assert "could not be transformed" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_focus_and_table_refresh_after_layers_were_removed_say_so(plugin_on_site, qgis_iface):
    part = part_of(plugin_on_site, AnnotationPart)
    controller = part.controller
    session = plugin_on_site.context.session
    project = QgsProject.instance()
    project.removeMapLayer(session.layer("observations"))
    controller._tables_timer.timeout.emit()
    assert "'observations' layer" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    project.removeMapLayer(session.layer("structures"))
    controller.current_changed.emit("S-1")
    controller.navigated.emit("S-1")
    assert messages(qgis_iface, Qgis.MessageLevel.Warning).count("'structures' layer") == 2


def test_damage_row_click_after_the_compounds_layer_was_removed_says_so(plugin_on_site, qgis_iface):
    dock = part_of(plugin_on_site, DamagePanel).dock
    dock.after_edit.setText("2020-01-08")
    dock.refresh()
    wait_until_idle(dock)
    QgsProject.instance().removeMapLayer(plugin_on_site.context.session.layer("compounds"))
    dock.grid.cellClicked.emit(0, 0)
    assert "'compounds' layer" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_removing_an_image_no_longer_registered_says_so(plugin_on_site, qgis_iface):
    part = part_of(plugin_on_site, ImageryPart)
    part.panel.remove_requested.emit("IMG-0042")
    assert "IMG-0042" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_overview_check_of_a_file_gdal_cannot_read_names_the_file(tmp_path):
    broken = tmp_path / "site_2020-01-08.tif"
    broken.write_bytes(b"not an image")
    with pytest.raises(SiteWatchError, match="Cannot read the image .*site_2020-01-08.tif"):
        needs_overviews(str(broken))


# -- 3. scores from a project layer that is removed -------------------------------------------------


# -- 4. the status renderer stays out of saved projects ---------------------------------------------


def saved_renderer(project_file) -> tuple[str, str]:
    """(type, attr) of the structures layer's renderer in a saved .qgs file."""
    document = QDomDocument()
    assert document.setContent(project_file.read_text(encoding="utf-8"))
    layers = document.elementsByTagName("maplayer")
    for number in range(layers.count()):
        layer = layers.item(number).toElement()
        if layer.firstChildElement("layername").text() == "structures":
            renderer = layer.firstChildElement("renderer-v2")
            return renderer.attribute("type"), renderer.attribute("attr")
    raise AssertionError("no structures layer in the saved project")


def test_saved_project_keeps_the_structures_own_renderer(plugin_on_site, tmp_path):
    project = QgsProject.instance()
    structures = plugin_on_site.context.session.layer("structures")
    assert structures.renderer().classAttribute() == codes_expression(structures)  # the status style is on
    path = tmp_path / "site.qgs"
    assert project.write(str(path))
    assert saved_renderer(path) == ("categorizedSymbol", "type")
    assert structures.renderer().classAttribute() == codes_expression(structures)  # and still on after saving

    function = part_of(plugin_on_site, AnnotationPart).controller.style.function
    QgsExpression.unregisterFunction(FUNCTION_NAME)  # as in QGIS without SiteWatch
    try:
        fresh = QgsProject()
        assert fresh.read(str(path))
        reopened = next(layer for layer in fresh.mapLayers().values() if layer.name() == "structures")
        assert reopened.renderer().classAttribute() == "type"
    finally:
        QgsExpression.registerFunction(function)


def test_status_renderer_saved_by_an_older_version_is_not_kept_as_the_own_one(plugin_on_site):
    session = plugin_on_site.context.session
    structures = session.layer("structures")
    style = part_of(plugin_on_site, AnnotationPart).controller.style
    style.release()
    structures.setRenderer(status_renderer())  # as a project saved with the status style reopens
    style.apply(structures)
    style.release()
    assert structures.renderer().classAttribute() == "type"


# -- 5. native-edit signals are let go of by layer, not by name ----------------------------------------


def test_renamed_layers_are_unwatched_when_the_assessment_is_opened_again(plugin_on_site):
    session = plugin_on_site.context.session
    structures, compounds = session.layer("structures"), session.layer("compounds")
    watching = (
        structures.receivers(structures.committedGeometriesChanges),
        compounds.receivers(compounds.committedFeaturesAdded),
    )
    structures.setName("Buildings")  # the analyst renames the layers in the layer tree
    compounds.setName("Walls")
    session.opened.emit(session.store)  # every part re-attaches (as after re-opening the project)
    assert (
        structures.receivers(structures.committedGeometriesChanges),
        compounds.receivers(compounds.committedFeaturesAdded),
    ) == watching


# -- 6. opening and restoring assessments -----------------------------------------------------------


def test_project_whose_assessment_is_missing_says_so_on_load(plugin_on_site, qgis_iface, assessment, tmp_path):
    project = QgsProject.instance()
    path = tmp_path / "site.qgs"
    assert project.write(str(path))
    project.clear()
    moved = tmp_path / "elsewhere.gpkg"
    assessment.path.rename(moved)
    qgis_iface.messageBar().clear_messages()
    assert project.read(str(path))
    assert plugin_on_site.context.session.store is None
    warning = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert "assessment cannot be opened" in warning and "site.gpkg" in warning


def test_project_lacking_an_assessment_layer_says_so_on_load(plugin_on_site, qgis_iface, tmp_path):
    project = QgsProject.instance()
    project.removeMapLayer(plugin_on_site.context.session.layer("observation_history"))
    path = tmp_path / "site.qgs"
    assert project.write(str(path))
    project.clear()
    qgis_iface.messageBar().clear_messages()
    assert project.read(str(path))
    assert plugin_on_site.context.session.store is None
    assert "lacks the layer(s) observation_history" in messages(qgis_iface, Qgis.MessageLevel.Warning)


def test_a_failed_open_keeps_the_open_assessment(plugin_on_site, tmp_path):
    session = plugin_on_site.context.session
    opened = session.store.location
    not_one = tmp_path / "notes.gpkg"
    not_one.write_bytes(b"not a geopackage")
    with pytest.raises(SiteWatchError):
        session.open(str(not_one))
    assert session.store.location == opened
    groups = [g.name() for g in QgsProject.instance().layerTreeRoot().findGroups()]
    assert groups == ["SiteWatch: Test site"]


# -- 7. number formats of the damage table -----------------------------------------------------------


def test_damage_table_shows_percentages_with_one_decimal_and_the_index_with_two(plugin_on_site, assessment):
    build(assessment, (), [("S-3", "hangar", box(300, 300, 200))], [("S-3", "2020-01-08", "intact")])
    dock = part_of(plugin_on_site, DamagePanel).dock
    dock.after_edit.setText("2020-01-08")
    dock.refresh()
    wait_until_idle(dock)
    labels = [dock.grid.horizontalHeaderItem(i).text().replace("\n", " ") for i in range(dock.grid.columnCount())]
    rows = {dock.grid.item(r, 0).text(): r for r in range(dock.grid.rowCount())}

    def shown(compound: str, label: str) -> str:
        return dock.grid.item(rows[compound], labels.index(label)).text()

    assert shown("ALL", "% area destroyed") == "0.2"  # 100 of 40 100 m² assessed: 0.249 %
    assert shown("ALL", "% destroyed") == "50.0"
    assert shown("C-1", "Damage index") == "1.00"  # S-1 destroyed
