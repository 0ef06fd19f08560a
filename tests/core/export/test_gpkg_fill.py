"""The export GeoPackage's layers written in SQLite (:mod:`gpkg_fill`) read back exactly as
when OGR writes them feature by feature: every field, geometry, fid, the R-tree index, the
extent and the feature count; what it cannot write as OGR would is left to OGR."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from osgeo import ogr, osr

from sitewatch.core.export import fields as ef
from sitewatch.core.export import gpkg_fill
from sitewatch.core.export.data import Table
from sitewatch.core.export.formats import _create_layer, _fill
from sitewatch.tests.core.export.test_table_copy import read_all


def _wkb(wkt: str) -> bytes:
    return bytes(ogr.CreateGeometryFromWkt(wkt).ExportToIsoWkb(ogr.wkbNDR))


def _structure(number: int, geometry: str | None, **changes: object) -> tuple[tuple[object, ...], bytes | None]:
    row: dict[str, object] = {
        "struct_id": f"S-{number:04d}",
        "type": 7 if number % 3 == 0 else "house",  # not text: written as its str, as OGR does
        "compound": None if number % 2 else "C-01",
        "comp_name": 'Ḥamdān\'s "yard"',
        "str_name": "",
        "stat_bef": "Intact",
        "stat_aft": None,
        "change": "new",
        "date_bef": "2020-02-29",
        "date_aft": None if number % 4 else "2021-12-31",
        "confidence": "high",
        "analyst": "an;a",
        "img_date": "2021-01-05",
        "img_source": None,
        "area_m2": 12 if number % 5 == 0 else 123.45,
        "notes": "line\nbreak",
    }
    row.update(changes)
    return tuple(row[name] for name in ef.STRUCTURES.field_names()), _wkb(geometry) if geometry else None


_SHAPES = [
    "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))",
    "MULTIPOLYGON (((-5.5 3, 8.25 1e6, 2 2, -5.5 3)))",
    "POLYGON ((1 1, 2 1, 2 2, 1.5 3, 1 2, 1 1))",
    # GDAL writes the extent printed to 16 digits: 3000438.666666666, not the double itself
    "POLYGON ((123456.78901234567 3000438.6666666665, 123457 3000438, 123457 3000400, "
    "123456.78901234567 3000438.6666666665))",
    None,
]


def _table(layer: ef.OutLayer, rows: list[tuple[tuple[object, ...], bytes | None]]) -> Table:
    return Table(layer, [row for row, _ in rows], [wkb for _, wkb in rows])


def _write(path: Path, tables: list[Table], in_sqlite: bool) -> None:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    prepared = []
    for table in tables:
        layer = _create_layer(dataset, table, srs, ["FID=fid", "GEOMETRY_NAME=geom"])
        rows = gpkg_fill.prepare(table) if in_sqlite else None
        if rows is None:
            _fill(layer, table)
        else:
            layer.SyncToDisk()
            prepared.append(rows)
    dataset = None
    gpkg_fill.fill(path, prepared)


def _index_and_metadata(path: Path) -> list[object]:
    connection = sqlite3.connect(path)
    try:
        found: list[object] = []
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%_geom'"):
            found.append((name, connection.execute(f'SELECT * FROM "{name}" ORDER BY id').fetchall()))  # nosec - test
        found.append(connection.execute("SELECT table_name, min_x, min_y, max_x, max_y FROM gpkg_contents").fetchall())
        found.append(connection.execute("SELECT * FROM gpkg_ogr_contents").fetchall())
        found.append(sorted(connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()))
        return found
    finally:
        connection.close()


def _same_either_way(tmp_path: Path, tables: list[Table]) -> None:
    by_ogr, in_sqlite = tmp_path / "ogr.gpkg", tmp_path / "sqlite.gpkg"
    _write(by_ogr, tables, False)
    _write(in_sqlite, tables, True)
    assert read_all(in_sqlite) == read_all(by_ogr)
    assert _index_and_metadata(in_sqlite) == _index_and_metadata(by_ogr)


def test_layers_written_in_sqlite_read_back_as_written_by_ogr(tmp_path):
    structures = _table(ef.STRUCTURES, [_structure(n, _SHAPES[n % len(_SHAPES)]) for n in range(1, 40)])
    lines = _table(
        ef.LINEAR_FEATURES,
        [
            (("L-1", "road", "2021-01-01", 3.0, None), _wkb("LINESTRING (0 0, 3 4)")),
            (("L-2", "wall", None, 2.5, "x"), _wkb("MULTILINESTRING ((1 1, 2 2, 3 1))")),
        ],
    )
    points = _table(
        ef.POINT_FEATURES,
        [(("P-1", "crater", "2021-01-01", "IMG-1", None), _wkb("POINT (5 6)")), (("P-2", None, None, None, ""), None)],
    )
    summary = Table(ef.SUMMARY, [("ALL", "Whole site", *range(9), 1.5, None, 0.0, 2, 0.25, 1, 2, 3)])
    tables = [structures, lines, points, summary, Table(ef.IMAGERY)]
    assert all(gpkg_fill.prepare(table) is not None for table in tables[:4])
    _same_either_way(tmp_path, tables)


def test_what_ogr_would_write_differently_is_left_to_ogr(tmp_path):
    holed = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))"
    odd = {
        "a polygon with a hole": [_structure(1, holed)],
        "two polygons": [_structure(1, "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")],
        "a 3D polygon": [_structure(1, "POLYGON Z ((0 0 1, 1 0 1, 1 1 1, 0 0 1))")],
        "an empty polygon": [_structure(1, "POLYGON EMPTY")],
        "a date OGR rewrites": [_structure(1, _SHAPES[0], date_bef="2021-1-5")],
        "an impossible date": [_structure(1, _SHAPES[0], date_aft="2021-02-30")],
        "a number in text": [_structure(1, _SHAPES[0], area_m2="12")],
        "not a number": [_structure(1, _SHAPES[0], area_m2=float("nan"))],
        "a NUL in text": [_structure(1, _SHAPES[0], notes="a\x00b")],
    }
    for case, rows in odd.items():
        assert gpkg_fill.prepare(_table(ef.STRUCTURES, rows)) is None, case
    assert gpkg_fill.prepare(Table(ef.SUMMARY, [("ALL", None, 2**31, *range(8), *[None] * 5, 1, 2, 3)])) is None
    mixed = [_structure(1, _SHAPES[0]), _structure(2, holed)]
    _same_either_way(tmp_path, [_table(ef.STRUCTURES, mixed)])
