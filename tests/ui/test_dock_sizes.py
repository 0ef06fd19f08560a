"""At 1366×768 and 1920×1080 the SiteWatch docks open wide and tall enough that no control is cut:
every button, box and slider is whole inside its dock, the Damage table's key columns show
without scrolling and the chart has room for its bars."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QSlider,
    QWidget,
)

from sitewatch.tests.helpers.plugin import part_of, wait_until_idle
from sitewatch.ui.damage.dock import CHART_MIN_HEIGHT
from sitewatch.ui.damage.part import DamagePanel

QGIS_FONT = ("Sans Serif", 9)
"""QGIS 3.40's interface font as measured in the real application under Xvfb (96 dpi); the
offscreen test platform's own default is 12 pt."""
CONTROLS = (QAbstractButton, QComboBox, QSlider, QAbstractSpinBox, QLineEdit)


@pytest.fixture
def qgis_screen(window):
    """``window`` with QGIS's font and a central widget standing for the map, as in QGIS."""
    font = QApplication.font()
    QApplication.setFont(QFont(*QGIS_FONT))
    map_area = QWidget()
    map_area.setMinimumSize(300, 300)
    window.setCentralWidget(map_area)
    yield window
    window.takeCentralWidget()
    map_area.deleteLater()
    QApplication.setFont(font)


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def cut_controls(dock: QDockWidget) -> list[str]:
    """The controls of ``dock`` narrower than their minimum or not wholly inside the visible
    part of the dock's scroll area."""
    viewport = dock.widget().viewport()
    cut = []
    for control in dock.findChildren(CONTROLS):
        if not control.isVisibleTo(dock) or control.objectName().startswith("qt_"):
            continue  # the title bar's own float / close buttons
        corner = control.mapTo(viewport, control.rect().topLeft())
        inside = (
            corner.x() >= 0
            and corner.y() >= 0
            and corner.x() + control.width() <= viewport.width()
            and corner.y() + control.height() <= viewport.height()
        )
        if not inside or control.width() < control.minimumSizeHint().width():
            text = control.text() if hasattr(control, "text") else ""
            cut.append(f"{type(control).__name__} '{text}' at {corner.x()},{corner.y()} {control.width()} px")
    return cut


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_no_control_is_cut_and_the_damage_table_and_chart_have_room(docked_plugin, qgis_screen, size):
    window = qgis_screen
    window.resize(*size)
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget) if d.objectName().startswith("SiteWatch")}
    for name in ("SiteWatchImageryPanel", "SiteWatchReviewQueue"):
        docks[name].show()
        _settle()
    panel = part_of(docked_plugin, DamagePanel)
    panel.action.trigger()
    panel.dock.before_edit.setText("2019-09-01")
    panel.dock.refresh()
    wait_until_idle(panel.dock)
    _settle()
    for name in ("SiteWatchImageryPanel", "SiteWatchDamageDock"):
        dock = docks[name]
        dock.raise_()
        _settle()
        assert dock.width() > 244, "wider than QGIS's default dock"
        assert cut_controls(dock) == [], (name, size)
    damage = panel.dock
    damage.raise_()
    _settle()
    grid = damage.grid
    shown = [
        grid.horizontalHeaderItem(c).text().replace("\n", " ")
        for c in range(grid.columnCount())
        if not grid.isColumnHidden(c)
    ]
    assert shown == ["Compound", "Name", "Structures", "Destroyed", "% destroyed", "% damaged", "Newly damaged"]
    assert sum(grid.columnWidth(c) for c in range(grid.columnCount()) if not grid.isColumnHidden(c)) <= (
        grid.viewport().width()
    ), "the key columns show without scrolling"
    assert damage.chart.height() >= CHART_MIN_HEIGHT and damage.chart.bars()


def test_hidden_damage_columns_come_back_on_demand_and_are_remembered(docked_plugin, qgis_screen):
    panel = part_of(docked_plugin, DamagePanel)
    panel.action.trigger()
    wait_until_idle(panel.dock)
    chooser = panel.dock.column_chooser
    grid = panel.dock.grid
    labels = [grid.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(grid.columnCount())]
    severe = labels.index("Severe")
    assert grid.isColumnHidden(severe)
    try:
        chooser.set_shown("n_severe", True)
        assert not grid.isColumnHidden(severe)
        panel.dock.refresh()
        wait_until_idle(panel.dock)
        assert not grid.isColumnHidden(severe), "the choice is kept"
        chooser.show_all()
        assert not any(grid.isColumnHidden(c) for c in range(grid.columnCount()))
    finally:
        chooser.show_key_columns()
    assert grid.isColumnHidden(severe)


def test_the_damage_chart_is_in_view_when_the_dock_is_short(docked_plugin, qgis_screen):
    """In QGIS at 1366×768 (three toolbar rows, the docks tabbed) the Damage dock is about 544 px
    tall: its body must fit the dock, the chart wholly in view, not below the fold (a word-wrapped
    summary made the scroll area size the body to its preferred height, 719 px)."""
    window = qgis_screen
    window.resize(1311, 640)
    for dock in window.findChildren(QDockWidget):
        dock.hide()
    panel = part_of(docked_plugin, DamagePanel)
    panel.action.trigger()
    panel.dock.before_edit.setText("2019-09-01")
    panel.dock.refresh()
    wait_until_idle(panel.dock)
    _settle()
    area = panel.dock.widget()
    viewport = area.viewport()
    least = area.widget().minimumSizeHint().height()
    assert least <= viewport.height() <= 700, "a dock shorter than the body would like, tall enough for its minimum"
    assert area.widget().height() == viewport.height()
    chart = panel.dock.chart
    bottom = chart.mapTo(viewport, chart.rect().bottomLeft()).y()
    assert 0 <= bottom <= viewport.height(), (bottom, viewport.height(), area.widget().height())
    assert chart.height() >= CHART_MIN_HEIGHT
