"""Upgrade step: add ``linear_features.removed_on`` (DATE, empty) to an assessment made before
it was in the contract. Idempotent; written through OGR so GeoPackage metadata stays right.

Kept in its own module until the general list of upgrade steps exists; that list can call
:func:`add_optional_fields` as one step."""

from __future__ import annotations

import os
from pathlib import Path

from osgeo import gdal, ogr

from ..errors import SiteWatchError
from . import schema

gdal.UseExceptions()
ogr.UseExceptions()

_OGR_TYPES = {"DATE": ogr.OFTDate, "TEXT": ogr.OFTString, "REAL": ogr.OFTReal, "INTEGER": ogr.OFTInteger64}


def missing_optional_fields(path: str | os.PathLike[str]) -> dict[str, list[schema.FieldDef]]:
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
    try:
        missing: dict[str, list[schema.FieldDef]] = {}
        for layer_name, field_defs in schema.OPTIONAL_FIELDS.items():
            layer = dataset.GetLayerByName(layer_name)
            if layer is None:
                continue
            defn = layer.GetLayerDefn()
            present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
            absent = [f for f in field_defs if f.name not in present]
            if absent:
                missing[layer_name] = absent
        return missing
    finally:
        dataset = None


def add_optional_fields(path: str | os.PathLike[str]) -> int:
    """Add every missing optional field; returns how many were added (0 when the file is
    up to date or cannot be written: it then stays as it is and readers treat them as empty)."""
    missing = missing_optional_fields(path)
    if not missing or not os.access(Path(path), os.W_OK) or not os.access(Path(path).parent, os.W_OK):
        return 0
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE, allowed_drivers=["GPKG"])
    except RuntimeError as error:
        raise SiteWatchError(f"Cannot upgrade {path}: {error}. Check that it is writable.") from None
    added = 0
    try:
        for layer_name, field_defs in missing.items():
            layer = dataset.GetLayerByName(layer_name)
            for field in field_defs:
                layer.CreateField(ogr.FieldDefn(field.name, _OGR_TYPES[field.kind]))
                added += 1
    except RuntimeError as error:
        raise SiteWatchError(f"Upgrading {path} failed: {error}.") from None
    finally:
        dataset = None
    return added
