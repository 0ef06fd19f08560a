"""Drawing with the SiteWatch tools on a real canvas with real mouse events: the saved
features, their attributes, compounds following geometry, undo / redo and bad input."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from osgeo import ogr
from qgis.core import (
    Qgis,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSnappingConfig,
    QgsTolerance,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from sitewatch.core.imagery.layers import IMAGE_ID_PROPERTY
from sitewatch.core.imagery.registry import ImageRecord
from sitewatch.tests.helpers.imagery_rasters import write_raster
from sitewatch.ui.annotation.part import COMPOUND, AnnotationPart
from sitewatch.ui.assessment.session import AssessmentSession
from sitewatch.ui.compare.canvas_overlay import CompareMode, ComparisonItem
from sitewatch.ui.context import PluginContext


@pytest.fixture
def part(qgis_iface, qgis_new_project, assessment):
    """The annotation part on a canvas at 0.25 m per pixel."""
    session = AssessmentSession(QgsProject.instance())
    context = PluginContext(qgis_iface, session, QToolBar(), QMenu())
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    annotation = AnnotationPart(context, confirm=lambda _question: True, ask_name=lambda _question, default: default)
    session.open(str(assessment.path))
    canvas.setLayers([session.layer(name) for name in ("structures", "compounds")])
    size = canvas.mapSettings().outputSize()  # clicks may fall outside the visible part: that is fine
    canvas.setExtent(QgsRectangle(500000, 3000000, 500000 + size.width() * 0.25, 3000000 + size.height() * 0.25))
    qgis_iface.messageBar().clear_messages()
    assert canvas.mapUnitsPerPixel() == pytest.approx(0.25)
    yield annotation
    annotation.unload()
    session.close()
    session.unload()


def pixel(canvas, x: float, y: float) -> QPoint:
    point = canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
    return QPoint(round(point.x()), round(point.y()))


def click(tool, x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
    canvas = tool.canvas()
    position = pixel(canvas, x, y)
    tool.canvasMoveEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseMove, position))
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, position, button))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, position, button))


def key(tool, which: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, which, modifiers))


def messages(iface, level) -> str:
    return "\n".join(iface.messageBar().get_messages(level))


def stored(assessment, layer_name: str) -> list[dict]:
    dataset = ogr.Open(str(assessment.path))
    rows = []
    for feature in dataset.GetLayerByName(layer_name):
        row = feature.items()
        row["wkt"] = feature.GetGeometryRef().ExportToIsoWkt()
        row["area"] = feature.GetGeometryRef().GetArea()
        rows.append(row)
    return rows


def draw_polygon(part, corners, type_code: str = "warehouse"):
    tool = part.activate("polygon")
    part.type_combo.setCurrentIndex(part.type_combo.findData(type_code))
    for x, y in corners:
        click(tool, x, y)
    click(tool, *corners[-1], button=Qt.MouseButton.RightButton)


def test_rotated_rectangle_from_three_clicks_is_saved_with_its_corners_and_area(part, assessment):
    tool = part.activate("rectangle")
    key(tool, Qt.Key.Key_2)  # second structure type: fortified storehouse
    canvas = tool.canvas()
    wanted = [(500100, 3000100), (500130, 3000140), (500100 - 12, 3000100 + 9)]  # 50 m wall, 15 m wide
    clicked = []
    for x, y in wanted:
        click(tool, x, y)
        at = canvas.getCoordinateTransform().toMapCoordinates(pixel(canvas, x, y))
        clicked.append((at.x(), at.y()))
    rows = stored(assessment, "structures")
    assert len(rows) == 1
    row = rows[0]
    assert row["structure_id"] == "S-0001"
    assert row["type"] == "fortified_storehouse"
    assert row["created_by"] and row["created_at"]
    (ax, ay), (bx, by), (cx, cy) = clicked  # where the clicks landed (whole pixels)
    wall = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    nx, ny = -(by - ay) / wall, (bx - ax) / wall
    width = (cx - ax) * nx + (cy - ay) * ny
    expected = {(ax, ay), (bx, by), (bx + nx * width, by + ny * width), (ax + nx * width, ay + ny * width)}
    assert row["area"] == pytest.approx(wall * abs(width), rel=1e-9)
    assert row["area"] == pytest.approx(50 * 15, rel=0.05)
    saved = QgsGeometry.fromWkt(row["wkt"])
    corners = {(round(v.x(), 6), round(v.y(), 6)) for v in saved.vertices()}
    assert corners == {(round(x, 6), round(y, 6)) for x, y in expected}


def test_polygon_gets_the_compound_it_mostly_lies_in(part, assessment):
    draw_polygon(part, [(500010, 3000010), (500200, 3000010), (500200, 3000200), (500010, 3000200)], COMPOUND)
    assert [r["compound_id"] for r in stored(assessment, "compounds")] == ["C-0001"]
    draw_polygon(
        part,
        [(500180, 3000050), (500220, 3000050), (500220, 3000080), (500180, 3000080)],
    )
    draw_polygon(
        part,
        [(500300, 3000050), (500320, 3000050), (500320, 3000080)],
    )
    rows = {r["structure_id"]: r for r in stored(assessment, "structures")}
    assert rows["S-0001"]["compound_id"] == "C-0001"  # half inside and half outside: still C-0001
    assert rows["S-0001"]["type"] == "warehouse"
    assert rows["S-0002"]["compound_id"] is None
    assert "S-0002 lies outside every compound" in messages(part.context.iface, Qgis.MessageLevel.Warning)


def test_compound_follows_moves_of_structures_and_of_compounds(part, assessment, qgis_iface):
    compound_type = COMPOUND
    draw_polygon(part, [(500000, 3000000), (500100, 3000000), (500100, 3000100), (500000, 3000100)], compound_type)
    draw_polygon(part, [(500200, 3000000), (500300, 3000000), (500300, 3000100), (500200, 3000100)], compound_type)
    draw_polygon(part, [(500040, 3000040), (500060, 3000040), (500060, 3000060), (500040, 3000060)])
    assert stored(assessment, "structures")[0]["compound_id"] == "C-0001"

    move = part.activate("move")
    position_from, position_to = (500050, 3000050), (500250, 3000050)
    canvas = move.canvas()
    move.canvasPressEvent(
        QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, pixel(canvas, *position_from), Qt.MouseButton.LeftButton)
    )
    move.canvasReleaseEvent(
        QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, pixel(canvas, *position_to), Qt.MouseButton.LeftButton)
    )
    row = stored(assessment, "structures")[0]
    assert row["compound_id"] == "C-0002"
    assert ogr.CreateGeometryFromWkt(row["wkt"]).Centroid().GetX() == pytest.approx(500250)

    key(move, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the move
    assert stored(assessment, "structures")[0]["compound_id"] == "C-0001"

    part.controller.delete("C-0001", "compounds")  # compound removed: the structure belongs to none
    assert stored(assessment, "structures")[0]["compound_id"] is None
    part.controller.undo()
    assert stored(assessment, "structures")[0]["compound_id"] == "C-0001"


def test_undo_and_redo_of_drawing_and_deleting_restore_exactly(part, assessment):
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)], "tunnel_entrance")
    original = stored(assessment, "structures")
    tool = part.tools["polygon"]
    key(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(assessment, "structures") == []
    key(tool, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [{k: v for k, v in r.items() if k != "fid"} for r in stored(assessment, "structures")] == [
        {k: v for k, v in r.items() if k != "fid"} for r in original
    ]

    assert part.controller.delete("S-0001")
    assert stored(assessment, "structures") == []
    part.controller.undo()
    restored = stored(assessment, "structures")
    assert [r["wkt"] for r in restored] == [r["wkt"] for r in original]
    assert restored[0]["created_at"] == original[0]["created_at"]


def test_deleting_asks_first_and_keeps_states_in_history(part, assessment):
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    part.context.session.set_pair(ImageRecord("IMG-0001", "2019-09-01"), ImageRecord("IMG-0002", "2020-01-08"))
    part.controller.select("S-0001")
    part.controller.record_status("severe")
    part.controller.confirm = lambda _question: False
    assert not part.controller.delete()
    assert len(stored(assessment, "structures")) == 1
    part.controller.confirm = lambda _question: True
    key(part.activate("review"), Qt.Key.Key_Delete)
    assert stored(assessment, "structures") == []
    assert assessment.observations() == []
    archived = assessment.history("S-0001")
    assert [(o.status, reason) for o, _, reason in archived] == [("severe", "structure deleted")]


def test_line_and_point_tools_write_their_layers(part, assessment):
    part.context.session.set_pair(ImageRecord("IMG-0001", "2019-09-01"), ImageRecord("IMG-0002", "2020-01-08"))
    line = part.activate("line")
    assert part.type_combo.itemData(0) == "road"
    key(line, Qt.Key.Key_3)
    for x, y in ((500010, 3000010), (500100, 3000020), (500150, 3000090)):
        click(line, x, y)
    key(line, Qt.Key.Key_Return)
    point = part.activate("point")
    click(point, 500200, 3000200)
    lines, points = stored(assessment, "linear_features"), stored(assessment, "point_features")
    assert [(r["feature_id"], r["type"], r["first_seen"]) for r in lines] == [("L-0001", "rail", "2020/01/08")]
    assert [(r["feature_id"], r["type"], r["observed_on"], r["image_id"]) for r in points] == [
        ("P-0001", "impact_crater", "2020/01/08", "IMG-0002")
    ]
    point_geometry = ogr.CreateGeometryFromWkt(points[0]["wkt"])
    assert (point_geometry.GetX(), point_geometry.GetY()) == pytest.approx((500200, 3000200), abs=0.25)


def test_snapping_is_honoured(part, assessment):
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    canvas = part.canvas
    config = QgsSnappingConfig(QgsProject.instance())
    config.setEnabled(True)
    config.setMode(Qgis.SnappingMode.AllLayers)
    config.setTypeFlag(Qgis.SnappingType.Vertex)
    config.setTolerance(6)
    config.setUnits(QgsTolerance.UnitType.ProjectUnits)
    canvas.snappingUtils().setConfig(config)
    canvas.snappingUtils().snapToMap(QgsPointXY(500043, 3000033))  # QGIS indexes while the mouse hovers
    draw_polygon(part, [(500043, 3000033), (500090, 3000030), (500090, 3000060)])
    second = [r for r in stored(assessment, "structures") if r["structure_id"] == "S-0002"][0]
    assert "500040 3000030" in second["wkt"]


def test_self_intersecting_polygon_is_refused_and_nothing_written(part, assessment, qgis_iface):
    draw_polygon(part, [(500010, 3000010), (500100, 3000100), (500100, 3000010), (500010, 3000100)])
    assert stored(assessment, "structures") == []
    assert "not a valid polygon" in messages(qgis_iface, Qgis.MessageLevel.Critical)


def test_drawing_with_no_assessment_open_says_so(part, assessment, qgis_iface):
    part.context.session.close()
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    assert "No assessment is open" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert stored(assessment, "structures") == []


def test_locked_geopackage_writes_nothing(part, assessment, qgis_iface):
    locker = sqlite3.connect(assessment.path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another program in the middle of writing
    try:
        draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "locked by another program" in messages(qgis_iface, Qgis.MessageLevel.Critical)
    assert stored(assessment, "structures") == []


def test_read_only_geopackage_writes_nothing(part, assessment, qgis_iface):
    mode = os.stat(assessment.path).st_mode
    os.chmod(assessment.path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        if os.access(assessment.path, os.W_OK):
            pytest.skip("running as a user who can write read-only files (root)")
        draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
        assert "read-only" in messages(qgis_iface, Qgis.MessageLevel.Critical)
    finally:
        os.chmod(assessment.path, mode)
    assert stored(assessment, "structures") == []


def test_structure_drawn_on_the_before_image_is_intact_at_its_date(part, assessment):
    part.context.session.set_pair(ImageRecord("IMG-0001", "2019-09-01"), None)
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    [observation] = assessment.observations()
    assert (observation.structure_id, observation.observed_on, observation.status, observation.image_id) == (
        "S-0001",
        "2019-09-01",
        "intact",
        "IMG-0001",
    )
    part.controller.undo()  # one undo takes away the structure and its first state
    assert stored(assessment, "structures") == [] and assessment.observations() == []
    part.intact_action.setChecked(False)
    draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    assert assessment.observations() == []


def test_compound_follows_edits_made_with_qgis_own_tools(part, assessment):
    draw_polygon(part, [(500000, 3000000), (500100, 3000000), (500100, 3000100), (500000, 3000100)], COMPOUND)
    draw_polygon(part, [(500040, 3000040), (500060, 3000040), (500060, 3000060)])
    draw_polygon(part, [(500240, 3000040), (500260, 3000040), (500260, 3000060)])
    structures = part.context.session.layer("structures")
    [moved] = [f for f in structures.getFeatures() if f["structure_id"] == "S-0001"]
    structures.startEditing()
    structures.changeGeometry(
        moved.id(), QgsGeometry.fromWkt("POLYGON((500300 3000300,500310 3000300,500310 3000310,500300 3000300))")
    )
    assert structures.commitChanges()
    assert {r["structure_id"]: r["compound_id"] for r in stored(assessment, "structures")} == {
        "S-0001": None,
        "S-0002": None,
    }
    compounds = part.context.session.layer("compounds")
    compounds.startEditing()
    [compound] = compounds.getFeatures()
    compounds.changeGeometry(
        compound.id(),
        QgsGeometry.fromWkt("POLYGON((500200 3000000,500400 3000000,500400 3000400,500200 3000400,500200 3000000))"),
    )
    assert compounds.commitChanges()
    assert {r["structure_id"]: r["compound_id"] for r in stored(assessment, "structures")} == {
        "S-0001": "C-0001",
        "S-0002": "C-0001",
    }


def test_intact_at_before_date_only_while_the_before_image_is_shown(part, assessment, tmp_path):
    session = part.context.session
    before, after = ImageRecord("IMG-0001", "2019-09-01"), ImageRecord("IMG-0002", "2020-01-08")
    layers = {}
    for record, colour in ((after, (40, 40, 200)), (before, (200, 40, 40))):
        layer = QgsRasterLayer(str(write_raster(tmp_path / f"{record.image_id}.tif", colour)), record.image_id)
        layer.setCustomProperty(IMAGE_ID_PROPERTY, record.image_id)
        QgsProject.instance().addMapLayer(layer, False)
        QgsProject.instance().layerTreeRoot().insertLayer(0, layer)  # the before image ends up on top
        layers[record.image_id] = layer
    session.set_pair(before, after)
    square = [(500010, 3000010), (500040, 3000010), (500040, 3000030)]
    draw_polygon(part, square)  # both visible, before on top
    root = QgsProject.instance().layerTreeRoot()
    root.findLayer(layers["IMG-0001"].id()).setItemVisibilityChecked(False)
    draw_polygon(part, square)  # only the after image visible
    root.findLayer(layers["IMG-0001"].id()).setItemVisibilityChecked(True)
    comparison = ComparisonItem(part.canvas)
    try:
        comparison.set_mode(CompareMode.AFTER)
        draw_polygon(part, square)  # the comparison shows the after image
        comparison.set_mode(CompareMode.BEFORE)
        draw_polygon(part, square)  # ... and now the before image
    finally:
        comparison.unload()
    assert [(o.structure_id, o.observed_on, o.status) for o in assessment.observations()] == [
        ("S-0001", "2019-09-01", "intact"),
        ("S-0004", "2019-09-01", "intact"),
    ]


def test_structure_drawn_while_swiping_is_offered_its_state_at_the_after_date(part, assessment, qgis_iface):
    session = part.context.session
    session.set_pair(ImageRecord("IMG-0001", "2019-09-01"), ImageRecord("IMG-0002", "2020-01-08"))
    comparison = ComparisonItem(part.canvas)
    try:
        comparison.set_mode(CompareMode.SWIPE)
        draw_polygon(part, [(500010, 3000010), (500040, 3000010), (500040, 3000030)])
    finally:
        comparison.unload()
    assert assessment.observations() == []  # both dates visible: no state is guessed
    info = messages(qgis_iface, Qgis.MessageLevel.Info)
    assert "S-0001 has no state yet and counts as not assessed" in info and "after date 2020-01-08" in info
    assert part.controller.current == "S-0001"  # selected, so the review keys act on it
    assert part.controller.record_status("destroyed")
    [observation] = assessment.observations()
    assert (observation.structure_id, observation.observed_on, observation.status) == (
        "S-0001",
        "2020-01-08",
        "destroyed",
    )
    qgis_iface.messageBar().clear_messages()
    session.set_pair(ImageRecord("IMG-0001", "2019-09-01"), None)
    draw_polygon(part, [(500110, 3000010), (500140, 3000010), (500140, 3000030)])  # before image: intact
    assert "counts as not assessed" not in messages(qgis_iface, Qgis.MessageLevel.Info)
