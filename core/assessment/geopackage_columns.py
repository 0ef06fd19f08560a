"""The GeoPackage store's whole-site column read of the observations: one pass through GDAL's
Arrow stream of the ``observations`` table (three fields, no Python object per row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from osgeo import gdal

from ..errors import SiteWatchError
from .records import ObservationColumns

gdal.UseExceptions()

FIELDS = ("structure_id", "observed_on", "status")
BATCH = 1_000_000
"""Rows per Arrow batch: few batches, so little concatenation."""


def observation_columns(path: Path) -> ObservationColumns:
    """The current observations of the GeoPackage at ``path`` as columns. Rows whose structure
    id, date or status is NULL (or whose date is not a date) cannot hold a state and are left
    out, as the review would never find them."""
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
        layer = dataset.GetLayerByName("observations")
        definition = layer.GetLayerDefn()
        names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
        layer.SetIgnoredFields([name for name in names if name not in FIELDS])
        parts: dict[str, list[NDArray[Any]]] = {name: [] for name in FIELDS}
        keep: list[NDArray[np.bool_]] = []
        for batch in layer.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={BATCH}"]):
            valid = np.ones(len(batch[FIELDS[0]]), dtype=bool)
            for name in FIELDS:
                column = batch[name]
                if isinstance(column, np.ma.MaskedArray):
                    valid &= ~np.asarray(column.mask, dtype=bool)  # a scalar False when nothing is masked
                    column = column.data
                parts[name].append(column)
            keep.append(valid)
    except RuntimeError as error:
        raise SiteWatchError(f"Cannot read the observations of {path}: {error}.") from None
    finally:
        dataset = None
    if not keep:
        empty = np.zeros(0, dtype="S1")
        return ObservationColumns(empty, np.zeros(0, dtype=np.int64), empty)
    valid = np.concatenate(keep)
    days = np.concatenate(parts["observed_on"])
    typed = days.dtype.kind == "M"
    if typed:
        valid &= ~np.isnat(days)
        days = days.astype("datetime64[D]").astype(np.int64)
    else:  # a column GDAL does not type as a date: parse the text
        days = np.array([_day(text) for text in days], dtype=np.int64)
        valid &= days != NO_DAY
    complete = typed and bool(valid.all())
    ids, statuses = (np.concatenate(parts[name]).astype(np.bytes_) for name in ("structure_id", "status"))
    if complete:  # no copy through the mask
        return ObservationColumns(ids, days, statuses, complete=True)
    return ObservationColumns(ids[valid], days[valid], statuses[valid])


NO_DAY = np.iinfo(np.int64).min


def _day(text: object) -> int:
    try:
        value = text.decode() if isinstance(text, bytes) else str(text)
        return int(np.datetime64(value[:10], "D").astype(np.int64))
    except ValueError:
        return int(NO_DAY)
