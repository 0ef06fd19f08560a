"""Layout items of the report templates, for :mod:`make_report_template`: labels, boxes,
framed maps with a coordinate frame, the legend, the north arrow and scale bar, each placed
in millimetres and given the item id the report looks up."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFillSymbol,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemMapGrid,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

FONT = "Open Sans"
DARK = "#1f2a36"
MM = Qgis.LayoutUnit.Millimeters


def text_style(size: float, colour: str = "#202020", bold: bool = False) -> QgsTextFormat:
    text_format = QgsTextFormat()
    font = QFont(FONT)
    font.setBold(bold)
    text_format.setFont(font)
    text_format.setSize(size)
    text_format.setColor(QColor(colour))
    return text_format


def place(item, x: float, y: float, width: float, height: float, item_id: str) -> None:
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(width, height, MM))
    item.setId(item_id)


def add_label(
    layout: QgsPrintLayout,
    item_id: str,
    text: str,
    box: tuple[float, float, float, float],
    size: float,
    colour: str = "#202020",
    bold: bool = False,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    label.setTextFormat(text_style(size, colour, bold))
    label.setHAlign(align)
    label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
    label.setMarginX(1.5)
    layout.addLayoutItem(label)
    place(label, *box, item_id)
    return label


def add_box(
    layout: QgsPrintLayout, item_id: str, box: tuple[float, float, float, float], fill: str, outline: str = "no"
) -> None:
    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
    style = (
        {"color": fill, "outline_style": "no"}
        if outline == "no"
        else {"color": fill, "outline_color": outline, "outline_width": "0.3"}
    )
    shape.setSymbol(QgsFillSymbol.createSimple(style))
    layout.addLayoutItem(shape)
    place(shape, *box, item_id)


PANEL_BACKGROUND = "#a6a6a6"
"""Neutral grey where a panel's extent reaches beyond its image."""


def add_map(
    layout: QgsPrintLayout,
    item_id: str,
    box: tuple[float, float, float, float],
    labelled_sides: tuple[QgsLayoutItemMapGrid.BorderSide, ...] = (),
) -> QgsLayoutItemMap:
    """A framed map item; with ``labelled_sides`` a zebra coordinate frame annotated on those
    sides only (outside the frame)."""
    item = QgsLayoutItemMap(layout)
    item.setFrameEnabled(True)
    item.setFrameStrokeWidth(QgsLayoutMeasurement(0.4, MM))
    item.setBackgroundColor(QColor(PANEL_BACKGROUND))
    layout.addLayoutItem(item)
    place(item, *box, item_id)
    if labelled_sides:
        map_grid = QgsLayoutItemMapGrid("coordinates", item)
        # Frame ticks only: a grid drawn inside would cross the compound names (PDF export
        # draws grids above map labels whatever their stacking position).
        map_grid.setStyle(QgsLayoutItemMapGrid.GridStyle.FrameAnnotationsOnly)
        map_grid.setFrameStyle(QgsLayoutItemMapGrid.FrameStyle.Zebra)
        map_grid.setFrameWidth(1.2)
        map_grid.setAnnotationEnabled(True)
        map_grid.setAnnotationPrecision(0)
        map_grid.setAnnotationTextFormat(text_style(5.5, "#303030"))
        sides = (
            QgsLayoutItemMapGrid.BorderSide.Left,
            QgsLayoutItemMapGrid.BorderSide.Right,
            QgsLayoutItemMapGrid.BorderSide.Top,
            QgsLayoutItemMapGrid.BorderSide.Bottom,
        )
        for side in sides:
            if side in labelled_sides:
                map_grid.setAnnotationPosition(QgsLayoutItemMapGrid.AnnotationPosition.OutsideMapFrame, side)
                map_grid.setAnnotationDisplay(QgsLayoutItemMapGrid.DisplayMode.ShowAll, side)
            else:
                map_grid.setAnnotationDisplay(QgsLayoutItemMapGrid.DisplayMode.HideAll, side)
        map_grid.setAnnotationDirection(
            QgsLayoutItemMapGrid.AnnotationDirection.Vertical, QgsLayoutItemMapGrid.BorderSide.Left
        )
        map_grid.setAnnotationDirection(
            QgsLayoutItemMapGrid.AnnotationDirection.VerticalDescending, QgsLayoutItemMapGrid.BorderSide.Right
        )
        item.grids().addGrid(map_grid)
    return item


def add_legend(layout: QgsPrintLayout, box: tuple[float, float, float, float]) -> None:
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Status on the panel's date")
    legend.setAutoUpdateModel(False)
    legend.setBackgroundEnabled(False)
    legend.setSymbolWidth(6)
    legend.setSymbolHeight(3.5)
    for style, size, bold in (
        (QgsLegendStyle.Style.Title, 9, True),
        (QgsLegendStyle.Style.Group, 8, True),
        (QgsLegendStyle.Style.Subgroup, 8, True),
        (QgsLegendStyle.Style.SymbolLabel, 7.5, False),
    ):
        legend.rstyle(style).setTextFormat(text_style(size, DARK if bold else "#202020", bold))
    layout.addLayoutItem(legend)
    place(legend, *box, "legend")


def add_north_arrow_and_scale_bar(layout: QgsPrintLayout, x: float, y: float) -> None:
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(str(Path(QgsApplication.pkgDataPath()) / "svg" / "arrows" / "NorthArrow_02.svg"))
    layout.addLayoutItem(arrow)
    place(arrow, x, y, 10, 16, "north_arrow")
    scale_bar = QgsLayoutItemScaleBar(layout)
    scale_bar.setStyle("Single Box")
    scale_bar.setTextFormat(text_style(7))
    scale_bar.setUnitLabel("m")
    scale_bar.setHeight(2)
    layout.addLayoutItem(scale_bar)
    place(scale_bar, x + 14, y + 2, 76, 12, "scale_bar")
