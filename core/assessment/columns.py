"""Read whole columns of a vector layer into numpy arrays, fast.

Layers read by OGR (GeoPackage, shapefile, ...) with no subset filter and no unsaved edits
are read through GDAL's Arrow stream, a column at a time; every other layer (memory,
PostGIS, filtered or being edited) goes through QGIS feature iteration, which sees exactly
what QGIS shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
from numpy.typing import NDArray
from osgeo import gdal, ogr
from qgis.core import Qgis, QgsFeatureRequest, QgsProviderRegistry, QgsVariantUtils, QgsVectorLayer

from ..errors import SiteWatchError
from .geopackage_sql import sql

gdal.UseExceptions()

Column = NDArray[Any]
"""One field's values: the dtype is the field's (bytes, datetime64, numbers; object for values
read through QGIS or with NULLs in a numeric column)."""
WkbColumn = Union[list[Optional[bytes]], NDArray[np.void]]


@dataclass
class Columns:
    """The requested fields of every feature, the feature ids and (optionally) WKB geometries."""

    fids: NDArray[np.int64]
    values: dict[str, Column]
    wkb: WkbColumn | None
    """WKB per feature: a list of bytes (None: no geometry), or, when GDAL hands every WKB with
    the same length, a numpy array of fixed-size void items."""


def require_fields(layer: QgsVectorLayer, names: Sequence[str], role: str) -> None:
    """A SiteWatchError naming the first of ``names`` that ``layer`` lacks."""
    present = set(layer.fields().names())
    for name in names:
        if name not in present:
            raise SiteWatchError(
                f"The {role} layer '{layer.name()}' ({layer.source()}) has no field '{name}'; "
                f"it needs the SiteWatch fields {', '.join(names)}."
            )


def read_columns(
    layer: QgsVectorLayer, names: Sequence[str], with_geometry: bool, datasets: dict[str, gdal.Dataset] | None = None
) -> Columns:
    """The fields ``names`` (and WKB geometry when asked) of every feature of ``layer``.

    ``datasets`` (path → open GDAL dataset) lets several layers of one file share one opening;
    the caller clears it when done."""
    if _readable_by_gdal(layer):
        return _read_with_gdal(layer, names, with_geometry, {} if datasets is None else datasets)
    return _read_with_qgis(layer, names, with_geometry)


def read_columns_aside(layer: QgsVectorLayer, names: Sequence[str], with_geometry: bool) -> Callable[[], Columns]:
    """Start reading the columns of :func:`read_columns` on a thread of its own when GDAL reads
    the layer (GDAL lets go of Python's lock while it reads, so the caller's numpy work goes on
    meanwhile); the function returned waits for them. A layer GDAL cannot read is read by that
    function, on the calling thread (QGIS layers are not read from other threads)."""
    source = _gdal_source(layer)
    if source is None:
        return lambda: read_columns(layer, names, with_geometry)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitewatch-columns")
    future = pool.submit(_read_source_alone, source, names, with_geometry)
    pool.shutdown(wait=False)

    def columns() -> Columns:
        found = future.result()
        return found if found is not None else _read_with_qgis(layer, names, with_geometry)

    return columns


_Source = tuple[str, str, int]
"""A layer as GDAL opens it: file path, layer name (or ''), layer number."""


def _gdal_source(layer: QgsVectorLayer) -> _Source | None:
    if not _readable_by_gdal(layer):
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    return str(parts["path"]), str(parts.get("layerName") or ""), int(parts.get("layerId") or 0)


def _readable_by_gdal(layer: QgsVectorLayer) -> bool:
    if layer.providerType() != "ogr" or layer.subsetString():
        return False
    if layer.isEditable() and layer.isModified():
        return False
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    return bool(parts.get("path"))


_LOCK_WAIT_SECONDS = 10.0
"""How long a read waits for another program's write transaction to end before giving up."""


def _is_locked(error: RuntimeError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _locked_message(path: str) -> str:
    return (
        f"'{path}' is locked by another program that is writing to it; nothing was read, so that "
        "no unsaved change of that program is counted. Let it save (or close its edit session) and try again."
    )


def _open_committed(path: str) -> gdal.Dataset:
    """``path`` opened read-only through GDAL, which takes SQLite's shared lock and so reads
    committed data only. QGIS's own provider opens a GeoPackage read-only with ``nolock`` and
    reads another program's uncommitted (even half-written) pages: a locked file is waited
    for, then refused, never read through QGIS."""
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    while True:
        try:
            return gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
        except RuntimeError as error:
            if not _is_locked(error):
                raise
            if time.monotonic() > deadline:
                raise SiteWatchError(_locked_message(path)) from None
            time.sleep(0.2)


def _read_with_gdal(
    layer: QgsVectorLayer, names: Sequence[str], with_geometry: bool, datasets: dict[str, gdal.Dataset]
) -> Columns:
    source = _gdal_source(layer)
    found = None if source is None else _read_source(source, names, with_geometry, datasets)
    return found if found is not None else _read_with_qgis(layer, names, with_geometry)


def _read_source_alone(source: _Source, names: Sequence[str], with_geometry: bool) -> Columns | None:
    """:func:`_read_source` with a GDAL dataset of its own, closed before returning."""
    datasets: dict[str, gdal.Dataset] = {}
    try:
        return _read_source(source, names, with_geometry, datasets)
    finally:
        datasets.clear()


def _source_layer(source: _Source, datasets: dict[str, gdal.Dataset]) -> ogr.Layer | None:
    """The OGR layer of ``source``, its file opened once per ``datasets`` (committed data only);
    None when GDAL cannot open the file or has no such layer."""
    path, layer_name, layer_number = source
    dataset = datasets.get(path)
    if dataset is None:
        try:
            dataset = datasets[path] = _open_committed(path)
        except RuntimeError:
            return None
    layer: ogr.Layer | None = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(layer_number)
    return layer


def _read_source(
    source: _Source, names: Sequence[str], with_geometry: bool, datasets: dict[str, gdal.Dataset]
) -> Columns | None:
    """The columns through GDAL's Arrow stream; None when GDAL cannot open the file or layer.
    Touches no QGIS layer: it may run on any thread."""
    ogr_layer = _source_layer(source, datasets)
    if ogr_layer is None:
        return None
    definition = ogr_layer.GetLayerDefn()
    all_fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    ignored = [name for name in all_fields if name not in names]
    if not with_geometry:
        ignored.append("OGR_GEOMETRY")
    ogr_layer.SetIgnoredFields(ignored)
    fid_key = ogr_layer.GetFIDColumn() or "OGC_FID"
    geometry_key = ogr_layer.GetGeometryColumn() or "wkb_geometry"
    try:
        batches = [
            {key: _unmasked(column) for key, column in batch.items()} for batch in ogr_layer.GetArrowStreamAsNumPy()
        ]
    except RuntimeError as error:
        if _is_locked(error):
            raise SiteWatchError(_locked_message(source[0])) from None
        raise
    if not batches:
        empty = {name: np.zeros(0, dtype=object) for name in names}
        return Columns(np.zeros(0, dtype=np.int64), empty, [] if with_geometry else None)
    values = {name: np.concatenate([batch[name] for batch in batches]) for name in names}
    fids = (
        np.concatenate([batch[fid_key] for batch in batches])
        if fid_key in batches[0]
        else np.arange(sum(len(batch[names[0]]) for batch in batches))
    )
    wkb: WkbColumn | None = None
    if with_geometry:
        geometries = [batch[geometry_key] for batch in batches]
        if len({g.dtype for g in geometries}) == 1 and geometries[0].dtype.kind == "V":
            wkb = np.concatenate(geometries)  # every WKB of the same length: one block of memory
        else:
            wkb = [None if item is None else bytes(item) for g in geometries for item in g]
    return Columns(fids, values, wkb)


def read_text_columns(layer: QgsVectorLayer, names: Sequence[str]) -> tuple[list[list[Any]], list[bytes | None]] | None:
    """The text fields ``names`` of every feature (str, None for NULL) and its stored WKB, in
    feature order, through GDAL's Arrow stream; None when GDAL does not read the layer (see
    :func:`read_columns`) or one of the fields is not text or holds a NULL first field."""
    source = _gdal_source(layer)
    if source is None:
        return None
    datasets: dict[str, gdal.Dataset] = {}
    try:
        ogr_layer = _source_layer(source, datasets)
        if ogr_layer is None:
            return None
        definition = ogr_layer.GetLayerDefn()
        kinds = {
            definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i) for i in range(definition.GetFieldCount())
        }
        if any(name not in kinds or kinds[name].GetType() != ogr.OFTString for name in names):
            return None
        ogr_layer.SetIgnoredFields([name for name in kinds if name not in names])
        key = ogr_layer.GetGeometryColumn() or "wkb_geometry"
        columns: list[list[Any]] = [[] for _ in names]
        wkb: list[bytes | None] = []
        for batch in ogr_layer.GetArrowStreamAsNumPy():
            for number, name in enumerate(names):
                columns[number] += _texts(batch[name])
            geometries = batch[key]
            mask = _mask(geometries)
            items = np.asarray(geometries.data if isinstance(geometries, np.ma.MaskedArray) else geometries).tolist()
            wkb += [None if item is None or (mask and mask[n]) else bytes(item) for n, item in enumerate(items)]
    except RuntimeError as error:
        if _is_locked(error):  # as the other reads: never fall back to QGIS's uncommitted view
            raise SiteWatchError(_locked_message(source[0])) from None
        return None
    except UnicodeDecodeError:
        return None
    finally:
        datasets.clear()
    if None in columns[0]:
        return None
    return columns, wkb


def _texts(column: Column) -> list[str | None]:
    """A text column's values as str (UTF-8), None for NULL."""
    data = column.data if isinstance(column, np.ma.MaskedArray) else column
    texts = [item.decode("utf-8") if isinstance(item, bytes) else item for item in data.tolist()]
    mask = _mask(column)
    return [None if masked else text for text, masked in zip(texts, mask)] if mask else texts


def _mask(column: Column) -> list[bool] | None:
    """Which items of ``column`` are NULL; None when none is."""
    if not isinstance(column, np.ma.MaskedArray):
        return None
    mask = np.broadcast_to(np.asarray(column.mask, dtype=bool), column.shape)
    return mask.tolist() if mask.any() else None


def _unmasked(column: Column) -> Column:
    """A column with NULLs as NaT (dates) or empty (text) instead of a numpy mask."""
    if not isinstance(column, np.ma.MaskedArray):
        return column
    data: Column = column.data.copy()  # what np.ma.getdata gives (numpy.ma's functions are untyped)
    mask = np.asarray(column.mask, dtype=bool)  # a scalar False when nothing is masked
    if mask.any():
        if data.dtype.kind == "M":
            data[mask] = np.datetime64("NaT")
        elif data.dtype.kind in "SU":
            data[mask] = ""
        else:
            data = data.astype(object)
            data[mask] = None
    return data


def raw_text(layer: QgsVectorLayer, field: str, fid: int) -> str:
    """The stored text of ``field`` in feature ``fid`` as the file holds it, even where QGIS or
    GDAL cannot parse it (e.g. 'soon' in a date column); '' when unknown or NULL."""
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()) if layer.providerType() == "ogr" else {}
    if parts.get("path") and parts.get("layerName"):
        try:
            dataset = gdal.OpenEx(parts["path"], gdal.OF_VECTOR | gdal.OF_READONLY)
            ogr_layer = dataset.GetLayerByName(parts["layerName"])
            fid_column = ogr_layer.GetFIDColumn() if ogr_layer is not None else ""
            if fid_column:
                result = dataset.ExecuteSQL(
                    sql(
                        "SELECT CAST({field} AS TEXT) FROM {table} WHERE {fid} = {value}",
                        {"value": str(int(fid))},
                        field=field,
                        table=parts["layerName"],
                        fid=fid_column,
                    )
                )
                try:
                    feature = result.GetNextFeature() if result is not None else None
                    if feature is not None and feature.IsFieldSetAndNotNull(0):
                        return str(feature.GetField(0))
                finally:
                    dataset.ReleaseResultSet(result)
        except RuntimeError:
            pass
        finally:
            dataset = None
    value = layer.getFeature(int(fid)).attribute(field) if field in layer.fields().names() else None
    return "" if value is None or QgsVariantUtils.isNull(value) else str(value)


def _read_with_qgis(layer: QgsVectorLayer, names: Sequence[str], with_geometry: bool) -> Columns:
    request = QgsFeatureRequest().setSubsetOfAttributes(list(names), layer.fields())
    if not with_geometry:
        request.setFlags(Qgis.FeatureRequestFlag.NoGeometry)
    indexes = [layer.fields().indexOf(name) for name in names]
    fids: list[int] = []
    rows: list[list[Any]] = []
    wkb: list[bytes | None] = []
    for feature in layer.getFeatures(request):
        fids.append(feature.id())
        attributes = feature.attributes()
        rows.append([attributes[i] for i in indexes])
        if with_geometry:
            geometry = feature.geometry()
            wkb.append(None if geometry.isNull() else bytes(geometry.asWkb()))
    values = {}
    for column, name in enumerate(names):
        array = np.empty(len(rows), dtype=object)
        array[:] = [row[column] for row in rows]
        values[name] = array
    return Columns(np.asarray(fids, dtype=np.int64), values, wkb if with_geometry else None)
