"""SiteWatch's keys act when the focus is in the side-by-side before map: typed there they reach
the active SiteWatch tool (before any application shortcut on the same key), the compare keys
work, and a key that cannot apply says why."""

from __future__ import annotations

from qgis.core import Qgis
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QAction, QKeySequence
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, messages
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart


def before_map_of(plugin):
    """Side by side on (the compare tool becomes the map's tool): its before map."""
    part = part_of(plugin, ImageryPart)
    part.panel.side_by_side_box.setChecked(True)
    QApplication.processEvents()
    return part.comparison.side_by_side.canvas


def focus(before_map):
    """The keyboard focus into the before map, by a click as the analyst would give it."""
    before_map.window().activateWindow()
    QApplication.setActiveWindow(before_map.window())
    QTest.mouseClick(before_map.viewport(), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert QApplication.focusWidget() is before_map


def test_review_keys_typed_in_the_before_map_record_states(dated_swipe, window, assessment):
    before_map = before_map_of(dated_swipe)
    annotation = part_of(dated_swipe, AnnotationPart)
    annotation.activate("review")
    annotation.controller.select("S-0003")
    fired = []
    shortcut = QAction("someone else's 2", window)
    shortcut.setShortcut(QKeySequence("2"))
    shortcut.triggered.connect(lambda: fired.append(True))
    window.addAction(shortcut)
    focus(before_map)
    QTest.keyClick(before_map, Qt.Key.Key_2)
    QTest.keyClick(before_map, Qt.Key.Key_L)
    recorded = {
        o.structure_id: (o.status, o.confidence) for o in assessment.observations() if o.observed_on == AFTER.acquired
    }
    assert recorded["S-0003"] == ("possible", "low")
    assert fired == [], "the before map's SiteWatch key won over an application shortcut"
    QTest.keyClick(before_map, Qt.Key.Key_N)
    assert annotation.controller.current == "S-0004"
    window.removeAction(shortcut)


def test_compare_keys_and_refusals_from_the_before_map(dated_swipe, qgis_iface):
    part = part_of(dated_swipe, ImageryPart)
    before_map = before_map_of(dated_swipe)
    focus(before_map)
    assert part.comparison.mode == CompareMode.AFTER  # side by side: the main map shows after
    QTest.keyClick(before_map, Qt.Key.Key_V)
    assert part.comparison.vertical is False
    QTest.keyClick(before_map, Qt.Key.Key_F)
    assert part.comparison.mode == CompareMode.FLICKER
    qgis_iface.messageBar().clear_messages()
    part.canvas.unsetMapTool(part.canvas.mapTool())
    QTest.keyClick(before_map, Qt.Key.Key_5)
    assert "5: SiteWatch's review keys act while the Review states tool is chosen" in messages(
        qgis_iface, Qgis.MessageLevel.Warning
    )
