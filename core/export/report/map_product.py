"""The PDF map product: ``resources/report.qpt`` filled with an export's data.

Items are found by id (see :mod:`.report_template`); texts come from ``@sw_*`` layout
variables. Runs in the thread that creates the layers (the algorithm is ``NoThreading``).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutItemMap,
    QgsLayoutItemMapOverview,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRasterLayer,
    QgsReadWriteContext,
    QgsRectangle,
    QgsRendererCategory,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
from qgis.PyQt.QtXml import QDomDocument

from ....scripts.make_report_template import TABLE_STATUSES, TEMPLATE
from ... import values
from ...assessment.observations import now_iso
from ...colours import rgba
from ...damage.table import COUNT_FIELDS
from ...errors import SiteWatchError
from ...imagery.registry import ImageRecord
from ..data import ExportData
from ..stats import ALL, UNASSIGNED
from .chart import write_chart

UNOBSERVED = "unobserved"
_COUNT_FIELD_OF = {code: field for field, code in COUNT_FIELDS.items()} | {"unknown": "n_unknown"}
"""Status code → the statistics field counting it, for the status columns of the compound table."""


def short_label(code: str) -> str:
    """The SiteWatch label without its explanation ("Unknown (cannot be assessed)" → "Unknown")."""
    return values.STATUS_BY_CODE[code].label.split(" (")[0]


def legend_name(code: str, scheme: str) -> str:
    """A status as the report names it: the scheme's name, then the SiteWatch label in
    parentheses only when it differs (case-insensitively). As SiteWatch labels are unique,
    so are these names, even where a scheme merges classes ("Damaged (Moderate damage)")."""
    if code == UNOBSERVED:
        return "Not observed"
    label = short_label(code)
    if scheme == "sitewatch":
        return label
    name = values.status_name(code, scheme)
    return name if name.casefold() == label.casefold() else f"{name} ({label})"


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
            {"color": rgba(status.colour, 150), "outline_color": rgba(status.colour), "outline_width": "0.6"}
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


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value)


def _site_extent(data: ExportData) -> QgsRectangle:
    """The bounding box of the structures and compounds (null when there are none)."""
    extent = QgsRectangle()
    extent.setNull()
    for name in ("structures", "compounds"):
        for wkb in data.tables[name].geometries:
            if wkb is not None:
                geometry = QgsGeometry()
                geometry.fromWkb(wkb)
                extent.combineExtentWith(geometry.boundingBox())
    return extent


def image_area(layers: dict, crs: QgsCoordinateReferenceSystem, combine: str) -> QgsRectangle:
    """The ``"intersect"`` (shown by both panels) or ``"union"`` of the two images' extents in ``crs``."""
    area = None
    for key in ("before_image", "after_image"):
        layer = layers[key]
        extent = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance()).transformBoundingBox(layer.extent())
        if area is None:
            area = extent
        elif combine == "intersect":
            area = area.intersect(extent)
        else:
            area.combineExtentWith(extent)
    return area


def _with_ratio(extent: QgsRectangle, ratio: float, width: float | None = None) -> QgsRectangle:
    """A rectangle of width / height ``ratio`` centred on ``extent`` (covering it, or ``width`` wide)."""
    if width is None:
        width = max(extent.width(), extent.height() * ratio)
    centre = extent.center()
    return QgsRectangle(
        centre.x() - width / 2, centre.y() - width / ratio / 2, centre.x() + width / 2, centre.y() + width / ratio / 2
    )


def panel_extent(site: QgsRectangle, images: QgsRectangle, ratio: float) -> QgsRectangle:
    """The panels' extent: the site with a margin, kept inside the area both images cover
    when the site fits there (so no empty strip shows), else the site (grey beyond the images)."""
    if site.isNull() or site.isEmpty():
        return _with_ratio(images, ratio)
    wanted = _with_ratio(site.buffered(max(site.width(), site.height()) * 0.08), ratio)
    if images.isNull() or images.isEmpty():
        return wanted
    inside = _with_ratio(site, ratio, min(wanted.width(), images.width(), images.height() * ratio))
    dx = max(images.xMinimum() - inside.xMinimum(), 0) + min(images.xMaximum() - inside.xMaximum(), 0)
    dy = max(images.yMinimum() - inside.yMinimum(), 0) + min(images.yMaximum() - inside.yMaximum(), 0)
    inside = QgsRectangle(
        inside.xMinimum() + dx, inside.yMinimum() + dy, inside.xMaximum() + dx, inside.yMaximum() + dy
    )
    return inside if inside.contains(site) else wanted


def _percent(value) -> str:
    return "–" if value is None else f"{value:.1f} %"


def _table_rows(data: ExportData) -> list[list[str]]:
    rows = []
    for row in data.statistics:
        if row["compound"] == UNASSIGNED and not row["n_struct"]:
            continue
        name = row["name"] or row["compound"]
        rows.append(
            [
                f"{name} ({row['compound']})" if row["compound"] not in (ALL, UNASSIGNED) else name,
                str(row["n_struct"]),
                str(row["n_assessed"]),
                *(str(row[_COUNT_FIELD_OF[code]]) for code in TABLE_STATUSES),
                _percent(row["pct_destr"]),
                _percent(row["pct_damag"]),
                "–" if row["n_newdmg"] is None else str(row["n_newdmg"]),
            ]
        )
    return rows


def panel_image(data: ExportData, date: str | None, path: str | None = None) -> ImageRecord | None:
    """The image record a panel shows: the one stored at ``path``, else (as the export picks
    it) the latest image dated on or before ``date``."""
    if path:
        named = [i for i in data.images if i.uri and Path(i.uri).name == Path(path).name]
        if len(named) == 1:
            return named[0]
    candidates = [i for i in data.images if i.acquired and date and i.acquired <= date]
    return max(candidates, key=lambda i: (i.acquired, i.image_id), default=None)


def panel_dates(date: str | None, image: ImageRecord | None) -> str:
    """ "2020-01-08", or "status on 2019-12-01, image of 2019-09-01" when the image is older."""
    if image is None or not image.acquired or image.acquired == date:
        return date or ""
    return f"status on {date}, image of {image.acquired}"


def panel_source(image: ImageRecord | None) -> str:
    """ "Source · sensor" of a panel's image."""
    if image is None:
        return "image not registered"
    return " · ".join(p for p in (image.source, image.sensor) if p) or image.image_id


def _variables(data: ExportData, image_paths: tuple[str | None, str | None] = (None, None)) -> dict[str, str]:
    analysts = sorted({row[11] for row in data.tables["structures"].rows if row[11]})
    gsds = sorted({i.gsd_m for i in data.images if i.gsd_m})
    site_row = next(row for row in data.statistics if row["compound"] == ALL)
    panels = {}
    for key, date, path in (("before", data.before_date, image_paths[0]), ("after", data.after_date, image_paths[1])):
        image = panel_image(data, date, path)
        panels.update(
            {
                f"sw_{key}_source": panel_source(image),
                f"sw_{key}_dates": panel_dates(date, image),
                f"sw_{key}_image": (image.acquired or "") if image else "",
            }
        )
    return {
        "sw_site": data.site,
        "sw_before": data.before_date or "",
        "sw_after": data.after_date,
        **panels,
        "sw_analysts": ", ".join(analysts) or "not recorded",
        "sw_scheme": data.scheme,
        "sw_crs": f"{data.crs.description()} ({data.crs.authid()})",
        "sw_gsd": " / ".join(f"{g:g}" for g in gsds) or "unknown",
        "sw_created": now_iso()[:10],
        "sw_structures": str(site_row["n_struct"]),
        "sw_compounds": str(len(data.tables["compounds"].rows)),
        "sw_assessment": Path(data.assessment).name,
        "sw_summary": data.sentence,
    }


def _set_up_maps(layout: QgsPrintLayout, layers: dict, site: QgsRectangle) -> None:
    crs = layers["compounds"].crs()
    maps = {}
    for key in ("before", "after"):
        item: QgsLayoutItemMap = layout.itemById(f"{key}_map")
        item.setLayers([layers["compounds"], layers[f"{key}_structures"], layers[f"{key}_image"]])
        item.setKeepLayerSet(True)
        item.setCrs(crs)
        size = item.sizeWithUnits()
        item.setExtent(panel_extent(site, image_area(layers, crs, "intersect"), size.width() / size.height()))
        maps[key] = item
    interval = _nice(maps["after"].extent().width() / 4)
    for item in maps.values():
        grid = item.grids().grid(0)
        if grid is not None:
            grid.setIntervalX(interval)
            grid.setIntervalY(interval)
            grid.setAnnotationPrecision(0 if interval >= 1 else 5)
    overview_map: QgsLayoutItemMap = layout.itemById("overview_map")
    overview_map.setLayers([layers["after_image"]])
    overview_map.setKeepLayerSet(True)
    overview_map.setCrs(crs)
    # Three times the panels' extent, so the locator frame is a small part of the inset.
    panel = maps["after"].extent()
    wide = panel.buffered(max(panel.width(), panel.height()))
    wide.combineExtentWith(image_area(layers, crs, "union"))
    overview_map.zoomToExtent(wide)
    overview = QgsLayoutItemMapOverview("site", overview_map)
    overview.setLinkedMap(maps["after"])
    overview.setFrameSymbol(
        QgsFillSymbol.createSimple(
            {"color": rgba("#e0201b", 50), "outline_color": rgba("#e0201b"), "outline_width": "0.6"}
        )
    )
    overview_map.overviews().addOverview(overview)
    scale_bar = layout.itemById("scale_bar")
    scale_bar.setLinkedMap(maps["after"])
    scale_bar.setUnits(Qgis.DistanceUnit.Meters)
    scale_bar.setNumberOfSegmentsLeft(0)
    scale_bar.setNumberOfSegments(3)
    scale_bar.setUnitsPerSegment(_nice(maps["after"].extent().width() / 6))


def report_layers(data: ExportData, before_image: str, after_image: str) -> tuple[QgsProject, dict]:
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
    QgsExpressionContextUtils.setLayoutVariables(layout, _variables(data, image_paths))
    return layout


LEGEND_STYLES = (
    QgsLegendStyle.Style.Title,
    QgsLegendStyle.Style.Group,
    QgsLegendStyle.Style.Subgroup,
    QgsLegendStyle.Style.SymbolLabel,
)


def _legend_width(legend) -> float:
    """The width in mm the legend needs for its content (measured as the legend lays it out)."""
    context = QgsLayoutUtils.createRenderContextForLayout(legend.layout(), None)
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        context.setPainter(painter)
        return QgsLegendRenderer(legend.model(), legend.legendSettings()).minimumSize(context).width()
    finally:
        painter.end()


def fill_legend(layout: QgsPrintLayout, layers: dict) -> None:
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
    layout.itemById("compound_table").multiFrame().setContents(_table_rows(data))


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
    _set_up_maps(layout, layers, _site_extent(data))
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
