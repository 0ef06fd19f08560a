"""The site's history as a stacked chart over time: one column per date, segments in the
standard status colours (worst at the bottom), drawn with QPainter into an image (no
widgets) so the PDF page and the Damage dock's History tab show the same chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from ... import values
from ...history.series import HistoryRow
from .chart import CHART_CLASSES

_IMAGE_DPI = 96


def segments(row: HistoryRow) -> list[tuple[str, int]]:
    """(status, count) of one column, bottom to top: the damage scale worst first, then
    construction and unknown (the unknown count includes the structures not yet observed)."""
    return [(status, int(getattr(row, key) or 0)) for status, key in CHART_CLASSES]


def history_image(rows: Sequence[HistoryRow], width_px: int, height_px: int, dpi: int = _IMAGE_DPI) -> QImage:
    """The chart of ``rows`` (one per date, in date order) at ``width_px`` × ``height_px``."""
    image = QImage(max(width_px, 1), max(height_px, 1), QImage.Format.Format_ARGB32)
    image.setDotsPerMeterX(round(_IMAGE_DPI / 0.0254))
    image.setDotsPerMeterY(round(_IMAGE_DPI / 0.0254))
    image.fill(QColor("#ffffff"))
    scale = dpi / 25.4
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        _draw(painter, list(rows), width_px / scale, height_px / scale)
    finally:
        painter.end()
    return image


def write_history_chart(rows: Sequence[HistoryRow], path: Path, width_mm: float, height_mm: float) -> Path:
    dpi = 250
    image = history_image(rows, round(width_mm * dpi / 25.4), round(height_mm * dpi / 25.4), dpi)
    if not image.save(str(path), "PNG"):
        raise OSError(f"Cannot write the history chart {path}")
    return path


def _font(size_mm: float) -> QFont:
    font = QFont("Open Sans")
    font.setPointSizeF(size_mm * 72 / _IMAGE_DPI)
    return font


def _draw(painter: QPainter, rows: list[HistoryRow], width: float, height: float) -> None:
    legend_height = 8.0
    axis_width = 9.0
    plot = QRectF(axis_width, 4, width - axis_width - 2, height - legend_height - 12)
    largest = max([sum(n for _s, n in segments(row)) for row in rows] + [1])
    painter.setFont(_font(2.4))
    metrics = QFontMetricsF(painter.font())
    painter.setPen(QPen(QColor("#c8ced6"), 0.15))
    for tick in _ticks(largest):
        y = plot.bottom() - plot.height() * tick / largest
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.drawText(
            QRectF(0, y - 2, axis_width - 1, 4),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(tick),
        )
    step = plot.width() / max(len(rows), 1)
    bar = min(step * 0.6, 18.0)
    for number, row in enumerate(rows):
        left = plot.left() + number * step + (step - bar) / 2
        bottom = plot.bottom()
        for status, count in segments(row):
            if not count:
                continue
            size = plot.height() * count / largest
            painter.fillRect(QRectF(left, bottom - size, bar, size), QColor(values.STATUS_BY_CODE[status].colour))
            bottom -= size
        painter.setPen(QColor("#202020"))
        total = sum(n for _s, n in segments(row))
        painter.drawText(QRectF(left - 4, bottom - 4, bar + 8, 3.6), Qt.AlignmentFlag.AlignCenter, str(total))
        label = row.observed_on + ("" if row.n_images else " *")
        label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, step + 2)
        painter.drawText(
            QRectF(plot.left() + number * step - 1, plot.bottom() + 1, step + 2, 4), Qt.AlignmentFlag.AlignCenter, label
        )
    painter.setPen(QPen(QColor("#606060"), 0.2))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    _legend(painter, width, height - legend_height, any(not row.n_images for row in rows))


def _ticks(largest: int) -> list[int]:
    for size in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if largest / size <= 6:
            return list(range(0, largest + 1, size))
    return [0, largest]


def _legend(painter: QPainter, width: float, top: float, no_image_note: bool) -> None:
    painter.setFont(_font(2.2))
    metrics = QFontMetricsF(painter.font())
    x, y = 1.0, top + 1
    entries = [(values.STATUS_BY_CODE[status].label.split(" (")[0], status) for status, _key in CHART_CLASSES]
    if no_image_note:
        entries.append(("* no image on that date", ""))
    for label, status in entries:
        needed = (4 if status else 0) + metrics.horizontalAdvance(label) + 3
        if x + needed > width:
            x, y = 1.0, y + 4
        if status:
            painter.fillRect(QRectF(x, y, 3, 3), QColor(values.STATUS_BY_CODE[status].colour))
            x += 4
        painter.setPen(QColor("#202020"))
        painter.drawText(QRectF(x, y - 0.5, needed, 4), Qt.AlignmentFlag.AlignVCenter, label)
        x += needed - 4 if status else needed
