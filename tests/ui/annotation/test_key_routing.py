"""Keys the annotation tools handle stay with them (never panning the map nor deleting in QGIS);
the others reach the compare tool."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import QEvent, Qt
from qgis.PyQt.QtGui import QKeyEvent
from qgis.PyQt.QtWidgets import QApplication

from sitewatch.tests.helpers.review_site import SQUARES, at_after, click, key_of, press, type_key
from sitewatch.ui.compare.canvas_overlay import CompareMode


def test_arrow_keys_step_the_queue_without_panning_the_map(part):
    canvas = part.canvas
    canvas.setMapTool(part.tools["review"])
    type_key(canvas, Qt.Key.Key_Right)
    type_key(canvas, Qt.Key.Key_Right)
    assert part.controller.current == "S-0002"
    x, y = SQUARES["S-0002"]
    centre = canvas.extent().center()
    assert (centre.x(), centre.y()) == (pytest.approx(x + 10, abs=1e-6), pytest.approx(y + 10, abs=1e-6))
    type_key(canvas, Qt.Key.Key_Up)
    centre = canvas.extent().center()
    assert part.controller.current == "S-0001"
    assert (centre.x(), centre.y()) == (pytest.approx(500030, abs=1e-6), pytest.approx(3000030, abs=1e-6))


def test_delete_answered_no_does_not_reach_qgis(part, assessment, answers):
    canvas = part.canvas
    canvas.setMapTool(part.tools["review"])
    reached_qgis = []  # QGIS deletes the active layer's selection on keys the map tool passed on
    canvas.keyPressed.connect(lambda event: reached_qgis.append(event.key()))
    part.controller.select("S-0004")
    answers.confirm = False
    type_key(canvas, Qt.Key.Key_Delete)
    assert answers.asked == ["Delete S-0004? Its recorded states are kept in observation_history."]
    assert reached_qgis == []
    assert "S-0004" in part.controller.fids


def test_backspace_while_drawing_does_not_reach_qgis(part):
    canvas = part.canvas
    tool = part.activate("polygon")
    reached_qgis = []
    canvas.keyPressed.connect(lambda event: reached_qgis.append(event.key()))
    click(tool, 500200, 3000020)
    click(tool, 500220, 3000020)
    type_key(canvas, Qt.Key.Key_Backspace)  # removes the last corner, and nothing else
    assert len(tool.points) == 1
    assert reached_qgis == []


def test_arrow_keys_in_the_queue_list_step_through_the_queue(part):

    QApplication.sendEvent(
        part.dock.list, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier)
    )
    QApplication.sendEvent(
        part.dock.list, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier)
    )
    assert part.controller.current == "S-0002"
    assert part.dock.list.currentIndex().data(Qt.ItemDataRole.UserRole) == "S-0002"
    assert part.focus.highlight is not None


def test_comparison_keys_reach_the_compare_tool_while_reviewing(part, assessment):
    from sitewatch.ui.compare.comparison import Comparison
    from sitewatch.ui.compare.tool import CompareMapTool

    comparison = Comparison(part.canvas)
    compare_tool = CompareMapTool(part.canvas, comparison)
    part.forward_other_keys(compare_tool.keyPressEvent)
    try:
        tool = part.activate("review")
        part.controller.select("S-0001")
        press(tool, Qt.Key.Key_B)
        assert comparison.mode == CompareMode.BEFORE
        press(tool, key_of("severe"))  # SiteWatch's own keys still record states
        assert at_after(assessment)["S-0001"][0] == "severe"
        press(part.tools["polygon"], Qt.Key.Key_A)
        assert comparison.mode == CompareMode.AFTER
    finally:
        comparison.stop()
