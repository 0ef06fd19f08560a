"""Feature edits of a GeoPackage assessment, each in its own OGR transaction.

Features are written through GDAL/OGR directly (not through a layer's edit buffer) so that a
geometry and its ``compound_id`` change in one transaction, a structure's observations are
archived or restored in that same transaction, and a crash can never leave half an edit
behind. Project layers showing the file only need a reload afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from osgeo import ogr
from qgis.core import QgsGeometry

from ..errors import SiteWatchError
from . import schema
from .geopackage_adopt import require_adopted
from .geopackage_sql import OgrSql, archive, insert
from .observations import Observation
from .records import FeatureRecord
from .store import missing_structure_message

ogr.UseExceptions()


def _write_error(path: str, error: Exception) -> SiteWatchError:
    message = str(error)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return SiteWatchError(
            f"{path} is locked by another program; nothing was written. "
            "Close the other program's edit session and try again."
        )
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered or "read only" in lowered:
        return SiteWatchError(f"{path} is read-only; nothing was written. Check the file's permissions.")
    return SiteWatchError(f"Writing {path} failed: {message}; nothing was written.")


def _iso(parts: list[float], kind: str) -> str:
    """An OGR date/time (year, month, day, hour, minute, second, tz flag) as SiteWatch stores it."""
    year, month, day, hour, minute = (int(p) for p in parts[:5])
    if kind == "DATE":
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{float(parts[5]):06.3f}Z"


@contextmanager
def _transaction(path: str, layer_name: str) -> Iterator[tuple[ogr.DataSource, ogr.Layer]]:
    """The OGR layer inside one transaction: committed on success, rolled back on error."""
    require_adopted(path)
    try:
        dataset = ogr.Open(path, 1)
    except RuntimeError as error:
        raise _write_error(path, error) from None
    if dataset is None:  # GDAL only warns when the file cannot be opened for writing
        raise _write_error(path, PermissionError("read-only" if os.path.exists(path) else "the file is missing"))
    try:
        layer = dataset.GetLayerByName(layer_name)
        if layer is None:
            raise SiteWatchError(f"{path} has no layer '{layer_name}'.")
        try:
            dataset.StartTransaction()
        except RuntimeError as error:
            raise _write_error(path, error) from None
        try:
            yield dataset, layer
        except BaseException:
            dataset.RollbackTransaction()
            raise
        try:
            dataset.CommitTransaction()
        except RuntimeError as error:
            dataset.RollbackTransaction()
            raise _write_error(path, error) from None
    finally:
        dataset = None


def _find(layer: ogr.Layer, layer_name: str, feature_id: str) -> ogr.Feature | None:
    id_field = schema.LAYER_BY_NAME[layer_name].id_field
    layer.SetAttributeFilter(f"\"{id_field}\" = '{feature_id.replace(chr(39), chr(39) * 2)}'")
    feature = layer.GetNextFeature()
    layer.SetAttributeFilter(None)
    return feature


def _ogr_geometry(layer_name: str, geometry: QgsGeometry) -> ogr.Geometry:
    geometry = QgsGeometry(geometry)
    if (schema.LAYER_BY_NAME[layer_name].geometry or "").startswith("Multi") and not geometry.isMultipart():
        geometry.convertToMultiType()
    return ogr.CreateGeometryFromWkb(bytes(geometry.asWkb()))


def _record(layer_name: str, feature: ogr.Feature) -> FeatureRecord:
    attributes: dict[str, object] = {}
    for field_def in schema.LAYER_BY_NAME[layer_name].fields:
        name = field_def.name
        if not feature.IsFieldSetAndNotNull(name):
            attributes[name] = None
        elif field_def.kind in ("DATE", "DATETIME"):
            attributes[name] = _iso(feature.GetFieldAsDateTime(name), field_def.kind)
        else:
            attributes[name] = feature.GetField(name)
    geometry = QgsGeometry()
    ogr_geometry = feature.GetGeometryRef()
    if ogr_geometry is not None:
        geometry.fromWkb(bytes(ogr_geometry.ExportToIsoWkb()))
    return FeatureRecord(layer_name, attributes, geometry)


def add(path: str, record: FeatureRecord, observations: Sequence[Observation] = ()) -> None:
    """Write ``record`` as a new feature (its id must not exist yet) and ``observations`` as
    current ones, in one transaction."""
    try:
        with _transaction(path, record.layer_name) as (dataset, layer):
            if _find(layer, record.layer_name, record.feature_id) is not None:
                raise SiteWatchError(
                    f"{record.feature_id} already exists in '{record.layer_name}'; nothing was written."
                )
            feature = ogr.Feature(layer.GetLayerDefn())
            for name, value in record.attributes.items():
                if value is not None:
                    feature.SetField(name, value)
            feature.SetGeometry(_ogr_geometry(record.layer_name, record.geometry))
            layer.CreateFeature(feature)
            structures = dataset.GetLayerByName(schema.STRUCTURES.name)
            for structure_id in sorted({o.structure_id for o in observations}):
                if _find(structures, schema.STRUCTURES.name, structure_id) is None:
                    raise SiteWatchError(missing_structure_message(structure_id, path))
            executor = OgrSql(dataset)
            for observation in observations:
                insert(executor, observation)
    except RuntimeError as error:
        raise _write_error(path, error) from None


def get(path: str, layer_name: str, feature_id: str) -> FeatureRecord | None:
    """The stored feature ``feature_id`` of ``layer_name``, or None."""
    try:
        dataset = ogr.Open(path, 0)
    except RuntimeError:
        dataset = None
    if dataset is None:
        raise SiteWatchError(f"Cannot read {path}; check that the file is still there.")
    try:
        layer = dataset.GetLayerByName(layer_name)
        feature = _find(layer, layer_name, feature_id)
        return None if feature is None else _record(layer_name, feature)
    finally:
        dataset = None


def delete(path: str, layer_name: str, feature_id: str, reason: str) -> FeatureRecord:
    """Delete ``feature_id``; returns it as it was. A structure's observations go to the history
    with ``reason`` in the same transaction."""
    try:
        with _transaction(path, layer_name) as (dataset, layer):
            feature = _find(layer, layer_name, feature_id)
            if feature is None:
                raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (already deleted?).")
            record = _record(layer_name, feature)
            layer.DeleteFeature(feature.GetFID())
            if layer_name == schema.STRUCTURES.name:
                archive(OgrSql(dataset), "structure_id = ?", (feature_id,), reason)
    except RuntimeError as error:
        raise _write_error(path, error) from None
    return record


def update(
    path: str,
    layer_name: str,
    feature_id: str,
    geometry: QgsGeometry | None = None,
    attributes: dict[str, object] | None = None,
) -> FeatureRecord:
    """Change the geometry and/or attributes of ``feature_id`` in one transaction; returns the
    feature as it was before."""
    try:
        with _transaction(path, layer_name) as (_, layer):
            feature = _find(layer, layer_name, feature_id)
            if feature is None:
                raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (deleted?).")
            before = _record(layer_name, feature)
            if geometry is not None:
                feature.SetGeometry(_ogr_geometry(layer_name, geometry))
            for name, value in (attributes or {}).items():
                if value is None:
                    feature.SetFieldNull(name)
                else:
                    feature.SetField(name, value)
            layer.SetFeature(feature)
    except RuntimeError as error:
        raise _write_error(path, error) from None
    return before
