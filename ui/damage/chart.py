"""A stacked bar chart of the damage table: one bar per compound, one segment per class.

Drawn with QPainter (no plotting library at run time); the same drawing fills the widget and
the PNG export. Colours are the status colours of core/values.py.

The widget keeps its drawing as an image: when a key moves a few rows of the table (the
Damage panel's incremental update), only those bars' columns are drawn again, clipped, with
every bar that reaches into them, in the same order — the same pixels as a full drawing, at a
cost that does not grow with the number of compounds (a full drawing of 1,000 compounds took
several times the map's re-render after each key).
"""

from __future__ import annotations

import math

from qgis.PyQt.QtCore import QPointF, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from ...core import values
from ...core.damage.table import ALL, COUNT_FIELDS, DamageRow, DamageTable
from ..dock_layout import SMALL_LIST_HEIGHT

PLOT_LEFT, PLOT_RIGHT = 36, 8
"""The bars' area starts this far from the chart's left edge and ends this far from its right."""
PARTIAL_BARS = 16
"""Up to this many changed bars are drawn again in the kept image; more: a full drawing."""
LABEL_REACH = 12
"""Pixels a bar's label (elided to at least 8 px, centred on its slot) or its rounded edges
may reach beyond its slot."""

CLASSES: tuple[tuple[str, str], ...] = tuple(
    (field, status)
    for field, status in sorted(COUNT_FIELDS.items(), key=lambda item: values.codes(values.STATUSES).index(item[1]))
) + (("n_unknown", "unknown"),)
"""(count field, status code) of each bar segment, bottom to top: construction, intact, …,
destroyed, then unknown or unobserved."""


def _colour(status: str) -> QColor:
    return QColor(values.STATUS_BY_CODE[status].colour)


_SEGMENTS: tuple[tuple[str, QColor], ...] = tuple((field, _colour(status)) for field, status in CLASSES)
"""(count field, colour) of each bar segment, bottom to top."""


class DamageChart(QWidget):
    """Stacked bars of structures per class for each compound row of a :class:`DamageTable`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table: DamageTable | None = None
        self.title = ""
        self.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Structures per damage class in each compound (UNASSIGNED: outside every compound)")
        self._kept: QImage | None = None
        """The widget's drawing, for the next paint."""
        self._kept_bars: list[DamageRow] = []
        self._kept_key: tuple[object, ...] = ()
        """What the kept drawing depends on besides the bars' counts (size, font, scale)."""

    def set_table(self, table: DamageTable | None, title: str = "") -> None:
        self.table = table
        self.title = title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 220)

    def bars(self) -> list[DamageRow]:
        """The rows drawn: every compound row and UNASSIGNED (ALL is the sum, left out)."""
        if self.table is None:
            return []
        return [row for row in self.table.rows if row.type is None and row.compound != ALL]

    def paintEvent(self, event: QPaintEvent) -> None:
        image = self._drawing()
        painter = QPainter(self)
        try:
            painter.drawImage(0, 0, image)
        finally:
            painter.end()

    def _drawing(self) -> QImage:
        """The chart as the widget shows it (no title: the same sentence heads the panel; the
        bars get the room), drawn again only where bars changed since the last paint."""
        rows = self.bars()
        ratio = self.devicePixelRatioF()
        highest = max((row.n_struct for row in rows), default=0)
        key = (self.size(), ratio, self.font().key(), len(rows), highest)
        kept = self._kept
        changed = None if kept is None or key != self._kept_key else self._changed(rows)
        if kept is None or changed is None or len(changed) > PARTIAL_BARS:
            kept = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
            kept.setDevicePixelRatio(ratio)
            self._paint_into(kept, None)
        else:
            for number in changed:
                self._paint_into(kept, number)
        self._kept, self._kept_bars, self._kept_key = kept, rows, key
        return kept

    def _changed(self, rows: list[DamageRow]) -> list[int] | None:
        """Positions of the bars that differ from the kept drawing's (None: other compounds).
        The table's incremental update keeps every unchanged row object."""
        changed = [number for number, (row, kept) in enumerate(zip(rows, self._kept_bars)) if row is not kept]
        if any(rows[number].compound != self._kept_bars[number].compound for number in changed):
            return None
        return changed

    def _paint_into(self, image: QImage, bar: int | None) -> None:
        """Draw the chart into ``image``: whole (``bar`` None) or clipped to bar ``bar``'s slot."""
        painter = QPainter(image)
        try:
            painter.setFont(self.font())  # as a painter on the widget starts
            self.draw(painter, QRectF(self.rect()), with_title=False, only=bar)
        finally:
            painter.end()

    def draw(self, painter: QPainter, area: QRectF, with_title: bool = True, only: int | None = None) -> None:
        """Draw the chart into ``area``: title (``with_title``), legend, axis and one stacked bar
        per compound; with ``only``, clipped to that bar's slot, where everything that reaches
        into it is drawn in the same order as in the whole drawing (the same pixels)."""
        rows = self.bars()
        clip = self._clip(painter, area, only, len(rows)) if only is not None and rows else None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(area, QColor("white"))
        metrics = QFontMetrics(painter.font())
        line = metrics.height()
        top = area.top() + 4
        if self.title and with_title:
            bold = QFont(painter.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(QColor("black"))
            painter.drawText(
                QRectF(area.left() + 4, top, area.width() - 8, line * 2),
                int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap),
                self.title,
            )
            painter.setFont(QFont())
            top += line * 2 + 2
        x = area.left() + 4
        for _, status in CLASSES:
            label = values.label_of(values.STATUSES, status).split(" (")[0]
            width = metrics.horizontalAdvance(label) + line + 10
            if x + width > area.right():
                x, top = area.left() + 4, top + line + 2
            painter.fillRect(QRectF(x, top + 2, line - 4, line - 4), _colour(status))
            painter.setPen(QColor("black"))
            painter.drawText(QPointF(x + line, top + metrics.ascent()), label)
            x += width
        top += line + 6
        if not rows:
            painter.drawText(
                QRectF(area.left(), top, area.width(), area.bottom() - top),
                int(Qt.AlignmentFlag.AlignCenter),
                "No compound to show",
            )
            return
        label_height = line + 4
        plot = QRectF(
            area.left() + PLOT_LEFT, top, area.width() - PLOT_LEFT - PLOT_RIGHT, area.bottom() - top - label_height - 4
        )
        if plot.height() < 10 or plot.width() < 10:
            return
        highest = max(1, max(row.n_struct for row in rows))
        painter.setPen(QPen(QColor("#606060")))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        painter.drawText(
            QRectF(area.left(), plot.top() - line / 2, 32, line), int(Qt.AlignmentFlag.AlignRight), str(highest)
        )
        painter.drawText(QRectF(area.left(), plot.bottom() - line / 2, 32, line), int(Qt.AlignmentFlag.AlignRight), "0")
        slot = plot.width() / len(rows)
        bar_width = max(1.0, slot * 0.7)
        labelled = slot >= metrics.horizontalAdvance("C-00") or len(rows) <= 12
        numbers = range(len(rows))
        if clip is not None:  # the bars (and labels) reaching into the clip
            reach = LABEL_REACH if labelled else 2
            first = max(0, math.floor((clip[0] - reach - plot.left()) / slot))
            numbers = range(first, min(len(rows), math.ceil((clip[1] + reach - plot.left()) / slot) + 1))
        for number in numbers:
            row = rows[number]
            left = plot.left() + number * slot + (slot - bar_width) / 2
            bottom = plot.bottom()
            for field, colour in _SEGMENTS:
                height = plot.height() * getattr(row, field) / highest
                if height > 0:
                    painter.fillRect(QRectF(left, bottom - height, bar_width, height), colour)
                    bottom -= height
            if labelled:
                painter.setPen(QColor("black"))
                text = metrics.elidedText(row.compound, Qt.TextElideMode.ElideRight, int(max(slot, 8)))
                painter.drawText(
                    QRectF(plot.left() + number * slot, plot.bottom() + 2, slot, label_height),
                    int(Qt.AlignmentFlag.AlignHCenter),
                    text,
                )

    @staticmethod
    def _clip(painter: QPainter, area: QRectF, bar: int, count: int) -> tuple[int, int]:
        """Clip ``painter`` to bar ``bar``'s slot (and its rounding, a bar being at least a pixel
        wide); the clip's left and right."""
        origin, slot = area.left() + PLOT_LEFT, (area.width() - PLOT_LEFT - PLOT_RIGHT) / count
        x0, x1 = math.floor(origin + bar * slot) - 2, math.ceil(origin + (bar + 1) * slot) + 2
        painter.setClipRect(QRectF(x0, area.top(), x1 - x0, area.height()))
        return x0, x1

    def image(self, size: QSize | None = None) -> QImage:
        """The chart as an image (for the clipboard and PNG files)."""
        size = size or QSize(max(640, self.width()), max(360, self.height()))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            self.draw(painter, QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
        return image
