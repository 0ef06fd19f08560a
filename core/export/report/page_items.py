"""A4 portrait pages built in code for the report's optional pages (accuracy, history): a
title band, text blocks, tables that flow onto further pages and pictures, placed in
millimetres top to bottom, then written as a searchable PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemShape,
    QgsLayoutItemTextTable,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutTableStyle,
    QgsPrintLayout,
    QgsProject,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF

from ...errors import SiteWatchError

FONT = "Open Sans"
DARK = "#1f2a36"
MM = Qgis.LayoutUnit.Millimeters
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
MARGIN = 12.0
BOTTOM = PAGE_HEIGHT - 14.0
"""Lowest y of content on a page (the footer sits below)."""


HEADER_SIZE, CONTENT_SIZE, CELL_MARGIN = 6.5, 7.0, 0.8
"""Table text sizes in points and the cell margin in mm."""
_PT = 25.4 / 72
_REFERENCE_PIXELS = 100


def _text_width(text: str, size: float) -> float:
    """The width in mm of ``text`` in the bold table font at ``size`` points (bold: the wider)."""
    font = QFont(FONT)
    font.setBold(True)
    font.setPixelSize(_REFERENCE_PIXELS)
    return float(QFontMetricsF(font).horizontalAdvance(text)) * size * _PT / _REFERENCE_PIXELS


def _lines(text: str, width: float, size: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` mm wide (words kept whole)."""
    count = 0
    for paragraph in str(text).split("\n"):
        count += 1
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and _text_width(candidate, size) > width:
                count += 1
                line = word
            else:
                line = candidate
    return max(count, 1)


def _row_height(cells: Sequence[str], widths: Sequence[float], size: float) -> float:
    """A generous height of one table row in mm (QGIS draws it no taller)."""
    lines = max(_lines(cell, width - 2 * CELL_MARGIN, size) for cell, width in zip(cells, widths))
    return lines * size * _PT * 1.5 + 2 * CELL_MARGIN + 0.4


def text_style(size: float, colour: str = "#202020", bold: bool = False) -> QgsTextFormat:
    text_format = QgsTextFormat()
    font = QFont(FONT)
    font.setBold(bold)
    text_format.setFont(font)
    text_format.setSize(size)
    text_format.setColor(QColor(colour))
    return text_format


class PageWriter:
    """Places items one below the other on A4 pages; ``y`` is the next free height in mm on
    page ``page`` (0-based)."""

    def __init__(self, title: str, subtitle: str, footer: str) -> None:
        self.project = QgsProject()
        self.layout = QgsPrintLayout(self.project)
        self.layout.setName(title)
        self.footer = footer
        self.page = -1
        self.y = 0.0
        self.new_page()
        self._box((0, 0, PAGE_WIDTH, 24), DARK)
        self.label(title, 15, "#ffffff", True, height=10, top=5)
        self.label(subtitle, 8.5, "#dfe6ee", height=6, top=15)
        self.y = 30.0

    def new_page(self) -> None:
        page = QgsLayoutItemPage(self.layout)
        page.setPageSize(QgsLayoutSize(PAGE_WIDTH, PAGE_HEIGHT, MM))
        self.layout.pageCollection().addPage(page)
        self.page += 1
        self.y = MARGIN
        self._footer()

    def _footer(self) -> None:
        label = QgsLayoutItemLabel(self.layout)
        label.setText(self.footer)
        label.setTextFormat(text_style(6.5, "#606060"))
        self.layout.addLayoutItem(label)
        self._place(label, MARGIN, PAGE_HEIGHT - 11, PAGE_WIDTH - 2 * MARGIN, 6)

    def _place(self, item: QgsLayoutItemLabel | QgsLayoutItemShape | QgsLayoutItemPicture, *box: float) -> None:
        x, y, width, height = box
        item.attemptMove(QgsLayoutPoint(x, y, MM), page=self.page)
        item.attemptResize(QgsLayoutSize(width, height, MM))

    def _box(self, box: tuple[float, float, float, float], fill: str) -> None:
        shape = QgsLayoutItemShape(self.layout)
        shape.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
        shape.setSymbol(QgsFillSymbol.createSimple({"color": fill, "outline_style": "no"}))
        self.layout.addLayoutItem(shape)
        self._place(shape, *box)

    def room(self, needed: float) -> None:
        """Start a new page unless ``needed`` mm are left on this one."""
        if self.y + needed > BOTTOM:
            self.new_page()

    def label(
        self,
        text: str,
        size: float = 8.5,
        colour: str = "#202020",
        bold: bool = False,
        height: float | None = None,
        top: float | None = None,
        fill: str | None = None,
    ) -> None:
        """A text block the full width of the page; its height grows with the wrapped text."""
        width = PAGE_WIDTH - 2 * MARGIN
        if height is None:
            characters = max(1, int(width / (size * 0.19)))
            lines = sum(max(1, -(-len(part) // characters)) for part in text.split("\n"))
            height = lines * size * 0.45 + 2.5
        y = self.y if top is None else top
        if top is None:
            self.room(height)
            y = self.y
        if fill is not None:
            self._box((MARGIN, y, width, height), fill)
        label = QgsLayoutItemLabel(self.layout)
        label.setText(text)
        label.setTextFormat(text_style(size, colour, bold))
        label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
        label.setMarginX(1.5)
        self.layout.addLayoutItem(label)
        self._place(label, MARGIN, y, width, height)
        if top is None:
            self.y = y + height + 1.5

    def heading(self, text: str) -> None:
        self.room(20)
        self.y += 2
        self.label(text.upper(), 9, DARK, True, height=6)

    def picture(self, path: Path, height: float) -> None:
        self.room(height)
        picture = QgsLayoutItemPicture(self.layout)
        picture.setPicturePath(str(path))
        picture.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
        self.layout.addLayoutItem(picture)
        self._place(picture, MARGIN, self.y, PAGE_WIDTH - 2 * MARGIN, height)
        self.y += height + 2

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """A table whose rows continue on new pages (the header repeated) when they do not fit."""
        header = _row_height(headers, widths, HEADER_SIZE)
        heights = [_row_height(row, widths, CONTENT_SIZE) for row in rows]
        start = 0
        while True:
            self.room(header + (heights[start] if heights else 0) + 1)
            room = BOTTOM - self.y - header - 1
            end, used = start, 0.0
            while end < len(rows) and (used + heights[end] <= room or end == start):
                used += heights[end]
                end += 1
            self._table_part(headers, rows[start:end], widths, header + used + 1)
            start = end
            if start >= len(rows):
                break
            self.new_page()

    def _table_part(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], height: float
    ) -> None:
        table = QgsLayoutItemTextTable(self.layout)
        table.setHeaderTextFormat(text_style(HEADER_SIZE, "#ffffff", True))
        table.setContentTextFormat(text_style(CONTENT_SIZE))
        for group, colour in (
            (QgsLayoutTable.CellStyleGroup.HeaderRow, DARK),
            (QgsLayoutTable.CellStyleGroup.EvenRows, "#f6f8fa"),
        ):
            style = QgsLayoutTableStyle()
            style.enabled = True
            style.cellBackgroundColor = QColor(colour)
            table.setCellStyle(group, style)
        table.setCellMargin(CELL_MARGIN)
        table.setGridStrokeWidth(0.15)
        table.setGridColor(QColor("#9aa5b1"))
        table.setBackgroundColor(QColor("#ffffff"))
        table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
        columns = []
        for number, (header, width) in enumerate(zip(headers, widths)):
            column = QgsLayoutTableColumn(header)
            column.setWidth(width)
            column.setHAlignment(Qt.AlignmentFlag.AlignLeft if number == 0 else Qt.AlignmentFlag.AlignRight)
            columns.append(column)
        table.setColumns(columns)
        self.layout.addMultiFrame(table)
        table.setContents([list(row) for row in rows])
        frame = QgsLayoutFrame(self.layout, table)
        frame.attemptMove(QgsLayoutPoint(MARGIN, self.y, MM), page=self.page)
        frame.attemptResize(QgsLayoutSize(PAGE_WIDTH - 2 * MARGIN, height, MM))
        table.addFrame(frame)
        self.y += height + 3

    def write(self, path: Path) -> Path:
        settings = QgsLayoutExporter.PdfExportSettings()
        settings.dpi = 200
        settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
        self.layout.refresh()
        result = QgsLayoutExporter(self.layout).exportToPdf(str(path), settings)
        if result != QgsLayoutExporter.ExportResult.Success:
            raise SiteWatchError(f"The page {path.name} could not be written (layout export error {result}).")
        return path
