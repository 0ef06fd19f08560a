"""The GeoPackage's observations table is copied by the store (in SQLite, fast at country
scale) and its CSV read back from it: they must hold exactly what writing the rows one by one
through OGR holds, and the CSV what the rows say."""

from __future__ import annotations

import csv
from pathlib import Path

from osgeo import ogr

from sitewatch.core import values
from sitewatch.core.assessment.export_rows import export_rows
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.export import fields as ef
from sitewatch.core.export.data import Table, read_export_data
from sitewatch.core.export.formats import write_geopackage
from sitewatch.core.export.package import ExportRequest, export_assessment, file_prefix
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site


def read_all(path: Path) -> dict[str, tuple[list[tuple[str, int]], list[tuple]]]:
    """Every layer of the GeoPackage: its fields (name, type) and rows (fid, values, WKB)."""
    dataset = ogr.Open(str(path))
    layers = {}
    for number in range(dataset.GetLayerCount()):
        layer = dataset.GetLayer(number)
        definition = layer.GetLayerDefn()
        fields = [
            (definition.GetFieldDefn(i).GetName(), definition.GetFieldDefn(i).GetType())
            for i in range(definition.GetFieldCount())
        ]
        rows = []
        for feature in layer:
            geometry = feature.GetGeometryRef()
            values = tuple(feature.GetField(i) if feature.IsFieldSetAndNotNull(i) else None for i in range(len(fields)))
            rows.append((feature.GetFID(), values, bytes(geometry.ExportToWkb()) if geometry else None))
        layers[layer.GetName()] = (fields, rows)
    dataset = None
    return layers


def test_copied_tables_equal_the_rows_written_one_by_one(tmp_path):
    store = build_site(tmp_path / "site")
    store.record_observation(Observation("S-0001", AFTER, "destroyed", notes="seen again"))  # archives one row
    folder = tmp_path / "export"
    export_assessment(store, ExportRequest(str(folder), AFTER, BEFORE, formats=("GeoPackage",), scheme="unosat"))
    row_by_row = tmp_path / "row_by_row.gpkg"
    data = read_export_data(store, "Tall Ḥamdān site", AFTER, BEFORE, "unosat")
    names = {code: values.status_name(code, "unosat") for code in values.codes(values.STATUSES)}
    rows = export_rows(store.observations(), store.history(), names)
    data.tables["observations"] = Table(ef.OBSERVATIONS, rows)  # no copy: written row by row
    write_geopackage(data, row_by_row)

    copied = read_all(folder / f"{file_prefix('Tall Ḥamdān site', AFTER)}.gpkg")
    written = read_all(row_by_row)
    assert list(copied) == list(written) == [layer.name for layer in ef.SPATIAL_LAYERS + ef.TABLES]
    assert copied == written
    fields, rows = copied["observations"]
    assert any(values[fields.index(("archived", ogr.OFTDateTime))] for _, values, _ in rows)
    assert len(rows) == len(store.observations()) + len(store.history())
    with (folder / f"{file_prefix('Tall Ḥamdān site', AFTER)}_observations.csv").open(encoding="utf-8-sig") as stream:
        lines = list(csv.reader(stream))
    assert lines[0] == list(ef.OBSERVATIONS.field_names())
    assert lines[1:] == [
        ["" if value is None else str(value) for value in row] for row in data.tables["observations"].rows
    ]


def test_an_empty_text_stays_empty_not_null(tmp_path):
    """The copy keeps an empty text (which a CSV could not tell from NULL)."""
    store = build_site(tmp_path / "site")
    store.record_observation(Observation("S-0001", AFTER, "destroyed", notes=""))
    folder = tmp_path / "export"
    export_assessment(store, ExportRequest(str(folder), AFTER, BEFORE, formats=("GeoPackage",)))
    fields, rows = read_all(folder / f"{file_prefix('Tall Ḥamdān site', AFTER)}.gpkg")["observations"]
    notes = fields.index(("notes", ogr.OFTString))
    struct_id, obs_date = fields.index(("struct_id", ogr.OFTString)), fields.index(("obs_date", ogr.OFTDate))
    mine = [
        values for _, values, _ in rows if values[struct_id] == "S-0001" and values[obs_date] == AFTER.replace("-", "/")
    ]
    assert [values[notes] for values in mine if values[fields.index(("archived", ogr.OFTDateTime))] is None] == [""]
