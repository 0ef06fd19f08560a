"""The PDF map product: ``resources/report.qpt`` filled with an export's data.

Items are found by id (see ``scripts/make_report_template.py``); texts come from ``@sw_*``
layout variables (:mod:`.texts`), the maps' extents from :mod:`.framing`. This module builds the
report's memory layers (in a private project) and legend and writes the PDF, all in the
calling thread; an export running in a background task calls it on QGIS's main thread (print
layouts are not thread safe: see :mod:`..package`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutItemLegend,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsMapLayer,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRasterLayer,
    QgsReadWriteContext,
    QgsRendererCategory,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
from qgis.PyQt.QtXml import QDomDocument

from ... import values
from ...colours import rgba
from ...errors import SiteWatchError
from ..data import ExportData
from .chart import write_chart
from .framing import image_area, panel_extent, set_up_maps, site_extent
from .template import TEMPLATE
from .texts import (
    UNOBSERVED,
    layout_variables,
    legend_name,
    panel_dates,
    panel_image,
    panel_source,
    short_label,
    table_rows,
)

__all__ = [
    "LEGEND_STYLES",
    "UNOBSERVED",
    "fill_legend",
    "fill_table",
    "image_area",
    "legend_name",
    "load_template",
    "panel_dates",
    "panel_extent",
    "panel_image",
    "panel_source",
    "pdf_settings",
    "report_layers",
    "short_label",
    "write_report",
]

ReportLayers = dict[str, QgsMapLayer]
"""The report's layers by role: ``compounds``, ``before_structures``, ``after_structures``,
``before_image``, ``after_image``."""


STATUS_FILL_ALPHA = 45
"""Opacity (of 255) of the status fills over the imagery: the roofs, the evidence, stay visible
under them; the colour is carried by the outline."""
STATUS_OUTLINE_MM = "0.8"


def _structures_layer(data: ExportData, codes: list[str | None], name: str) -> QgsVectorLayer:
    layer = QgsVectorLayer("MultiPolygon?field=status:string", name, "memory")
    layer.setCrs(data.crs)
    features = []
    for wkb, code in zip(data.tables["structures"].geometries, codes):
        if wkb is None or code == "absent":
            continue
        feature = QgsFeature(layer.fields())
        geometry = QgsGeometry()
        geometry.fromWkb(wkb)
        feature.setGeometry(geometry)
        feature.setAttributes([code or UNOBSERVED])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    categories = []
    for status in values.STATUSES:
        if status.code == "absent":
            continue
        symbol = QgsFillSymbol.createSimple(
            {
                "color": rgba(status.colour, STATUS_FILL_ALPHA),
                "outline_color": rgba(status.colour),
                "outline_width": STATUS_OUTLINE_MM,
            }
        )
        categories.append(QgsRendererCategory(status.code, symbol, legend_name(status.code, data.scheme)))
    unobserved = QgsFillSymbol.createSimple(
        {"style": "no", "outline_color": "#8a8a8a", "outline_width": "0.4", "outline_style": "dash"}
    )
    categories.append(QgsRendererCategory(UNOBSERVED, unobserved, legend_name(UNOBSERVED, data.scheme)))
    layer.setRenderer(QgsCategorizedSymbolRenderer("status", categories))
    return layer


def _compounds_layer(data: ExportData) -> QgsVectorLayer:
    layer = QgsVectorLayer("MultiPolygon?field=name:string", "Compound boundary", "memory")
    layer.setCrs(data.crs)
    table = data.tables["compounds"]
    features = []
    for row, wkb in zip(table.rows, table.geometries):
        if wkb is None:
            continue
        feature = QgsFeature(layer.fields())
        geometry = QgsGeometry()
        geometry.fromWkb(wkb)
        feature.setGeometry(geometry)
        feature.setAttributes([row[1] or row[0]])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.renderer().setSymbol(
        QgsFillSymbol.createSimple(
            {"style": "no", "outline_color": "#ffd400", "outline_width": "0.5", "outline_style": "dash"}
        )
    )
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    # Above the compound's top edge, so the label never hides its structures.
    settings.geometryGeneratorEnabled = True
    settings.geometryGeneratorType = Qgis.GeometryType.Point
    settings.geometryGenerator = "make_point(x(centroid($geometry)), y_max($geometry))"
    settings.placement = Qgis.LabelPlacement.OverPoint
    settings.quadOffset = Qgis.LabelQuadrantPosition.Above
    settings.placementSettings().setOverlapHandling(Qgis.LabelOverlapHandling.AllowOverlapIfRequired)
    text_format = QgsTextFormat()
    text_format.setFont(QFont("Open Sans"))
    text_format.setSize(7)
    text_format.setColor(QColor("#111111"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setColor(QColor("#ffd400"))
    buffer.setSize(0.8)
    text_format.setBuffer(buffer)
    settings.setFormat(text_format)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    return layer


def _raster(path: str, name: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(path, name)
    if not layer.isValid():
        raise SiteWatchError(f"The image '{path}' cannot be read as a raster; check the file or give another image.")
    return layer


def report_layers(data: ExportData, before_image: str, after_image: str) -> tuple[QgsProject, ReportLayers]:
    """A private project holding the report's layers (never the user's project)."""
    project = QgsProject()
    layers = {
        "compounds": _compounds_layer(data),
        "before_structures": _structures_layer(data, data.before_codes, "Structures (before)"),
        "after_structures": _structures_layer(data, data.after_codes, "Structures"),
        "before_image": _raster(before_image, f"Before {data.before_date}"),
        "after_image": _raster(after_image, f"After {data.after_date}"),
    }
    project.addMapLayers(list(layers.values()))
    return project, layers


def load_template(
    project: QgsProject, template: Path, data: ExportData, image_paths: tuple[str | None, str | None] = (None, None)
) -> QgsPrintLayout:
    """The layout of ``template`` with the ``@sw_*`` variables of ``data`` (and the panels'
    images at ``image_paths``) set."""
    layout = QgsPrintLayout(project)
    document = QDomDocument()
    document.setContent(template.read_text(encoding="utf-8"))
    _items, loaded = layout.loadFromTemplate(document, QgsReadWriteContext())
    if not loaded:
        raise SiteWatchError(f"The report template {template} cannot be read; reinstall SiteWatch.")
    QgsExpressionContextUtils.setLayoutVariables(layout, layout_variables(data, image_paths))
    return layout


LEGEND_STYLES = (
    QgsLegendStyle.Style.Title,
    QgsLegendStyle.Style.Group,
    QgsLegendStyle.Style.Subgroup,
    QgsLegendStyle.Style.SymbolLabel,
)


def _legend_width(legend: QgsLayoutItemLegend) -> float:
    """The width in mm the legend needs for its content (measured as the legend lays it out)."""
    context = QgsLayoutUtils.createRenderContextForLayout(legend.layout(), None)
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        context.setPainter(painter)
        return float(QgsLegendRenderer(legend.model(), legend.legendSettings()).minimumSize(context).width())
    finally:
        painter.end()


def fill_legend(layout: QgsPrintLayout, layers: ReportLayers) -> None:
    """The status classes and the compound boundary, in the template's legend box: the text
    shrinks (down to 5.5 pt) until the legend is no wider than the box the template gives it."""
    legend = layout.itemById("legend")
    width = legend.sizeWithUnits().width()
    root = legend.model().rootGroup()
    root.clear()
    root.addLayer(layers["after_structures"])
    root.addLayer(layers["compounds"])
    while _legend_width(legend) > width:
        if legend.rstyle(QgsLegendStyle.Style.SymbolLabel).textFormat().size() <= 5.5:
            break
        for style in LEGEND_STYLES:
            text_format = legend.rstyle(style).textFormat()
            text_format.setSize(text_format.size() - 0.5)
            legend.rstyle(style).setTextFormat(text_format)
        legend.setSymbolWidth(max(legend.symbolWidth() - 0.5, 4))
    legend.adjustBoxSize()


def fill_table(layout: QgsPrintLayout, data: ExportData) -> None:
    layout.itemById("compound_table").multiFrame().setContents(table_rows(data))


def pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
    """200 dpi, text kept as text (searchable, copyable)."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 200
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    settings.rasterizeWholeImage = False
    return settings


def write_report(data: ExportData, before_image: str, after_image: str, path: Path) -> Path:
    """Render the report of ``data`` with the two images as a searchable PDF at ``path``."""
    project, layers = report_layers(data, before_image, after_image)
    layout = load_template(project, TEMPLATE, data, (before_image, after_image))
    set_up_maps(layout, layers, site_extent(data))
    fill_legend(layout, layers)
    fill_table(layout, data)
    with tempfile.TemporaryDirectory(prefix="sitewatch-report-") as scratch:
        chart = layout.itemById("damage_chart")
        size = chart.sizeWithUnits()
        chart.setPicturePath(
            str(write_chart(data.statistics, Path(scratch) / "chart.png", size.width(), size.height()))
        )
        layout.refresh()
        result = QgsLayoutExporter(layout).exportToPdf(str(path), pdf_settings())
    if result != QgsLayoutExporter.ExportResult.Success:
        raise SiteWatchError(f"The report could not be written to {path} (layout export error {result}).")
    return path
