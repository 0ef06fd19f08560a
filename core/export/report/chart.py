"""The stacked damage chart of the report: one horizontal bar per compound, drawn with
QPainter into a PNG (no widgets), segments in the standard status colours."""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from ... import values
from ...assessment import schema
from ...damage.table import COUNT_FIELDS
from ..stats import ALL, StatisticsRow

_CHART_STATUSES = tuple(reversed(values.DAMAGE_SCALE)) + tuple(
    code for code in values.codes(values.STATUSES) if code not in values.DAMAGE_SCALE and code != "absent"
)
_FIELD_OF_STATUS = {status: name for name, status in COUNT_FIELDS.items()} | {"unknown": "n_unknown"}

CHART_CLASSES: tuple[tuple[str, str], ...] = tuple((status, _FIELD_OF_STATUS[status]) for status in _CHART_STATUSES)
"""Status and statistics field of each bar segment: the damage scale worst first, then
construction and unknown (``n_unknown`` also counts the unobserved)."""


def chart_rows(statistics: list[StatisticsRow]) -> list[StatisticsRow]:
    """The rows drawn: every compound and the unassigned structures when there are any."""
    return [
        row
        for row in statistics
        if row["compound"] != ALL and (row["n_struct"] or row["compound"].startswith(schema.COMPOUNDS.id_prefix))
    ]


def write_chart(statistics: list[StatisticsRow], path: Path, width_mm: float, height_mm: float, dpi: int = 250) -> Path:
    """Draw the chart at ``width_mm`` × ``height_mm`` and save it as a PNG at ``path``."""
    scale = dpi / 25.4
    image = QImage(round(width_mm * scale), round(height_mm * scale), QImage.Format.Format_ARGB32)
    image.setDotsPerMeterX(round(_IMAGE_DPI / 0.0254))
    image.setDotsPerMeterY(round(_IMAGE_DPI / 0.0254))
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        _draw(painter, chart_rows(statistics), width_mm, height_mm)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):
        raise OSError(f"Cannot write the chart image {path}")
    return path


_IMAGE_DPI = 96
"""The image's nominal resolution: fonts are sized against it, drawing is in millimetres."""


def _font(size_mm: float, bold: bool = False) -> QFont:
    """A font whose height is ``size_mm`` in the painter's millimetre units."""
    font = QFont("Open Sans")
    font.setPointSizeF(size_mm * 72 / _IMAGE_DPI)
    font.setBold(bold)
    return font


def _draw(painter: QPainter, rows: list[StatisticsRow], width: float, height: float) -> None:
    legend_height = 9.0
    label_width = min(34.0, width * 0.34)
    plot = QRectF(label_width + 1, 2, width - label_width - 9, height - legend_height - 4)
    largest = max([row["n_struct"] for row in rows] + [1])
    painter.setFont(_font(2.2))
    metrics = QFontMetricsF(painter.font())
    bar_step = plot.height() / max(len(rows), 1)
    bar_height = min(bar_step * 0.7, 7.0)
    for number, row in enumerate(rows):
        top = plot.top() + number * bar_step + (bar_step - bar_height) / 2
        name = metrics.elidedText(str(row["name"] or row["compound"]), Qt.TextElideMode.ElideRight, label_width - 2)
        painter.setPen(QColor("#202020"))
        painter.drawText(
            QRectF(0, top, label_width, bar_height), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name
        )
        left = plot.left()
        for status, key in CHART_CLASSES:
            count = row.get(key) or 0
            if not count:
                continue
            segment = plot.width() * count / largest
            painter.fillRect(QRectF(left, top, segment, bar_height), QColor(values.STATUS_BY_CODE[status].colour))
            left += segment
        painter.setPen(QColor("#202020"))
        painter.drawText(QRectF(left + 1, top, 8, bar_height), Qt.AlignmentFlag.AlignVCenter, str(row["n_struct"]))
    painter.setPen(QPen(QColor("#606060"), 0.2))
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    _legend(painter, width, height - legend_height, legend_height)


def _legend(painter: QPainter, width: float, top: float, height: float) -> None:
    painter.setFont(_font(2.0))
    metrics = QFontMetricsF(painter.font())
    x, y = 1.0, top + 1
    for status, _key in CHART_CLASSES:
        label = values.STATUS_BY_CODE[status].label.split(" (")[0]
        needed = 4 + metrics.horizontalAdvance(label) + 3
        if x + needed > width:
            x, y = 1.0, y + 4
        painter.fillRect(QRectF(x, y, 3, 3), QColor(values.STATUS_BY_CODE[status].colour))
        painter.setPen(QColor("#202020"))
        painter.drawText(QRectF(x + 4, y - 0.5, needed, 4), Qt.AlignmentFlag.AlignVCenter, label)
        x += needed
