"""The per-compound pages: ``resources/report_compound.qpt`` as a QGIS atlas over the
compounds, one A4 page each with before/after panels zoomed on it and its figures."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeedback,
    QgsField,
    QgsGeometry,
    QgsLayoutExporter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QMetaType

from ...errors import SiteWatchError
from .. import fields as ef
from ..data import ExportData
from ..package import ExportCanceled
from .map_product import fill_legend, load_template, pdf_settings, report_layers
from .template import COMPOUND_TEMPLATE

_FIELD_TYPES = {"TEXT": QMetaType.Type.QString, "INTEGER": QMetaType.Type.Int, "REAL": QMetaType.Type.Double}


def coverage_layer(data: ExportData) -> QgsVectorLayer:
    """The compounds with their statistics (the fields of the ``compounds`` export layer)."""
    layer = QgsVectorLayer("MultiPolygon", "Compounds", "memory")
    layer.setCrs(data.crs)
    layer.dataProvider().addAttributes([QgsField(f.name, _FIELD_TYPES[f.kind]) for f in ef.COMPOUNDS.fields])
    layer.updateFields()
    table = data.tables["compounds"]
    features = []
    for row, wkb in zip(table.rows, table.geometries):
        feature = QgsFeature(layer.fields())
        if wkb is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(wkb)
            feature.setGeometry(geometry)
        feature.setAttributes(list(row))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def write_compound_pages(
    data: ExportData, before_image: str, after_image: str, path: Path, feedback: QgsFeedback | None = None
) -> Path:
    """One page per compound with structures, sorted by compound id, as a searchable PDF;
    ``feedback`` hears of each page and may cancel the rest (then nothing is kept)."""
    project, layers = report_layers(data, before_image, after_image)
    coverage = coverage_layer(data)
    project.addMapLayer(coverage, False)
    layout = load_template(project, COMPOUND_TEMPLATE, data, (before_image, after_image))
    for key in ("before", "after"):
        layout.itemById(f"{key}_map").setLayers(
            [layers["compounds"], layers[f"{key}_structures"], layers[f"{key}_image"]]
        )
        layout.itemById(f"{key}_map").setKeepLayerSet(True)
        layout.itemById(f"{key}_map").setCrs(data.crs)
        # The atlas keeps the ratio of the current extent: make it the item's own ratio first.
        layout.itemById(f"{key}_map").zoomToExtent(layers["after_image"].extent())
    scale_bar = layout.itemById("scale_bar")
    scale_bar.setLinkedMap(layout.itemById("after_map"))
    scale_bar.setUnits(Qgis.DistanceUnit.Meters)
    scale_bar.setNumberOfSegmentsLeft(0)
    scale_bar.setNumberOfSegments(3)
    scale_bar.setSegmentSizeMode(Qgis.ScaleBarSegmentSizeMode.FitWidth)
    scale_bar.setMinimumBarWidth(30)
    scale_bar.setMaximumBarWidth(60)
    fill_legend(layout, layers)
    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setFilterFeatures(True)
    atlas.setFilterExpression('"n_struct" > 0')
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"compound"')
    atlas.setEnabled(True)
    result, error = QgsLayoutExporter.exportToPdf(atlas, str(path), pdf_settings(), feedback)
    if result == QgsLayoutExporter.ExportResult.Canceled:
        path.unlink(missing_ok=True)
        raise ExportCanceled("The export was canceled; nothing was written.")
    if result != QgsLayoutExporter.ExportResult.Success:
        raise SiteWatchError(f"The compound pages could not be written to {path}: {error or result}.")
    return path
