"""A stacked bar chart of the damage table: one bar per compound, one segment per class.

Drawn with QPainter (no plotting library at run time); the same drawing fills the widget and
the PNG export. Colours are the status colours of core/values.py.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QPointF, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from ...core import values
from ...core.damage.table import ALL, COUNT_FIELDS, DamageRow, DamageTable
from ..dock_layout import SMALL_LIST_HEIGHT

CLASSES: tuple[tuple[str, str], ...] = tuple(
    (field, status)
    for field, status in sorted(COUNT_FIELDS.items(), key=lambda item: values.codes(values.STATUSES).index(item[1]))
) + (("n_unknown", "unknown"),)
"""(count field, status code) of each bar segment, bottom to top: construction, intact, …,
destroyed, then unknown or unobserved."""


def _colour(status: str) -> QColor:
    return QColor(values.STATUS_BY_CODE[status].colour)


class DamageChart(QWidget):
    """Stacked bars of structures per class for each compound row of a :class:`DamageTable`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table: DamageTable | None = None
        self.title = ""
        self.setMinimumHeight(SMALL_LIST_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Structures per damage class in each compound (UNASSIGNED: outside every compound)")

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
        painter = QPainter(self)
        try:  # no title in the panel: the same sentence heads it; the bars get the room
            self.draw(painter, QRectF(self.rect()), with_title=False)
        finally:
            painter.end()

    def draw(self, painter: QPainter, area: QRectF, with_title: bool = True) -> None:
        """Draw the chart into ``area``: title (``with_title``), legend, axis and one stacked bar
        per compound."""
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
        rows = self.bars()
        if not rows:
            painter.drawText(
                QRectF(area.left(), top, area.width(), area.bottom() - top),
                int(Qt.AlignmentFlag.AlignCenter),
                "No compound to show",
            )
            return
        label_height = line + 4
        plot = QRectF(area.left() + 36, top, area.width() - 44, area.bottom() - top - label_height - 4)
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
        for number, row in enumerate(rows):
            left = plot.left() + number * slot + (slot - bar_width) / 2
            bottom = plot.bottom()
            for field, status in CLASSES:
                height = plot.height() * getattr(row, field) / highest
                if height > 0:
                    painter.fillRect(QRectF(left, bottom - height, bar_width, height), _colour(status))
                    bottom -= height
            if slot >= metrics.horizontalAdvance("C-00") or len(rows) <= 12:
                painter.setPen(QColor("black"))
                text = metrics.elidedText(row.compound, Qt.TextElideMode.ElideRight, int(max(slot, 8)))
                painter.drawText(
                    QRectF(plot.left() + number * slot, plot.bottom() + 2, slot, label_height),
                    int(Qt.AlignmentFlag.AlignHCenter),
                    text,
                )

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
