"""The assessment contract from the README, written out independently of core/assessment/schema.py."""

from __future__ import annotations

from pathlib import Path

from osgeo import ogr

EXPECTED = {
    "imagery": (
        "Polygon",
        [
            ("image_id", "String"),
            ("acquired", "Date"),
            ("source", "String"),
            ("sensor", "String"),
            ("uri", "String"),
            ("gsd_m", "Real"),
            ("notes", "String"),
        ],
    ),
    "compounds": ("Multi Polygon", [("compound_id", "String"), ("name", "String"), ("notes", "String")]),
    "structures": (
        "Multi Polygon",
        [
            ("structure_id", "String"),
            ("type", "String"),
            ("compound_id", "String"),
            ("name", "String"),
            ("notes", "String"),
            ("created_by", "String"),
            ("created_at", "DateTime"),
        ],
    ),
    "observations": (
        "None",
        [
            ("structure_id", "String"),
            ("observed_on", "Date"),
            ("image_id", "String"),
            ("status", "String"),
            ("confidence", "String"),
            ("analyst", "String"),
            ("recorded_at", "DateTime"),
            ("notes", "String"),
        ],
    ),
    "linear_features": (
        "Multi Line String",
        [
            ("feature_id", "String"),
            ("type", "String"),
            ("first_seen", "Date"),
            ("notes", "String"),
            ("removed_on", "Date"),
        ],
    ),
    "point_features": (
        "Point",
        [
            ("feature_id", "String"),
            ("type", "String"),
            ("observed_on", "Date"),
            ("image_id", "String"),
            ("notes", "String"),
        ],
    ),
}


def read_schema(path: Path) -> dict:
    dataset = ogr.Open(str(path))
    found = {}
    for i in range(dataset.GetLayerCount()):
        layer = dataset.GetLayer(i)
        defn = layer.GetLayerDefn()
        field_defns = [defn.GetFieldDefn(j) for j in range(defn.GetFieldCount())]
        fields = [(f.GetName(), f.GetFieldTypeName(f.GetType())) for f in field_defns]
        found[layer.GetName()] = (
            ogr.GeometryTypeToName(layer.GetGeomType()),
            fields,
            layer.GetSpatialRef().GetAuthorityCode(None) if layer.GetSpatialRef() else None,
        )
    return found
