"""A GeoPackage "made elsewhere": the contract's six layers and fields written by plain OGR, as
a script following the published contract would write them — an extra field, the optional
``linear_features.removed_on`` missing, and none of SiteWatch's internal tables
(``observation_history``, ``sitewatch_meta``, ``layer_styles``)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from osgeo import ogr, osr

ORIGIN = (500000.0, 3600000.0)
BEFORE, AFTER = "2019-09-01", "2020-01-08"
LAYERS = {
    "imagery": (
        ogr.wkbPolygon,
        [("image_id", ogr.OFTString), ("acquired", ogr.OFTDate), ("source", ogr.OFTString)]
        + [("sensor", ogr.OFTString), ("uri", ogr.OFTString), ("gsd_m", ogr.OFTReal), ("notes", ogr.OFTString)],
    ),
    "compounds": (
        ogr.wkbMultiPolygon,
        [("compound_id", ogr.OFTString), ("name", ogr.OFTString), ("notes", ogr.OFTString)],
    ),
    "structures": (
        ogr.wkbMultiPolygon,
        [("structure_id", ogr.OFTString), ("type", ogr.OFTString), ("compound_id", ogr.OFTString)]
        + [("name", ogr.OFTString), ("notes", ogr.OFTString), ("created_by", ogr.OFTString)]
        + [("created_at", ogr.OFTDateTime), ("height_m", ogr.OFTReal)],  # height_m: the script's own field
    ),
    "observations": (
        ogr.wkbNone,
        [("structure_id", ogr.OFTString), ("observed_on", ogr.OFTDate), ("image_id", ogr.OFTString)]
        + [("status", ogr.OFTString), ("confidence", ogr.OFTString), ("analyst", ogr.OFTString)]
        + [("recorded_at", ogr.OFTDateTime), ("notes", ogr.OFTString)],
    ),
    "linear_features": (
        ogr.wkbMultiLineString,
        [("feature_id", ogr.OFTString), ("type", ogr.OFTString), ("first_seen", ogr.OFTDate), ("notes", ogr.OFTString)],
    ),
    "point_features": (
        ogr.wkbPoint,
        [("feature_id", ogr.OFTString), ("type", ogr.OFTString), ("observed_on", ogr.OFTDate)]
        + [("image_id", ogr.OFTString), ("notes", ogr.OFTString)],
    ),
}
# id, x0, y0 (m from ORIGIN), before status, after status
STRUCTURES = (
    ("B1", 10, 10, "intact", "destroyed"),
    ("B2", 40, 10, "intact", "severe"),
    ("B3", 70, 10, "intact", "intact"),
    ("B4", 10, 60, "possible", "moderate"),
)


def _square(x0: float, y0: float, size: float, multi: bool = True) -> str:
    x, y = ORIGIN[0] + x0, ORIGIN[1] + y0
    ring = f"(({x} {y},{x + size} {y},{x + size} {y + size},{x} {y + size},{x} {y}))"
    return f"MULTIPOLYGON({ring})" if multi else f"POLYGON{ring}"


def write_foreign_gpkg(path: Path, duplicate_id: bool = False) -> Path:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layers = {}
    for name, (geometry, fields) in LAYERS.items():
        layer = dataset.CreateLayer(name, srs if geometry != ogr.wkbNone else None, geometry)
        for field_name, kind in fields:
            layer.CreateField(ogr.FieldDefn(field_name, kind))
        layers[name] = layer

    def add(name: str, values: dict[str, object], wkt: str | None = None) -> None:
        feature = ogr.Feature(layers[name].GetLayerDefn())
        for key, value in values.items():
            feature.SetField(key, value)
        if wkt:
            feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layers[name].CreateFeature(feature)

    for image_id, date in (("I1", BEFORE), ("I2", AFTER)):
        add(
            "imagery",
            {"image_id": image_id, "acquired": date, "uri": f"{image_id}.tif", "gsd_m": 0.5},
            _square(0, 0, 120, multi=False),
        )
    add("compounds", {"compound_id": "K1", "name": "Depot"}, _square(0, 0, 100))
    for number, (sid, x0, y0, before, after) in enumerate(STRUCTURES):
        sid = "B1" if duplicate_id and number == 1 else sid
        add(
            "structures",
            {"structure_id": sid, "type": "warehouse", "compound_id": "K1", "height_m": 6.5},
            _square(x0, y0, 20),
        )
        add("observations", {"structure_id": sid, "observed_on": BEFORE, "image_id": "I1", "status": before})
        add(
            "observations",
            {
                "structure_id": sid,
                "observed_on": AFTER,
                "image_id": "I2",
                "status": after,
                "confidence": "high",
                "analyst": "script",
            },
        )
    add(
        "linear_features",
        {"feature_id": "L1", "type": "road", "first_seen": BEFORE},
        f"MULTILINESTRING(({ORIGIN[0]} {ORIGIN[1] + 50},{ORIGIN[0] + 100} {ORIGIN[1] + 50}))",
    )
    add(
        "point_features",
        {"feature_id": "P1", "type": "impact_crater", "observed_on": AFTER},
        f"POINT({ORIGIN[0] + 90} {ORIGIN[1] + 90})",
    )
    dataset = None
    return path


def row_checksums(path: Path) -> dict[str, str]:
    """SHA-256 of every contract layer's rows as SQLite stores them (the columns the script wrote)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        sums = {}
        for name, (geometry, fields) in LAYERS.items():
            columns = ["fid"] + [f for f, _ in fields] + ([] if geometry == ogr.wkbNone else ["geom"])
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(f'SELECT {quoted} FROM "{name}" ORDER BY fid').fetchall()
            sums[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return sums
    finally:
        connection.close()


def tables(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def write_version1_assessment(path: Path) -> Path:
    """An assessment as SiteWatch's schema 1 wrote it: the contract's layers without the optional
    ``linear_features.removed_on``, ``observation_history`` and ``sitewatch_meta`` with
    ``schema_version`` 1."""
    write_foreign_gpkg(path)
    dataset = ogr.Open(str(path), 1)
    history = dataset.CreateLayer("observation_history", None, ogr.wkbNone)
    for field_name, kind in LAYERS["observations"][1] + [("archived_at", ogr.OFTDateTime), ("reason", ogr.OFTString)]:
        history.CreateField(ogr.FieldDefn(field_name, kind))
    dataset.ExecuteSQL('CREATE TABLE "sitewatch_meta" (key TEXT PRIMARY KEY, value TEXT)')
    for key, value in (("schema_version", "1"), ("site_name", "Old site"), ("created_at", "2024-05-01T08:00:00.000Z")):
        dataset.ExecuteSQL(f"INSERT INTO sitewatch_meta VALUES ('{key}', '{value}')")
    dataset = None
    return path
