"""Desk check (issue 18 items 1–6) in real QGIS at the screen size given to run.sh: the sample
site compared in swipe mode with the Imagery panel, the Review queue and the Damage panel; then
side by side. Screenshots OUT_PREFIX_*.png; OUT_PREFIX.json lists the window against the screen,
each SiteWatch dock's size, every control not wholly visible in its dock, the queue's and the
Damage table's columns, the map widths side by side, and what the keys did after clicks on
panel buttons and rows."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import desk  # noqa: E402
from qgis.PyQt.QtCore import QPoint, Qt  # noqa: E402
from qgis.PyQt.QtTest import QTest  # noqa: E402
from qgis.PyQt.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QSlider,
    QTableView,
)

from sitewatch.core.imagery.registry import list_images  # noqa: E402
from sitewatch.ui.annotation.part import AnnotationPart  # noqa: E402
from sitewatch.ui.compare.canvas_overlay import CompareMode  # noqa: E402
from sitewatch.ui.damage.part import DamagePanel  # noqa: E402
from sitewatch.ui.imagery.part import ImageryPart  # noqa: E402

CONTROLS = (QAbstractButton, QComboBox, QSlider, QAbstractSpinBox, QLineEdit)
window = desk.iface.mainWindow()
canvas = desk.iface.mapCanvas()


def docks() -> dict[str, QDockWidget]:
    return {d.objectName(): d for d in window.findChildren(QDockWidget) if d.objectName().startswith("SiteWatch")}


def cut_controls(dock: QDockWidget) -> list[str]:
    """Controls of a shown dock not wholly visible (cut by the dock, its scroll area or the window)."""
    cut = []
    for control in dock.findChildren(CONTROLS):
        if not control.isVisible() or control.objectName().startswith("qt_"):
            continue
        seen = control.visibleRegion().boundingRect()
        if seen.width() < control.width() - 1 or seen.height() < control.height() - 1:
            text = control.text() if hasattr(control, "text") else ""
            shown = f"{seen.width()}x{seen.height()} of {control.width()}x{control.height()}"
            cut.append(f"{type(control).__name__} '{text}': {shown}")
    return cut


def columns(view: QTableView) -> list[str]:
    """Header texts of the columns wholly visible in ``view``'s viewport."""
    header = view.horizontalHeader()
    model = view.model()
    shown = []
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):
            continue
        left = header.sectionViewportPosition(column)
        if left >= 0 and left + header.sectionSize(column) <= view.viewport().width():
            shown.append(str(model.headerData(column, Qt.Orientation.Horizontal)).replace("\n", " "))
    return shown


def layout_figures(name: str) -> None:
    QApplication.processEvents()
    desk.wait(0.5)
    screen = QApplication.primaryScreen().geometry()
    figures = {
        "window": [window.width(), window.height()],
        "screen": [screen.width(), screen.height()],
        "window_minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "map": [canvas.width(), canvas.height()],
        "docks": {
            n: {"size": [d.width(), d.height()], "cut": cut_controls(d)}
            for n, d in docks().items()
            if d.isVisible() and not d.visibleRegion().isEmpty()
        },
    }
    for n, d in docks().items():
        for view in d.findChildren(QTableView):
            if view.isVisible() and view.model() is not None and not view.visibleRegion().isEmpty():
                figures["docks"].setdefault(n, {})[f"columns_{view.objectName() or type(view).__name__}"] = columns(
                    view
                )
    desk.FIGURES[name] = figures
    desk.shot(name)


store = desk.open_site()
imagery = desk.part(ImageryPart)
annotation = desk.part(AnnotationPart)
damage = desk.part(DamagePanel)
images = list_images(store)
imagery.set_mode(CompareMode.SWIPE)
for name in ("SiteWatchImageryPanel", "SiteWatchReviewQueue"):
    docks()[name].show()
damage.action.trigger()
desk.idle()
layout_figures("desk_damage")
docks()["SiteWatchReviewQueue"].raise_()
desk.idle()
layout_figures("desk_queue")
docks()["SiteWatchImageryPanel"].raise_()
desk.idle()
layout_figures("desk_imagery")

# Item 1: keys after clicking panel buttons and double-clicking a queue row.
keys = {}
annotation.activate("review")
annotation.controller.step(1)
swipe = next(b for b in docks()["SiteWatchImageryPanel"].findChildren(QAbstractButton) if b.text() == "Swipe")
QTest.mouseClick(swipe, Qt.MouseButton.LeftButton)
desk.wait(0.3)
keys["focus_after_swipe_button"] = type(QApplication.focusWidget()).__name__
keys["map_tool_after_swipe_button"] = type(canvas.mapTool()).__name__
current = annotation.controller.current
keys["state_before_5"] = annotation.controller.book.status_at(current, images[-1].acquired)
QTest.keyClick(QApplication.focusWidget() or swipe, Qt.Key.Key_5)
desk.wait(0.3)
keys["5_after_swipe_button"] = annotation.controller.book.status_at(current, images[-1].acquired)
docks()["SiteWatchReviewQueue"].raise_()
desk.wait(0.3)
table = next(v for v in docks()["SiteWatchReviewQueue"].findChildren(QAbstractItemView) if v.isVisible())
row = table.visualRect(table.model().index(3, 0)).center()
QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, row)
desk.wait(0.3)
keys["focus_after_row_double_click"] = type(QApplication.focusWidget()).__name__
current = annotation.controller.current
keys["state_before_3"] = annotation.controller.book.status_at(current, images[-1].acquired)
QTest.keyClick(QApplication.focusWidget() or table, Qt.Key.Key_3)
desk.wait(0.3)
keys["current_after_row_double_click"] = current
keys["3_after_row_double_click"] = annotation.controller.book.status_at(current, images[-1].acquired)
desk.FIGURES["keys"] = keys

# Item 6 and 2: N while swiping, then side by side.
annotation.controller.step(1)
desk.idle()
imagery.comparison.set_divider(0.5)
desk.idle()
layout_figures("desk_swipe_n")
imagery.panel.side_by_side_box.setChecked(True)
desk.idle()
desk.wait(1.0)
before_map = imagery.comparison.side_by_side.canvas
desk.FIGURES["side_by_side_maps"] = {"main": canvas.width(), "before": before_map.width()}
layout_figures("desk_side_by_side")
QTest.mouseClick(before_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
current = annotation.controller.current
keys["state_before_4"] = annotation.controller.book.status_at(current, images[-1].acquired)
QTest.keyClick(QApplication.focusWidget() or before_map, Qt.Key.Key_4)
desk.wait(0.3)
keys["focus_in_before_map"] = QApplication.focusWidget() is before_map
keys["4_in_before_map"] = annotation.controller.book.status_at(current, images[-1].acquired)
keys["messages"] = [item.text() for item in desk.iface.messageBar().items() if hasattr(item, "text")]
desk.save_figures()
