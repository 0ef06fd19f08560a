"""The frames of an image series: each dated image of the assessment over one extent, the
structures drawn in the standard status colours of their status at that image's date (absent
ones hidden, unobserved ones as a grey dashed outline), a date label and a legend.

Each frame is rendered into a private project (never the analyst's), so this runs in a
Processing algorithm's thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsRasterLayer,
    QgsRectangle,
    QgsRendererCategory,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from ... import values
from ...assessment.observations import Observation
from ...assessment.status_at import status_at
from ...assessment.store import AssessmentStore
from ...colours import rgba
from ...errors import SiteWatchError
from ...imagery.registry import ImageRecord, resolve_uri

LABEL_BACKGROUND = (31, 42, 54)
LABEL_TEXT = (255, 255, 255)
UNOBSERVED_OUTLINE = (138, 138, 138)
BACKGROUND = (0, 0, 0)
FILL_ALPHA = 45
UNOBSERVED = "unobserved"


def status_colours() -> list[tuple[int, int, int]]:
    """The standard colours of the drawn statuses (every status but absent)."""
    return [_rgb(s.colour) for s in values.STATUSES if s.code != "absent"]


def reserved_colours() -> list[tuple[int, int, int]]:
    """The colours a frame must keep exactly: statuses, the label's, the unobserved outline."""
    return [*status_colours(), LABEL_BACKGROUND, LABEL_TEXT, UNOBSERVED_OUTLINE, BACKGROUND]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue


@dataclass(frozen=True)
class Frame:
    image: ImageRecord
    counts: dict[str, int]
    """Structures drawn per status at the image's date (``unobserved`` for the others)."""
    picture: QImage

    def rgb(self) -> NDArray[np.uint8]:
        """The frame as a height × width × 3 array."""
        image = self.picture.convertToFormat(QImage.Format.Format_RGB888)
        width, height, line = image.width(), image.height(), image.bytesPerLine()
        bits = image.constBits()
        bits.setsize(line * height)
        rows = np.frombuffer(bytes(bits), dtype=np.uint8).reshape(height, line)
        return rows[:, : width * 3].reshape(height, width, 3).copy()


def _structures_layer(
    store: AssessmentStore, geometries: dict[str, QgsGeometry], statuses: dict[str, str]
) -> tuple[QgsVectorLayer, dict[str, int]]:
    layer = QgsVectorLayer("MultiPolygon?field=status:string", "Structures", "memory")
    layer.setCrs(store.crs())
    features: list[QgsFeature] = []
    counts: dict[str, int] = {}
    for structure_id, geometry in geometries.items():
        status = statuses.get(structure_id, UNOBSERVED)
        if status == "absent":
            continue
        feature = QgsFeature(layer.fields())
        feature.setGeometry(geometry)
        feature.setAttributes([status])
        features.append(feature)
        counts[status] = counts.get(status, 0) + 1
    layer.dataProvider().addFeatures(features)
    categories = [
        QgsRendererCategory(
            s.code,
            QgsFillSymbol.createSimple(
                {"color": rgba(s.colour, FILL_ALPHA), "outline_color": rgba(s.colour), "outline_width": "0.6"}
            ),
            s.label,
        )
        for s in values.STATUSES
        if s.code != "absent"
    ]
    grey = "#{:02x}{:02x}{:02x}".format(*UNOBSERVED_OUTLINE)
    unobserved = QgsFillSymbol.createSimple(
        {"style": "no", "outline_color": rgba(grey), "outline_width": "0.4", "outline_style": "dash"}
    )
    categories.append(QgsRendererCategory(UNOBSERVED, unobserved, "Not observed"))
    layer.setRenderer(QgsCategorizedSymbolRenderer("status", categories))
    return layer, counts


def _label(painter: QPainter, image: ImageRecord, width: int) -> None:
    """The date (large) and the source (small) in a dark box at the top left."""
    size = max(12, width // 32)
    big, small = QFont(), QFont()
    big.setPixelSize(size)
    big.setBold(True)
    small.setPixelSize(max(9, size * 5 // 10))
    date = image.acquired or ""
    source = " · ".join(p for p in (image.source, image.sensor) if p) or image.image_id
    text_width = max(QFontMetrics(big).horizontalAdvance(date), QFontMetrics(small).horizontalAdvance(source))
    box = QRectF(size * 0.5, size * 0.5, min(width - size, text_width + size * 0.8), size * 2.3)
    painter.fillRect(box, QColor(*LABEL_BACKGROUND))
    painter.setPen(QColor(*LABEL_TEXT))
    painter.setFont(big)
    painter.drawText(box.adjusted(size * 0.4, size * 0.2, 0, -size * 0.9), Qt.AlignmentFlag.AlignLeft, date)
    painter.setFont(small)
    painter.drawText(box.adjusted(size * 0.4, size * 1.45, -size * 0.2, 0), Qt.AlignmentFlag.AlignLeft, source)


def _legend(painter: QPainter, present: list[str], width: int, height: int) -> None:
    """A strip along the bottom: a swatch and a label per status drawn in the series, in a
    font small enough for all of them to fit on one line."""
    shown = [(s, s.label.split(" (")[0]) for s in values.STATUSES if s.code in present]
    size = max(9, width // 60)
    font = QFont()
    while True:
        font.setPixelSize(size)
        metrics = QFontMetrics(font)
        needed = sum(size * 2.6 + metrics.horizontalAdvance(label) for _, label in shown) + size * 0.6
        if needed <= width or size <= 6:
            break
        size -= 1
    painter.setFont(font)
    strip = QRectF(0, height - size * 2.0, width, size * 2.0)
    painter.fillRect(strip, QColor(*LABEL_BACKGROUND))
    painter.setPen(QColor(*LABEL_TEXT))
    x = size * 0.6
    for status, label in shown:
        painter.fillRect(QRectF(x, strip.top() + size * 0.5, size, size), QColor(*_rgb(status.colour)))
        x += size * 1.4
        painter.drawText(QRectF(x, strip.top(), width, strip.height()), Qt.AlignmentFlag.AlignVCenter, label)
        x += metrics.horizontalAdvance(label) + size * 1.2


def render_frames(
    store: AssessmentStore,
    images: list[ImageRecord],
    extent: QgsRectangle,
    width: int,
    progress: Callable[[float], bool] = lambda _share: True,
) -> list[Frame]:
    """One frame per image (dated, in date order) over ``extent`` (in the assessment's CRS),
    ``width`` pixels wide; ``progress(share)`` returning False stops (cancel)."""
    if extent.isEmpty() or width < 16:
        raise SiteWatchError("The extent of the series is empty or the frames are narrower than 16 pixels.")
    height = max(16, round(width * extent.height() / extent.width()))
    geometries = {
        str(f["structure_id"]): QgsGeometry(f.geometry())
        for f in store.layer("structures").getFeatures()
        if f["structure_id"] and f.hasGeometry()
    }
    observations: list[Observation] = store.observations()
    rendered: list[tuple[ImageRecord, dict[str, int], QImage]] = []
    for number, record in enumerate(images):
        if not progress(number / max(1, len(images))):
            break
        path = resolve_uri(store, record)
        raster = QgsRasterLayer(path or "", record.image_id)
        if not raster.isValid():
            raise SiteWatchError(
                f"The image {record.image_id} of {record.acquired} ('{path}') cannot be read; relink it in the "
                "Imagery panel or leave it out."
            )
        structures, counts = _structures_layer(store, geometries, status_at(observations, record.acquired or ""))
        settings = QgsMapSettings()
        settings.setDestinationCrs(store.crs())
        settings.setLayers([structures, raster])
        settings.setExtent(extent)
        settings.setOutputSize(QSize(width, height))
        settings.setBackgroundColor(QColor(*BACKGROUND))
        picture = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        picture.fill(QColor(*BACKGROUND))
        painter = QPainter(picture)
        job = QgsMapRendererCustomPainterJob(settings, painter)
        job.renderSynchronously()
        _label(painter, record, width)
        painter.end()
        rendered.append((record, counts, picture))
    present = sorted({code for _, counts, _ in rendered for code in counts})
    frames = []
    for record, counts, picture in rendered:
        painter = QPainter(picture)
        _legend(painter, present, width, height)
        painter.end()
        frames.append(Frame(record, counts, picture))
    return frames
