"""Drawn features: geometry checks, the rotated rectangle, and writing features to the
assessment, each change in its own GeoPackage transaction.

Features are written through GDAL/OGR directly (not through a layer's edit buffer) so that a
geometry and its ``compound_id`` change in one transaction, and a crash can never leave half
an edit behind. Project layers showing the file only need a reload afterwards.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from osgeo import ogr
from qgis.core import Qgis, QgsGeometry, QgsPointXY

from ..assessment import schema
from ..assessment.observations import now_iso
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from .compounds import CompoundIndex

ogr.UseExceptions()

MIN_AREA_M2 = 0.01
"""Polygons smaller than this (in square layer units) are taken as mis-clicks."""


@dataclass(frozen=True)
class FeatureRecord:
    """One feature of a contract layer as stored: its attributes (id field included) and
    its geometry in the layer CRS."""

    layer_name: str
    attributes: dict[str, object]
    geometry: QgsGeometry = field(compare=False)

    @property
    def feature_id(self) -> str:
        return str(self.attributes[schema.LAYER_BY_NAME[self.layer_name].id_field])


def rotated_rectangle(first: QgsPointXY, second: QgsPointXY, third: QgsPointXY) -> QgsGeometry:
    """The rectangle with one wall from ``first`` to ``second`` whose width is the distance
    of ``third`` from that wall, on the side of ``third``."""
    dx, dy = second.x() - first.x(), second.y() - first.y()
    length = math.hypot(dx, dy)
    if length == 0:
        raise SiteWatchError("The two clicks along the wall are at the same place; click both ends of a wall.")
    normal_x, normal_y = -dy / length, dx / length
    width = (third.x() - first.x()) * normal_x + (third.y() - first.y()) * normal_y
    if width == 0:
        raise SiteWatchError("The third click is on the wall itself; click where the opposite wall is.")
    offset_x, offset_y = normal_x * width, normal_y * width
    corners = [
        first, second,
        QgsPointXY(second.x() + offset_x, second.y() + offset_y),
        QgsPointXY(first.x() + offset_x, first.y() + offset_y),
    ]
    return QgsGeometry.fromPolygonXY([corners + [first]])


def checked_polygon(geometry: QgsGeometry, what: str) -> QgsGeometry:
    """``geometry`` as a valid polygon, or a SiteWatchError saying what is wrong with it."""
    if geometry is None or geometry.isEmpty() or geometry.type() != Qgis.GeometryType.Polygon:
        raise SiteWatchError(f"The {what} needs at least three corners; nothing was saved.")
    errors = geometry.validateGeometry(Qgis.GeometryValidationEngine.Geos)
    if errors:
        where = errors[0].where() if errors[0].hasWhere() else None
        place = f" near {where.x():.1f}, {where.y():.1f}" if where is not None else ""
        raise SiteWatchError(
            f"The {what} is not a valid polygon ({errors[0].what()}{place}); "
            "its outline must not cross itself. Nothing was saved; draw it again."
        )
    if geometry.area() < MIN_AREA_M2:
        raise SiteWatchError(f"The {what} has no area; nothing was saved. Draw it again.")
    return geometry


def checked_line(geometry: QgsGeometry, what: str) -> QgsGeometry:
    if geometry is None or geometry.isEmpty() or geometry.length() <= 0:
        raise SiteWatchError(f"The {what} needs at least two distinct points; nothing was saved.")
    return geometry


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


def _iso(parts: list, kind: str) -> str:
    """An OGR date/time (year, month, day, hour, minute, second, tz flag) as SiteWatch stores it."""
    year, month, day, hour, minute = (int(p) for p in parts[:5])
    if kind == "DATE":
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{float(parts[5]):06.3f}Z"


class FeatureWriter:
    """Adds, deletes and reshapes features of one assessment, one transaction per change."""

    def __init__(self, store: AssessmentStore):
        self.store = store

    @contextmanager
    def _layer(self, layer_name: str, also: Callable[[ogr.DataSource], None] | None = None) -> Iterator[ogr.Layer]:
        """The OGR layer inside one transaction: committed on success, rolled back on error.
        ``also`` runs last in the same transaction (e.g. the observations of a structure)."""
        try:
            dataset = ogr.Open(self.store.location, 1)
        except RuntimeError as error:
            raise _write_error(self.store.location, error) from None
        if dataset is None:  # GDAL only warns when the file cannot be opened for writing
            raise _write_error(self.store.location, PermissionError("read-only" if os.path.exists(
                self.store.location) else "the file is missing"))
        try:
            layer = dataset.GetLayerByName(layer_name)
            if layer is None:
                raise SiteWatchError(f"{self.store.location} has no layer '{layer_name}'.")
            try:
                dataset.StartTransaction()
            except RuntimeError as error:
                raise _write_error(self.store.location, error) from None
            try:
                yield layer
                if also is not None:
                    also(dataset)
            except BaseException:
                dataset.RollbackTransaction()
                raise
            try:
                dataset.CommitTransaction()
            except RuntimeError as error:
                dataset.RollbackTransaction()
                raise _write_error(self.store.location, error) from None
        finally:
            dataset = None

    @staticmethod
    def _find(layer: ogr.Layer, layer_name: str, feature_id: str) -> ogr.Feature | None:
        id_field = schema.LAYER_BY_NAME[layer_name].id_field
        layer.SetAttributeFilter(f"\"{id_field}\" = '{feature_id.replace(chr(39), chr(39) * 2)}'")
        feature = layer.GetNextFeature()
        layer.SetAttributeFilter(None)
        return feature

    @staticmethod
    def _ogr_geometry(layer_name: str, geometry: QgsGeometry) -> ogr.Geometry:
        geometry = QgsGeometry(geometry)
        if schema.LAYER_BY_NAME[layer_name].geometry.startswith("Multi") and not geometry.isMultipart():
            geometry.convertToMultiType()
        return ogr.CreateGeometryFromWkb(bytes(geometry.asWkb()))

    def add(self, record: FeatureRecord, also: Callable[[ogr.DataSource], None] | None = None) -> None:
        """Write ``record`` as a new feature (its id must not exist yet); ``also`` writes more in
        the same transaction."""
        try:
            with self._layer(record.layer_name, also) as layer:
                if self._find(layer, record.layer_name, record.feature_id) is not None:
                    raise SiteWatchError(
                        f"{record.feature_id} already exists in '{record.layer_name}'; nothing was written."
                    )
                feature = ogr.Feature(layer.GetLayerDefn())
                for name, value in record.attributes.items():
                    if value is not None:
                        feature.SetField(name, value)
                feature.SetGeometry(self._ogr_geometry(record.layer_name, record.geometry))
                layer.CreateFeature(feature)
        except RuntimeError as error:
            raise _write_error(self.store.location, error) from None

    def get(self, layer_name: str, feature_id: str) -> FeatureRecord | None:
        """The stored feature ``feature_id`` of ``layer_name``, or None."""
        try:
            dataset = ogr.Open(self.store.location, 0)
        except RuntimeError:
            dataset = None
        if dataset is None:
            raise SiteWatchError(f"Cannot read {self.store.location}; check that the file is still there.")
        try:
            layer = dataset.GetLayerByName(layer_name)
            feature = self._find(layer, layer_name, feature_id)
            if feature is None:
                return None
            return self._record(layer_name, feature)
        finally:
            dataset = None

    @staticmethod
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

    def delete(self, layer_name: str, feature_id: str,
               also: Callable[[ogr.DataSource], None] | None = None) -> FeatureRecord:
        """Delete feature ``feature_id``; returns it as it was. ``also`` writes more in the same
        transaction."""
        try:
            with self._layer(layer_name, also) as layer:
                feature = self._find(layer, layer_name, feature_id)
                if feature is None:
                    raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (already deleted?).")
                record = self._record(layer_name, feature)
                layer.DeleteFeature(feature.GetFID())
        except RuntimeError as error:
            raise _write_error(self.store.location, error) from None
        return record

    def update(self, layer_name: str, feature_id: str, geometry: QgsGeometry | None = None,
               attributes: dict[str, object] | None = None) -> FeatureRecord:
        """Change the geometry and/or attributes of ``feature_id`` in one transaction;
        returns the feature as it was before."""
        try:
            with self._layer(layer_name) as layer:
                feature = self._find(layer, layer_name, feature_id)
                if feature is None:
                    raise SiteWatchError(f"{feature_id} is not in '{layer_name}' (deleted?).")
                before = self._record(layer_name, feature)
                if geometry is not None:
                    feature.SetGeometry(self._ogr_geometry(layer_name, geometry))
                for name, value in (attributes or {}).items():
                    if value is None:
                        feature.SetFieldNull(name)
                    else:
                        feature.SetField(name, value)
                layer.SetFeature(feature)
        except RuntimeError as error:
            raise _write_error(self.store.location, error) from None
        return before

    def compound_index(self) -> CompoundIndex:
        """The current compounds, indexed for assignment."""
        layer = self.store.layer(schema.COMPOUNDS.name)
        return CompoundIndex((f["compound_id"], f.geometry()) for f in layer.getFeatures())


@dataclass(frozen=True)
class NewFeature:
    """What the analyst chose for a feature about to be drawn, and the image it was seen on."""

    layer_name: str
    type_code: str | None
    analyst: str
    image_id: str | None = None
    image_date: str | None = None


def new_record(store: AssessmentStore, choice: NewFeature, geometry: QgsGeometry,
               compounds: CompoundIndex | None = None) -> FeatureRecord:
    """A checked, complete record for a freshly drawn feature: stable id, type, compound,
    author and time. Raises SiteWatchError for a geometry that cannot be saved."""
    name = choice.layer_name
    layer_def = schema.LAYER_BY_NAME[name]
    if layer_def.geometry in ("Polygon", "MultiPolygon"):
        checked_polygon(geometry, "structure outline" if name == schema.STRUCTURES.name else "compound outline")
    elif layer_def.geometry == "MultiLineString":
        checked_line(geometry, "line")
    try:
        feature_id = store.next_id(name)
    except sqlite3.Error as error:  # the store's reads do not translate busy / locked errors
        raise _write_error(store.location, error) from None
    attributes: dict[str, object] = {layer_def.id_field: feature_id}
    if "type" in layer_def.field_names():
        attributes["type"] = choice.type_code
    if name == schema.STRUCTURES.name:
        attributes["compound_id"] = compounds.assign(geometry) if compounds is not None else None
        attributes["created_by"] = choice.analyst
        attributes["created_at"] = now_iso()
    elif name == schema.POINT_FEATURES.name:
        attributes["observed_on"] = choice.image_date
        attributes["image_id"] = choice.image_id
    elif name == schema.LINEAR_FEATURES.name:
        attributes["first_seen"] = choice.image_date
    return FeatureRecord(name, attributes, geometry)
