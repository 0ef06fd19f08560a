"""Registered images as QGIS raster layers: an RGB stretch and a temporal range from the date."""

from __future__ import annotations

import datetime as dt

from qgis.core import (
    Qgis,
    QgsContrastEnhancement,
    QgsDateTimeRange,
    QgsMultiBandColorRenderer,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRectangle,
    QgsSingleBandGrayRenderer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from ..errors import SiteWatchError
from .registry import ImageRecord

IMAGE_ID_PROPERTY = "sitewatch/image_id"
"""Custom property carrying the image id on each image layer SiteWatch loads."""

CUT_LOWER, CUT_UPPER = 0.01, 0.99
STRETCH_SAMPLE = 250_000


def _stretch(data_type: int, low: float, high: float) -> QgsContrastEnhancement:
    enhancement = QgsContrastEnhancement(data_type)
    enhancement.setContrastEnhancementAlgorithm(
        QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum
    )
    enhancement.setMinimumValue(low)
    enhancement.setMaximumValue(high if high > low else low + 1)
    return enhancement


def apply_rgb_stretch(layer: QgsRasterLayer) -> None:
    """Bands 1-2-3 as RGB (one band as grey) with one linked gain for all bands: from 0 (or the
    lowest 1 % cut when it is negative) to the highest 99 % cut of the bands. A pure gain keeps
    the scene's hue and saturation; stretching each band on its own, or from each band's dark
    cut, exaggerates the colour of a low-contrast scene (a desert turns blue or orange)."""
    provider = layer.dataProvider()
    bands = (1, 2, 3) if layer.bandCount() >= 3 else (1,)
    cuts = [provider.cumulativeCut(band, CUT_LOWER, CUT_UPPER, QgsRectangle(), STRETCH_SAMPLE) for band in bands]
    low, high = min(0.0, *(c[0] for c in cuts)), max(c[1] for c in cuts)
    data_type = provider.dataType(1)
    origin = QgsRasterMinMaxOrigin()
    origin.setLimits(QgsRasterMinMaxOrigin.Limits.None_)
    if len(bands) == 3:
        renderer = QgsMultiBandColorRenderer(provider, 1, 2, 3)
        renderer.setRedContrastEnhancement(_stretch(data_type, low, high))
        renderer.setGreenContrastEnhancement(_stretch(data_type, low, high))
        renderer.setBlueContrastEnhancement(_stretch(data_type, low, high))
    else:
        renderer = QgsSingleBandGrayRenderer(provider, 1)
        renderer.setContrastEnhancement(_stretch(data_type, low, high))
    renderer.setMinMaxOrigin(origin)
    layer.setRenderer(renderer)


def set_temporal_range(layer: QgsRasterLayer, acquired: str | None) -> None:
    """A fixed temporal range [acquired, acquired + 1 day) so the Temporal Controller steps
    through the images by date; undated images are always shown (temporal off)."""
    properties = layer.temporalProperties()
    if not acquired:
        properties.setIsActive(False)
        return
    day = dt.date.fromisoformat(acquired)
    start = QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0), Qt.TimeSpec.UTC)
    properties.setMode(Qgis.RasterTemporalMode.FixedTemporalRange)
    properties.setFixedTemporalRange(QgsDateTimeRange(start, start.addDays(1), True, False))
    properties.setIsActive(True)


def load_image_layer(path: str, record: ImageRecord) -> QgsRasterLayer:
    """The image at ``path`` as a styled, dated raster layer named after the record."""
    layer = QgsRasterLayer(path, f"{record.label()} [{record.image_id}]", "gdal")
    if not layer.isValid():
        raise SiteWatchError(f"QGIS cannot open image {record.image_id} ('{path}'); check the file or relink it.")
    layer.setCustomProperty(IMAGE_ID_PROPERTY, record.image_id)
    apply_rgb_stretch(layer)
    set_temporal_range(layer, record.acquired)
    return layer


def describe(record: ImageRecord) -> str:
    """The record's sensor and resolution in a few words (tooltips)."""
    parts = [record.sensor or "", f"{record.gsd_m:g} m" if record.gsd_m else ""]
    return ", ".join(p for p in parts if p)
