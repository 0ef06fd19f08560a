"""SiteWatch's keys are never lost: typed in a SiteWatch panel they act as on the map, a key that
cannot apply says why, panel buttons give the focus back to the map, and the click that gives
the map its focus never edits."""

from __future__ import annotations

from qgis.core import Qgis, QgsRectangle
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtGui import QAction, QKeySequence
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QAbstractButton, QApplication, QDockWidget

from sitewatch.core.imagery.registry import register_image
from sitewatch.tests.helpers.imagery_rasters import write_raster
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, SQUARES, add_five_structures, at_after, messages, square
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart


def _site(load_plugin, assessment, qgis_iface):
    add_five_structures(assessment, {"compound_id": "C-0001", "name": "Yard", "geometry": square(500000, 3000000, 100)})
    plugin = load_plugin()
    canvas = qgis_iface.mapCanvas()
    session = plugin.context.session
    canvas.setDestinationCrs(assessment.crs())
    canvas.setLayers([session.layer("structures")])
    canvas.setExtent(QgsRectangle(500000, 3000000, 500400, 3000100))
    session.set_pair(BEFORE, AFTER)
    qgis_iface.messageBar().clear_messages()
    return plugin, canvas


def _panel_button(window, name: str = "SiteWatchImageryPanel", text: str = "Add…") -> QAbstractButton:
    dock = next(d for d in window.findChildren(QDockWidget) if d.objectName() == name)
    dock.show()
    QApplication.processEvents()
    return next(b for b in dock.findChildren(QAbstractButton) if b.text() == text)


def _focus(widget) -> None:
    widget.window().activateWindow()
    QApplication.setActiveWindow(widget.window())
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    QApplication.processEvents()


def test_review_keys_typed_in_a_panel_record_states_before_any_shortcut(load_plugin, assessment, qgis_iface, window):
    plugin, canvas = _site(load_plugin, assessment, qgis_iface)
    annotation = part_of(plugin, AnnotationPart)
    annotation.activate("review")
    annotation.controller.select("S-0003")
    fired = []
    shortcut = QAction("someone else's 2", window)
    shortcut.setShortcut(QKeySequence("2"))
    shortcut.triggered.connect(lambda: fired.append(True))
    window.addAction(shortcut)
    button = _panel_button(window)
    _focus(button)
    assert QApplication.focusWidget() is button
    QTest.keyClick(button, Qt.Key.Key_2)
    QTest.keyClick(button, Qt.Key.Key_L)  # low confidence rewrites the state
    assert at_after(assessment)["S-0003"][:2] == ("possible", "low")
    assert fired == [], "the panel's SiteWatch key won over an application shortcut"
    QTest.keyClick(button, Qt.Key.Key_N)
    assert annotation.controller.current == "S-0004"
    window.removeAction(shortcut)


def test_a_key_that_cannot_apply_says_why(load_plugin, assessment, qgis_iface, window):
    plugin, canvas = _site(load_plugin, assessment, qgis_iface)
    canvas.unsetMapTool(canvas.mapTool())
    button = _panel_button(window)
    _focus(button)
    QTest.keyClick(button, Qt.Key.Key_5)
    assert "5: SiteWatch's review keys act while the Review states tool is chosen" in messages(
        qgis_iface, Qgis.MessageLevel.Warning
    )
    qgis_iface.messageBar().clear_messages()
    # The compare keys work from a panel whatever the tool; without a pair they say why.
    comparison = part_of(plugin, ImageryPart).tool.comparison
    comparison.layers = (None, None)
    QTest.keyClick(button, Qt.Key.Key_F)
    assert "F: nothing to compare yet" in messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert not comparison.active


def test_panel_button_gives_the_focus_back_and_a_focus_click_never_edits(load_plugin, assessment, qgis_iface, window):
    plugin, canvas = _site(load_plugin, assessment, qgis_iface)
    annotation = part_of(plugin, AnnotationPart)
    annotation.activate("review")
    refresh = _panel_button(window, "SiteWatchDamageDock", "Refresh")
    table = next(d for d in window.findChildren(QDockWidget) if d.objectName() == "SiteWatchDamageDock").grid
    _focus(table)
    assert table.hasFocus()
    QTest.mouseClick(refresh, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert canvas.hasFocus(), "a panel button hands the keyboard focus back to the map"
    button = _panel_button(window)

    _focus(button)
    x, y = SQUARES["S-0002"]
    point = canvas.getCoordinateTransform().transform(x + 10, y + 10)
    where = QPoint(round(point.x()), round(point.y()))
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert canvas.hasFocus()
    assert annotation.controller.current is None, "the click that gave the map its focus selected nothing"
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert annotation.controller.current == "S-0002"


def test_a_focus_click_does_not_move_the_swipe_divider(load_plugin, assessment, qgis_iface, window):
    plugin, canvas = _site(load_plugin, assessment, qgis_iface)
    imagery = part_of(plugin, ImageryPart)
    canvas.setMapTool(imagery.tool)
    comparison = imagery.tool.comparison
    comparison.set_mode(CompareMode.SWIPE)
    divider = comparison.item.divider
    button = _panel_button(window)
    _focus(button)
    where = QPoint(canvas.viewport().width() // 5, canvas.viewport().height() // 2)
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert comparison.item.divider == divider
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert comparison.item.divider != divider


def test_compare_buttons_keep_the_review_tool_and_the_map_says_why_a_key_does_nothing(
    load_plugin, assessment, qgis_iface, window, tmp_path
):
    """Clicking *Swipe* while reviewing kept the map's focus but put the compare tool on it, so
    the next status key silently did nothing (seen in real QGIS)."""
    for name in ("site_2019-09-01.tif", "site_2020-01-08.tif"):
        register_image(assessment, str(write_raster(tmp_path / name)))
    plugin, canvas = _site(load_plugin, assessment, qgis_iface)
    annotation = part_of(plugin, AnnotationPart)
    review = annotation.activate("review")
    annotation.controller.select("S-0003")
    QTest.mouseClick(_panel_button(window, text="Swipe"), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert part_of(plugin, ImageryPart).comparison.mode == CompareMode.SWIPE
    assert canvas.mapTool() is review, "the review tool stays"
    QTest.keyClick(canvas, Qt.Key.Key_2)
    assert at_after(assessment)["S-0003"][0] == "possible"
    # The compare tool chosen on purpose (to drag the divider): a review key says why it does nothing.
    canvas.setMapTool(part_of(plugin, ImageryPart).tool)
    qgis_iface.messageBar().clear_messages()
    QTest.keyClick(canvas, Qt.Key.Key_5)
    assert "5: SiteWatch's review keys act while the Review states tool is chosen" in messages(
        qgis_iface, Qgis.MessageLevel.Warning
    )
    assert at_after(assessment)["S-0003"][0] == "possible"
