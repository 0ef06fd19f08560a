"""A country-scale review site for exactness tests: the benchmark's site (``bench/review_site_data.py``),
built once and cached under ``.build/bench``; its size comes from ``SITEWATCH_BIG_SITE``
(``structures x dates x compounds``, default ``20000x14x80``; ``250000x14x1000`` is the
country-scale site of issue 16, about 100 s to build the first time)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

from osgeo import gdal

BENCH = Path(__file__).resolve().parents[2] / "bench"
DEFAULT_SIZE = "20000x14x80"


def site_data() -> ModuleType:
    spec = importlib.util.spec_from_file_location("review_site_data", BENCH / "review_site_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def size() -> tuple[int, int, int]:
    structures, dates, compounds = (int(n) for n in os.environ.get("SITEWATCH_BIG_SITE", DEFAULT_SIZE).split("x"))
    return structures, dates, compounds


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a read-only SQLite-dialect query on the GeoPackage (the direct count)."""
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
    result = dataset.ExecuteSQL(sql, dialect="SQLITE")
    try:
        return [tuple(feature.GetField(i) for i in range(feature.GetFieldCount())) for feature in result]
    finally:
        dataset.ReleaseResultSet(result)
        dataset = None
