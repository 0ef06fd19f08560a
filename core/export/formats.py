"""Writers of the export formats: each writes an :class:`ExportData` into a folder.

The GeoPackage is written first (always, aside when it is not asked for) and shapefiles and
GeoJSON are translated from it by GDAL; KML and CSV are written directly, except the
observations CSV, read back from the GeoPackage's table (the store copied it there).

GeoPackage and shapefiles keep the assessment's CRS; GeoJSON (RFC 7946) and KML are in
WGS 84 as their readers expect. Field names are those of :mod:`.export_fields` everywhere.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from osgeo import gdal, ogr, osr

from ..assessment.export_rows import package_rows
from ..assessment.geopackage_sql import quote_identifier, sql
from . import fields as ef
from . import gpkg_fill
from .data import ExportData, Table
from .kml import write_kml
from .srs import spatial_reference

gdal.UseExceptions()
ogr.UseExceptions()

FORMATS: tuple[str, ...] = ("GeoPackage", "ESRI Shapefile", "GeoJSON", "KML", "CSV")
"""Format names as the FORMATS parameter takes them (OGR driver names)."""

_OGR_TYPES = {
    "TEXT": ogr.OFTString,
    "DATE": ogr.OFTDate,
    "DATETIME": ogr.OFTDateTime,
    "REAL": ogr.OFTReal,
    "INTEGER": ogr.OFTInteger,
}
_GEOMETRY_TYPES = {"Polygon": ogr.wkbMultiPolygon, "LineString": ogr.wkbMultiLineString, "Point": ogr.wkbPoint}
_FORCE = {"Polygon": ogr.ForceToMultiPolygon, "LineString": ogr.ForceToMultiLineString, "Point": lambda g: g}


def _create_layer(
    dataset: ogr.DataSource, table: Table, srs: osr.SpatialReference | None, options: list[str]
) -> ogr.Layer:
    geometry = table.layer.geometry
    spatial = geometry is not None
    layer = dataset.CreateLayer(
        table.layer.name,
        srs if spatial else None,
        _GEOMETRY_TYPES[geometry] if geometry is not None else ogr.wkbNone,
        options,
    )
    for out_field in table.layer.fields:
        layer.CreateField(ogr.FieldDefn(out_field.name, _OGR_TYPES[out_field.kind]))
    return layer


_SETTERS = {
    "TEXT": ogr.Feature.SetFieldString,
    "DATE": ogr.Feature.SetFieldString,
    "DATETIME": ogr.Feature.SetFieldString,
    "REAL": ogr.Feature.SetField,
    "INTEGER": ogr.Feature.SetFieldInteger64,
}


def _fill(layer: ogr.Layer, table: Table) -> None:
    """Write ``table``'s rows in one transaction."""
    definition = layer.GetLayerDefn()
    setters = [
        (definition.GetFieldIndex(f.name), _SETTERS[f.kind], str if f.kind in ("TEXT", "DATE", "DATETIME") else None)
        for f in table.layer.fields
    ]
    force = _FORCE[table.layer.geometry] if table.layer.geometry else None
    layer.StartTransaction()
    for number, row in enumerate(table.rows):
        feature = ogr.Feature(definition)
        for (index, setter, convert), value in zip(setters, row):
            if value is not None:
                setter(feature, index, convert(value) if convert else value)
        if force is not None and table.geometries[number] is not None:
            feature.SetGeometryDirectly(force(ogr.CreateGeometryFromWkb(table.geometries[number])))
        layer.CreateFeature(feature)
    layer.CommitTransaction()


def write_geopackage(data: ExportData, path: Path) -> list[Path]:
    """Every layer and table in one GeoPackage; the other OGR formats are translated from it.

    A table the store copies (:attr:`.Table.copy`: the observations, millions of rows at country
    scale, too many for one Python call per value) is created empty and filled by the store
    once GDAL has closed the file; so is every other table :mod:`.gpkg_fill` can write in SQLite
    as OGR would (the rest are written feature by feature through OGR)."""
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = spatial_reference(data.crs)
    copies = []
    prepared = []
    try:
        for table in data.tables.values():
            layer = _create_layer(dataset, table, srs, ["FID=fid", "GEOMETRY_NAME=geom"])
            rows = gpkg_fill.prepare(table)
            if table.copy is not None or rows is not None:
                layer.SyncToDisk()  # created now (GDAL defers it), so the layers keep their order
                copies += [table.copy] if table.copy is not None else []
                prepared += [rows] if rows is not None else []
            else:
                _fill(layer, table)
    finally:
        dataset = None
    gpkg_fill.fill(path, prepared)  # the rows in SQLite, as OGR would have written them
    for copy in copies:
        copy(path)
    return [path]


def _translate(package: Path, layer_name: str, target: Path, driver: str, **options: object) -> None:
    result = gdal.VectorTranslate(
        str(target), str(package), format=driver, layers=[layer_name], layerName=target.stem, **options
    )
    if result is None:
        raise RuntimeError(f"could not write {target.name}")
    result = None


_SHAPEFILE_WIDTH = 254
"""The widest field a .dbf holds."""


def shapefile_width(values: list[object]) -> int:
    """The width GDAL's ``RESIZE=YES`` gives a text or integer field holding ``values``: the
    longest in UTF-8 bytes as the .dbf reads it back (spaces at either end trimmed), at least 1,
    at most 254."""
    longest = max((len(str(v).encode("utf-8").strip(b" ")) for v in values if v is not None), default=1)
    return min(max(longest, 1), _SHAPEFILE_WIDTH)


def _sized_select(table: Table) -> str:
    """An OGR SQL SELECT of ``table``'s layer in the GeoPackage whose text and integer fields are
    cast to the width RESIZE would shrink them to: the .dbf is written at its final width at
    once (RESIZE rewrites the whole .dbf once per field it shrinks: four times the work)."""
    columns = []
    for number, out_field in enumerate(table.layer.fields):
        name = quote_identifier(out_field.name)
        if out_field.kind in ("TEXT", "INTEGER"):
            width = shapefile_width([row[number] for row in table.rows])
            kind = "character" if out_field.kind == "TEXT" else "integer"
            columns.append(f"CAST({name} AS {kind}({width})) AS {name}")
        else:
            columns.append(name)
    # names from .fields (quoted), widths computed here: no outside text in the statement
    return sql("SELECT {columns} FROM {table}", {"columns": ", ".join(columns)}, table=table.layer.name)


def write_shapefiles(data: ExportData, folder: Path, prefix: str, package: Path) -> list[Path]:
    """One shapefile per layer (each layer has one geometry type), UTF-8 with a .cpg and .prj,
    text fields as wide as their longest value (as GDAL's RESIZE=YES makes them)."""
    written = []
    for layer_def in ef.SPATIAL_LAYERS:
        path = folder / f"{prefix}_{layer_def.name}.shp"
        result = gdal.VectorTranslate(
            str(path),
            str(package),
            format="ESRI Shapefile",
            SQLStatement=_sized_select(data.tables[layer_def.name]),
            SQLDialect="OGRSQL",
            layerName=path.stem,
            layerCreationOptions=["ENCODING=UTF-8"],
        )
        if result is None:
            raise RuntimeError(f"could not write {path.name}")
        result = None
        written += [path.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
    return written


def write_geojson(data: ExportData, folder: Path, prefix: str, package: Path) -> list[Path]:
    """One RFC 7946 GeoJSON file (WGS 84) per layer."""
    written = []
    for layer_def in ef.SPATIAL_LAYERS:
        path = folder / f"{prefix}_{layer_def.name}.geojson"
        _translate(
            package,
            layer_def.name,
            path,
            "GeoJSON",
            dstSRS="EPSG:4326",
            layerCreationOptions=["RFC7946=YES", "WRITE_NAME=NO"],
        )
        written.append(path)
    return written


_CSVT_TYPES = {"TEXT": "String", "DATE": "Date", "DATETIME": "DateTime", "REAL": "Real", "INTEGER": "Integer"}


def _write_csv(table: Table, path: Path, package: Path | None = None) -> list[Path]:
    """UTF-8 CSV (with a BOM, so spreadsheets see the encoding) and a .csvt of the field
    types that OGR and QGIS read; ISO dates; spatial layers get a ``WKT`` geometry column
    (their .prj: :func:`write_csv_projections`). A table the store copied is read back from
    ``package``, the GeoPackage."""
    spatial = table.layer.geometry is not None
    header = list(table.layer.field_names()) + (["WKT"] if spatial else [])
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write("\ufeff")  # the BOM; "utf-8-sig" would encode every row in Python, not C
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        # the csv module writes None as an empty cell, a float as its repr and anything else as
        # its str, all in C: millions of observation rows go through without a Python call each
        if spatial:
            for row, wkb in zip(table.rows, table.geometries):
                writer.writerow((*row, ogr.CreateGeometryFromWkb(wkb).ExportToIsoWkt() if wkb else ""))
        elif table.copy is not None and package is not None:
            writer.writerows(package_rows(package, table.layer.name, table.layer.field_names()))
        else:
            writer.writerows(table.rows)
    types = [_CSVT_TYPES[f.kind] for f in table.layer.fields] + (["WKT"] if spatial else [])
    path.with_suffix(".csvt").write_text(",".join(types) + "\n", encoding="ascii")
    return [path, path.with_suffix(".csvt")]


def write_csv_layers(data: ExportData, folder: Path, prefix: str, package: Path) -> list[Path]:
    """The spatial layers as CSV with a WKT geometry column (in the assessment's CRS); their
    .prj is written by :func:`write_csv_projections` once every writer is done."""
    written = []
    for layer_def in ef.SPATIAL_LAYERS:
        written += _write_csv(data.tables[layer_def.name], folder / f"{prefix}_{layer_def.name}.csv")
    return written


def write_csv_projections(data: ExportData, folder: Path, prefix: str) -> list[Path]:
    """The .prj of each layer's CSV. A layer's shapefile has the same .prj name and is written
    on another thread at the same time (see .parallel): written after both, the CSV's is the one
    kept, as when the shapefiles were written before the CSV."""
    crs_wkt = spatial_reference(data.crs).ExportToWkt()
    written = []
    for layer_def in ef.SPATIAL_LAYERS:
        path = folder / f"{prefix}_{layer_def.name}.prj"
        path.write_text(crs_wkt + "\n", encoding="ascii")
        written.append(path)
    return written


def table_csv(folder: Path, prefix: str) -> dict[str, Path]:
    """Where :func:`write_tables` writes each table (layer name → CSV file)."""
    return {layer_def.name: folder / f"{prefix}_{layer_def.name}.csv" for layer_def in ef.TABLES}


def write_tables(data: ExportData, folder: Path, prefix: str, package: Path) -> list[Path]:
    """observations, summary and imagery as CSV: written by every export, after the
    GeoPackage ``package`` (the observations are read back from it)."""
    written = []
    for name, path in table_csv(folder, prefix).items():
        written += _write_csv(data.tables[name], path, package)
    return written


WRITERS: dict[str, Callable[[ExportData, Path, str, Path], list[Path]]] = {
    "ESRI Shapefile": write_shapefiles,
    "GeoJSON": write_geojson,
    "KML": write_kml,
    "CSV": write_csv_layers,
}

GDAL_WRITERS = ("GeoJSON", "ESRI Shapefile")
"""The writers that are GDAL translations of the GeoPackage (no Python work per feature: GDAL
releases the GIL), written on a second thread beside the others; the longest first."""
