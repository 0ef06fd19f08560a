"""The comparison on a real map canvas: swipe, flicker, opacity, side by side and the keys."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QImage, QKeyEvent
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication

from sitewatch.core.imagery.layers import IMAGE_ID_PROPERTY, apply_rgb_stretch
from sitewatch.tests.helpers.imagery_rasters import SITE, write_raster
from sitewatch.ui.compare.canvas_overlay import CompareMode, layers_showing
from sitewatch.ui.compare.comparison import Comparison
from sitewatch.ui.compare.tool import CompareMapTool

RED, BLUE = (200, 40, 40), (40, 40, 200)


@pytest.fixture
def pair(tmp_path, qgis_new_project):
    layers = []
    for name, colour in (("before", RED), ("after", BLUE)):
        layer = QgsRasterLayer(str(write_raster(tmp_path / f"{name}.tif", colour)), name)
        layer.setCustomProperty(IMAGE_ID_PROPERTY, name)
        apply_rgb_stretch(layer)
        layers.append(layer)
    QgsProject.instance().addMapLayers(layers)
    return layers


@pytest.fixture
def canvas(pair):
    canvas = QgsMapCanvas()
    canvas.resize(400, 300)
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32637"))
    canvas.setLayers(list(reversed(pair)))
    canvas.setExtent(QgsRectangle(*SITE))
    canvas.show()
    yield canvas
    canvas.hide()
    canvas.deleteLater()


@pytest.fixture
def comparison(canvas, pair):
    comparison = Comparison(canvas)
    comparison.set_pair(pair[0], pair[1], ("2019-09-01 · Maxar", "2020-01-08 · Airbus"))
    yield comparison
    comparison.unload()


def settle(canvas: QgsMapCanvas, comparison: Comparison) -> None:
    QTest.qWait(30)
    canvas.waitWhileRendering()
    comparison.item.render(blocking=True)


def pixels(canvas: QgsMapCanvas) -> np.ndarray:
    """The canvas as shown (map and canvas items) as an RGB array."""
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    data = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), dtype=np.uint8)
    return (
        data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
        .reshape(image.height(), image.width(), 3)
        .astype(float)
    )


def colour_of(region: np.ndarray) -> str:
    red, _, blue = region.reshape(-1, 3).mean(axis=0)
    return "red" if red > blue + 60 else "blue" if blue > red + 60 else "mixed"


def test_swipe_at_30_percent_shows_before_left_and_after_right(canvas, comparison):
    comparison.start(CompareMode.SWIPE)
    comparison.set_divider(0.3)
    settle(canvas, comparison)
    shot = pixels(canvas)
    height, width, _ = shot.shape
    x = round(0.3 * width)
    lower = slice(height // 2 + 30, height - 40)  # between the divider handle and the labels
    assert colour_of(shot[lower, 4 : x - 3]) == "red"
    assert colour_of(shot[lower, x + 3 : width - 4]) == "blue"
    assert colour_of(shot[lower, x - 12 : x - 3]) == "red" and colour_of(shot[lower, x + 3 : x + 12]) == "blue"


def test_horizontal_swipe_puts_before_above(canvas, comparison):
    comparison.start(CompareMode.SWIPE)
    comparison.set_vertical(False)
    comparison.set_divider(0.6)
    settle(canvas, comparison)
    shot = pixels(canvas)
    height, width, _ = shot.shape
    y = round(0.6 * height)
    assert colour_of(shot[4 : y - 3, width // 2 + 30 : width - 4]) == "red"
    assert colour_of(shot[y + 3 : height - 40, width // 2 + 30 : width - 4]) == "blue"


def test_dragging_does_not_re_render(canvas, comparison):
    comparison.start(CompareMode.SWIPE)
    settle(canvas, comparison)
    rendered = [id(image) for image in comparison.item._images]  # noqa: SLF001 - the renders' identity
    for fraction in (0.1, 0.5, 0.9):
        comparison.set_divider(fraction)
        QApplication.processEvents()
    assert comparison.item.is_ready()
    assert [id(image) for image in comparison.item._images] == rendered  # noqa: SLF001


def test_flicker_and_before_after_modes_render_what_they_claim(canvas, comparison):
    comparison.start(CompareMode.FLICKER)
    settle(canvas, comparison)
    body = (slice(4, -40), slice(4, -4))
    assert colour_of(pixels(canvas)[body]) == "blue"
    comparison.toggle_flicker()
    assert colour_of(pixels(canvas)[body]) == "red"
    comparison.set_mode(CompareMode.BEFORE)
    assert colour_of(pixels(canvas)[body]) == "red"
    comparison.set_mode(CompareMode.AFTER)
    assert colour_of(pixels(canvas)[body]) == "blue"


def test_flicker_blinks_at_the_chosen_rate(canvas, comparison):
    comparison.start(CompareMode.FLICKER)
    settle(canvas, comparison)
    comparison.set_blink_interval(40)
    seen = set()
    for _ in range(12):
        QTest.qWait(15)
        seen.add(colour_of(pixels(canvas)[4:-40, 4:-4]))
    comparison.set_blink_interval(0)
    assert seen == {"red", "blue"}


def test_after_opacity_blends_after_over_before(canvas, comparison):
    comparison.start(CompareMode.BEFORE)
    settle(canvas, comparison)
    body = (slice(4, -40), slice(4, -4))
    before = pixels(canvas)[body].reshape(-1, 3).mean(axis=0)
    comparison.set_mode(CompareMode.AFTER)
    after = pixels(canvas)[body].reshape(-1, 3).mean(axis=0)
    comparison.set_after_opacity(0.5)
    blended = pixels(canvas)[body].reshape(-1, 3).mean(axis=0)
    assert blended == pytest.approx((before + after) / 2, abs=4)
    comparison.set_after_opacity(0.0)
    assert pixels(canvas)[body].reshape(-1, 3).mean(axis=0) == pytest.approx(before, abs=1)


def test_label_names_date_and_source_of_each_side(canvas, comparison):
    comparison.start(CompareMode.SWIPE)
    assert comparison.item.labels == ("2019-09-01 · Maxar", "2020-01-08 · Airbus")
    settle(canvas, comparison)
    shot = pixels(canvas)
    assert shot[-20:-12, 10:60].mean() < 120  # the dark "Before: …" box over the red image
    assert shot[-20:-12, 210:260].mean() < 120  # the "After: …" box starts at the divider
    assert colour_of(shot[-60:-40, 10:60]) == "red"  # and nothing above them


def test_side_by_side_follows_pan_zoom_and_rotation_both_ways(canvas, comparison):
    comparison.start()
    comparison.show_side_by_side(True)
    other = comparison.side_by_side.canvas
    other.resize(300, 200)
    assert comparison.mode == CompareMode.AFTER  # the main map shows after, the dock before
    assert [layer.name() for layer in other.layers()] == ["before"]

    canvas.setCenter(QgsPointXY(500_150, 3_700_100))
    canvas.zoomScale(2500)
    canvas.setRotation(15)
    assert other.center().distance(canvas.center()) < 0.01
    assert other.scale() == pytest.approx(canvas.scale(), rel=1e-6)
    assert other.rotation() == pytest.approx(15)

    other.setCenter(QgsPointXY(500_300, 3_700_200))
    other.zoomScale(1200)
    other.setRotation(-30)
    assert canvas.center().distance(other.center()) < 0.01
    assert canvas.scale() == pytest.approx(1200, rel=1e-6)
    assert canvas.rotation() == pytest.approx(-30)

    other.resize(300, 120)  # a resized canvas keeps its extent, so its scale changes: not passed on
    QApplication.processEvents()
    assert canvas.scale() == pytest.approx(1200, rel=1e-6)
    assert other.scale() == pytest.approx(1200, rel=1e-6)
    canvas.resize(500, 300)
    QApplication.processEvents()
    assert canvas.scale() == pytest.approx(1200, rel=1e-6) and other.scale() == pytest.approx(1200, rel=1e-6)

    comparison.show_side_by_side(False)
    assert comparison.side_by_side is None
    canvas.zoomScale(3000)  # no longer followed and nothing breaks
    assert canvas.scale() == pytest.approx(3000, rel=1e-6)


def key(canvas: QgsMapCanvas, which: Qt.Key, text: str) -> None:
    QApplication.sendEvent(canvas, QKeyEvent(QEvent.Type.KeyPress, which, Qt.KeyboardModifier.NoModifier, text))


def test_compare_tool_keys_switch_modes(canvas, comparison):
    tool = CompareMapTool(canvas, comparison)
    canvas.setMapTool(tool)
    assert comparison.active
    assert "B before" in tool.tooltip() and "[ previous" in tool.tooltip()
    steps: list[int] = []
    comparison.step_requested.connect(steps.append)
    for which, text, mode in (
        (Qt.Key.Key_B, "b", CompareMode.BEFORE),
        (Qt.Key.Key_A, "a", CompareMode.AFTER),
        (Qt.Key.Key_F, "f", CompareMode.FLICKER),
        (Qt.Key.Key_S, "s", CompareMode.SWIPE),
    ):
        key(canvas, which, text)
        assert comparison.mode == mode
        assert comparison.item.mode == mode
    key(canvas, Qt.Key.Key_F, "f")
    key(canvas, Qt.Key.Key_F, "f")
    assert comparison.item.mode == CompareMode.FLICKER and comparison.item.flicker_shows_after is False
    key(canvas, Qt.Key.Key_BracketLeft, "[")
    key(canvas, Qt.Key.Key_BracketRight, "]")
    assert steps == [-1, 1]
    key(canvas, Qt.Key.Key_V, "v")
    assert comparison.item.vertical is False
    canvas.unsetMapTool(tool)


def test_dragging_with_the_tool_moves_the_divider(canvas, comparison):
    tool = CompareMapTool(canvas, comparison)
    canvas.setMapTool(tool)
    width = canvas.viewport().width()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for kind, x in (
        (QEvent.Type.MouseButtonPress, 200),
        (QEvent.Type.MouseMove, 120),
        (QEvent.Type.MouseButtonRelease, 100),
    ):
        event = QgsMapMouseEvent(canvas, kind, QPoint(x, 150), left, left, none)
        {
            QEvent.Type.MouseButtonPress: tool.canvasPressEvent,
            QEvent.Type.MouseMove: tool.canvasMoveEvent,
            QEvent.Type.MouseButtonRelease: tool.canvasReleaseEvent,
        }[kind](event)
        assert comparison.item.divider == pytest.approx(x / width)
    canvas.unsetMapTool(tool)


def test_each_side_keeps_the_other_layers_in_their_order(pair, tmp_path):
    structures = QgsVectorLayer("Polygon?crs=EPSG:32637", "structures", "memory")
    basemap = QgsRasterLayer(str(write_raster(tmp_path / "basemap.tif")), "basemap")
    before, after = pair
    assert layers_showing([structures, after, before, basemap], before) == [structures, before, basemap]
    assert layers_showing([structures, basemap], after) == [structures, after, basemap]
    assert layers_showing([structures], after) == [structures, after]
