"""Imports into a GeoPackage assessment: many features and observations in one OGR transaction.

Thousands of features go through one open OGR dataset and one transaction (a drawn feature
opens its own, :mod:`.geopackage_features`), so an import is written whole or not at all: an
error or a cancel rolls it back and the file is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from osgeo import ogr
from qgis.core import QgsGeometry

from ..errors import SiteWatchError
from . import schema
from .geopackage_features import _find, _transaction, _write_error
from .geopackage_sql import OgrSql, archive, insert, sql
from .observations import Observation
from .records import AttributeUpdate, FeatureRecord
from .store import WriteCancelled, missing_structure_message

ogr.UseExceptions()

_STEP_EVERY = 2000
"""Features or observations written between two calls of the progress callback."""


def _existing_ids(dataset: ogr.DataSource, layer_name: str) -> set[str]:
    id_field = schema.LAYER_BY_NAME[layer_name].id_field
    if id_field is None:
        raise SiteWatchError(f"Layer '{layer_name}' has no id field.")
    result = dataset.ExecuteSQL(sql("SELECT {id_field} FROM {table}", id_field=id_field, table=layer_name))
    try:
        return {feature.GetField(0) for feature in result}
    finally:
        dataset.ReleaseResultSet(result)


def _existing_keys(dataset: ogr.DataSource) -> set[tuple[str, str]]:
    result = dataset.ExecuteSQL("SELECT structure_id, observed_on FROM observations")
    try:
        return {(str(f.GetField(0)), str(f.GetField(1)).replace("/", "-")) for f in result}
    finally:
        dataset.ReleaseResultSet(result)


_POLYGON_WKB = b"\x01\x03\x00\x00\x00"
"""The head of a little-endian 2D polygon's WKB (what QGIS writes)."""
_ONE_POLYGON_WKB = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"
"""The head of a little-endian multipolygon of one polygon, written before that polygon's WKB."""


def _ogr_geometry_of(geometry: QgsGeometry, multi: bool) -> ogr.Geometry:
    """As :func:`.geopackage_features._ogr_geometry`, the layer's kind looked up once per import."""
    wkb = bytes(geometry.asWkb())
    if multi and wkb[:5] == _POLYGON_WKB:  # the usual footprint: its multipolygon of one, byte for byte
        return ogr.CreateGeometryFromWkb(_ONE_POLYGON_WKB + wkb)
    if multi and not geometry.isMultipart():
        geometry = QgsGeometry(geometry)
        geometry.convertToMultiType()
        wkb = bytes(geometry.asWkb())
    return ogr.CreateGeometryFromWkb(wkb)


def _missing_message(missing: Sequence[str], path: str) -> str:
    if len(missing) == 1:
        return missing_structure_message(missing[0], path)
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return (
        f"{len(missing)} structures do not exist in {path}: {shown}; nothing was imported. "
        "Import the structures with their observations, or correct the structure ids."
    )


def _update(dataset: ogr.DataSource, update: AttributeUpdate) -> None:
    layer = dataset.GetLayerByName(update.layer_name)
    feature = _find(layer, update.layer_name, update.feature_id)
    if feature is None:
        raise SiteWatchError(f"{update.feature_id} is not in '{update.layer_name}' (deleted?); nothing was written.")
    for name, value in update.attributes.items():
        if value is None:
            feature.SetFieldNull(name)
        elif isinstance(value, str):
            feature.SetFieldString(feature.GetFieldIndex(name), value)
        else:
            feature.SetField(name, value)
    layer.SetFeature(feature)


class _NewFeatures:
    """Writes new features into their layers of a dataset open in a transaction; an id already
    in its layer (or written before) is refused with a SiteWatchError."""

    def __init__(self, dataset: ogr.DataSource):
        self._dataset = dataset
        self._layers: dict[str, tuple[ogr.Layer, ogr.FeatureDefn, dict[str, int], bool, set[str]]] = {}

    def _layer(self, layer_name: str) -> tuple[ogr.Layer, ogr.FeatureDefn, dict[str, int], bool, set[str]]:
        found = self._layers.get(layer_name)
        if found is None:
            layer = self._dataset.GetLayerByName(layer_name)
            definition = layer.GetLayerDefn()
            layer_def = schema.LAYER_BY_NAME[layer_name]
            columns = {f.name: definition.GetFieldIndex(f.name) for f in layer_def.fields}
            multi = (layer_def.geometry or "").startswith("Multi")
            found = self._layers[layer_name] = (
                layer,
                definition,
                columns,
                multi,
                _existing_ids(self._dataset, layer_name),
            )
        return found

    def write(self, record: FeatureRecord) -> None:
        layer, definition, columns, multi, ids = self._layer(record.layer_name)
        if record.feature_id in ids:
            raise SiteWatchError(f"{record.feature_id} already exists in '{record.layer_name}'; nothing was written.")
        ids.add(record.feature_id)
        feature = ogr.Feature(definition)
        for name, value in record.attributes.items():
            if isinstance(value, str):
                feature.SetFieldString(columns[name], value)
            elif value is not None:
                feature.SetField(columns[name], value)
        feature.SetGeometryDirectly(_ogr_geometry_of(record.geometry, multi))
        layer.CreateFeature(feature)


def import_streamed(
    path: str, batches: Iterable[Sequence[FeatureRecord]], updates: Callable[[], Sequence[AttributeUpdate]]
) -> int:
    """See :meth:`.store.AssessmentStore.import_streamed`: each batch is written as it comes."""
    written = 0
    try:
        with _transaction(path, schema.STRUCTURES.name) as (dataset, _layer):
            writer = _NewFeatures(dataset)
            for batch in batches:
                for record in batch:
                    writer.write(record)
                written += len(batch)
            for update in updates():
                _update(dataset, update)
    except RuntimeError as error:
        raise _write_error(path, error) from None
    return written


def import_batch(
    path: str,
    records: Sequence[FeatureRecord],
    observations: Sequence[Observation],
    step: Callable[[float], bool] | None,
    updates: Sequence[AttributeUpdate] = (),
) -> int:
    """See :meth:`.store.AssessmentStore.import_batch`."""
    checked = [o.validated() for o in observations]
    total = max(1, len(records) + len(checked) + len(updates))
    done = 0

    def advance() -> None:
        if step is not None and not step(done / total):
            raise WriteCancelled(f"Import cancelled; nothing was written to {path}.")

    replaced = 0
    try:
        with _transaction(path, schema.OBSERVATIONS.name) as (dataset, observation_layer):
            advance()
            by_layer: dict[str, list[FeatureRecord]] = {}
            for record in records:
                by_layer.setdefault(record.layer_name, []).append(record)
            writer = _NewFeatures(dataset)
            for layer_records in by_layer.values():
                for record in layer_records:
                    writer.write(record)
                    done += 1
                    if done % _STEP_EVERY == 0:
                        advance()
            for update in updates:
                _update(dataset, update)
                done += 1
                if done % _STEP_EVERY == 0:
                    advance()
            executor = OgrSql(dataset)
            keys = _existing_keys(dataset) if checked else set()
            structures = _existing_ids(dataset, schema.STRUCTURES.name) if checked else set()
            missing = sorted({o.structure_id for o in checked} - structures)
            if missing:
                raise SiteWatchError(_missing_message(missing, path))
            del observation_layer
            for observation in checked:
                key = (observation.structure_id, observation.observed_on)
                if key in keys:
                    archive(executor, "structure_id = ? AND observed_on = ?", key, "replaced")
                    replaced += 1
                keys.add(key)
                insert(executor, observation)
                done += 1
                if done % _STEP_EVERY == 0:
                    advance()
            advance()
    except RuntimeError as error:
        raise _write_error(path, error) from None
    return replaced


class _File(Protocol):
    @property
    def location(self) -> str: ...


class GeoPackageImports:
    """The import part of the GeoPackage store (mixed into ``GeoPackageStore``)."""

    def import_batch(
        self: _File,
        records: Sequence[FeatureRecord],
        observations: Sequence[Observation] = (),
        step: Callable[[float], bool] | None = None,
        updates: Sequence[AttributeUpdate] = (),
    ) -> int:
        return import_batch(self.location, records, observations, step, updates)

    def import_streamed(
        self: _File,
        batches: Iterable[Sequence[FeatureRecord]],
        updates: Callable[[], Sequence[AttributeUpdate]] = tuple,
    ) -> int:
        return import_streamed(self.location, batches, updates)
