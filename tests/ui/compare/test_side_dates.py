"""Each side of the comparison draws the structures' states at its own image's date: the swipe's
before side (and the before mode, flicker's before image and the side-by-side before map) at the
before image's date, the after side at the after image's. Read from the rendered maps."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QImage
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.rendered import shown, status_drawn
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, key_of
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart


def settle(plugin) -> None:
    comparison = part_of(plugin, ImageryPart).comparison
    QTest.qWait(20)
    comparison.canvas.waitWhileRendering()
    comparison.item.render(blocking=True)
    QApplication.processEvents()


def divider_at(plugin, fraction: float) -> QImage:
    comparison = part_of(plugin, ImageryPart).comparison
    comparison.set_divider(fraction)
    settle(plugin)
    return shown(comparison.canvas)


def test_swipe_sides_show_states_at_their_own_dates(dated_swipe):
    comparison = part_of(dated_swipe, ImageryPart).comparison
    canvas = comparison.canvas
    settle(dated_swipe)
    assert comparison.item.labels[0].startswith(BEFORE.acquired)
    assert comparison.item.labels[1].startswith(AFTER.acquired)
    # The structures' left walls are left of 1 % of the map: the divider at 99 % puts them on
    # the before side, at 1 % on the after side.
    before_side = divider_at(dated_swipe, 0.99)
    assert status_drawn(canvas, before_side, "S-0002") == "construction"
    assert status_drawn(canvas, before_side, "S-0001") == "intact"
    after_side = divider_at(dated_swipe, 0.01)
    assert status_drawn(canvas, after_side, "S-0002") == "destroyed"
    assert status_drawn(canvas, after_side, "S-0001") == "intact"  # carried forward to the after date


def test_a_key_recolours_the_after_side_only(dated_swipe):
    comparison = part_of(dated_swipe, ImageryPart).comparison
    canvas = comparison.canvas
    annotation = part_of(dated_swipe, AnnotationPart)
    annotation.activate("review")
    annotation.controller.select("S-0001")
    QTest.keyClick(canvas, key_of("severe"))
    assert annotation.controller.book.status_at("S-0001", AFTER.acquired) == "severe"
    annotation.controller.select(None)  # its highlight off the wall read below
    assert status_drawn(canvas, divider_at(dated_swipe, 0.01), "S-0001") == "severe"
    assert status_drawn(canvas, divider_at(dated_swipe, 0.99), "S-0001") == "intact"


def test_before_after_and_flicker_modes_show_their_image_dates(dated_swipe):
    comparison = part_of(dated_swipe, ImageryPart).comparison
    canvas = comparison.canvas
    comparison.set_mode(CompareMode.BEFORE)
    settle(dated_swipe)
    assert status_drawn(canvas, shown(canvas), "S-0002") == "construction"
    comparison.set_mode(CompareMode.AFTER)
    assert status_drawn(canvas, shown(canvas), "S-0002") == "destroyed"
    comparison.set_blink_interval(0)
    comparison.set_mode(CompareMode.FLICKER)
    flickered = set()
    for _ in range(2):
        comparison.toggle_flicker()
        flickered.add(status_drawn(canvas, shown(canvas), "S-0002"))
    assert flickered == {"construction", "destroyed"}


def test_side_by_side_before_map_shows_the_before_date(dated_swipe):
    part = part_of(dated_swipe, ImageryPart)
    part.panel.side_by_side_box.setChecked(True)
    QApplication.processEvents()
    dock = part.comparison.side_by_side
    assert dock is not None and dock.caption.text().startswith(f"Before: {BEFORE.acquired}")
    before_map = dock.canvas
    settle(dated_swipe)
    assert status_drawn(before_map, shown(before_map), "S-0002") == "construction"
    assert status_drawn(part.canvas, shown(part.canvas), "S-0002") == "destroyed"  # the main map: after
    # A state recorded while side by side: the main map follows, the before map keeps its date.
    annotation = part_of(dated_swipe, AnnotationPart)
    annotation.activate("review")
    annotation.controller.select("S-0002")
    QTest.keyClick(part.canvas, Qt.Key.Key_3)
    annotation.controller.select(None)
    settle(dated_swipe)
    assert status_drawn(part.canvas, shown(part.canvas), "S-0002") == "moderate"
    assert status_drawn(before_map, shown(before_map), "S-0002") == "construction"
    part.panel.side_by_side_box.setChecked(False)
