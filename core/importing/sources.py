"""Open whatever an analyst has as a QGIS layer: any vector file GDAL reads, OSM extracts
(their ``multipolygons`` layer) and CSV files with a WKT column (Google Open Buildings)."""

from __future__ import annotations

import csv
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsVectorLayer

from ..errors import SiteWatchError
from ..vector_files import why_unreadable

WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom", "wkt_geom", "footprint")
"""CSV column names taken as the WKT geometry (case-insensitive), in order of preference."""

OSM_SUFFIXES = (".pbf", ".osm")
OSM_PROPERTY = "sitewatch/osm"
"""Set on a layer read from an OSM file: only its buildings are kept (``building=*``, not ``no``)."""
OSM_BUILDINGS = '"building" IS NOT NULL AND "building" <> \'no\''


def _wkt_column(path: Path) -> str:
    """The name of the WKT column of a CSV file; a SiteWatchError when there is none."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            header = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError) as error:
        raise SiteWatchError(f"Cannot read the CSV file '{path}': {error}.") from None
    by_lower = {name.strip().lower(): name for name in header}
    for candidate in WKT_COLUMNS:
        if candidate in by_lower:
            return by_lower[candidate]
    raise SiteWatchError(
        f"The CSV file '{path.name}' has no WKT geometry column: name one of its columns "
        f"{' or '.join(WKT_COLUMNS[:2])} (columns found: {', '.join(header) or 'none'})."
    )


def open_source(source: str | QgsVectorLayer) -> QgsVectorLayer:
    """``source`` (a layer, a file path or a QGIS data source string) as a valid vector layer.

    A CSV file's WKT column is read as polygons in the CRS of the ``.prj`` beside it (SiteWatch's
    CSV exports write one), else in EPSG:4326 (as Open Buildings publishes
    them); an OSM file (``.osm.pbf``, ``.osm``) is read through its ``multipolygons`` layer,
    buildings only."""
    if isinstance(source, QgsVectorLayer):
        if not source.isValid():
            raise SiteWatchError(f"The layer '{source.name()}' is not valid (is its file still there?).")
        return source
    text = str(source)
    path = Path(text.split("|", 1)[0])
    if "|" not in text and not path.exists():
        raise SiteWatchError(f"The file '{text}' does not exist.")
    name = path.name
    if "|" not in text and path.suffix.lower() == ".csv":
        column = _wkt_column(path)
        uri = f"{path.as_uri()}?type=csv&wktField={column}&crs=EPSG:4326&detectTypes=yes&geomType=polygon"
        layer = QgsVectorLayer(uri, name, "delimitedtext")
        prj = path.with_suffix(".prj")
        crs = QgsCoordinateReferenceSystem.fromWkt(prj.read_text(encoding="utf-8")) if prj.is_file() else None
        if crs is not None and crs.isValid():
            layer.setCrs(crs)
    elif "|" not in text and path.suffix.lower() in OSM_SUFFIXES:
        layer = QgsVectorLayer(f"{path}|layername=multipolygons", name, "ogr")
        if layer.isValid():  # the multipolygons layer also holds land use, parks…: buildings only
            layer.setSubsetString(OSM_BUILDINGS)
            layer.setCustomProperty(OSM_PROPERTY, True)
    else:
        layer = QgsVectorLayer(text, name, "ogr")
    if not layer.isValid():
        raise SiteWatchError(f"'{text}' cannot be read as a vector layer: {why_unreadable(text)}.")
    return layer


def require_geometry(layer: QgsVectorLayer, wanted: tuple[Qgis.GeometryType, ...], what: str) -> None:
    """Refuse a layer whose geometry type is not one of ``wanted`` (unknown types pass: checked
    per feature)."""
    kind = layer.geometryType()
    if kind == Qgis.GeometryType.Null:
        raise SiteWatchError(f"'{layer.name()}' has no geometry; {what}.")
    if kind in wanted or kind == Qgis.GeometryType.Unknown:
        return
    names = {Qgis.GeometryType.Point: "points", Qgis.GeometryType.Line: "lines", Qgis.GeometryType.Polygon: "polygons"}
    raise SiteWatchError(f"'{layer.name()}' holds {names.get(kind, 'other geometries')}; {what}.")


@contextmanager
def layers_released_on_error() -> Iterator[None]:
    """On a SiteWatchError, clear the locals of the frames it came through.

    A QGIS layer held there would otherwise stay in a traceback reference cycle until a late
    garbage collection, possibly after QGIS has shut down, which crashes the interpreter."""
    try:
        yield
    except SiteWatchError as error:
        traceback.clear_frames(error.__traceback__)
        raise
