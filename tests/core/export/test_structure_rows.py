"""The structures layer of an export is built from GDAL's Arrow stream when GDAL reads the
layer, else from QGIS features: both give the same rows and geometries, and the observations in
force read as columns are those of ``observations_at``."""

from __future__ import annotations

from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.store import AssessmentStore
from sitewatch.core.export import structures
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site


def test_structures_read_by_gdal_equal_those_read_by_qgis(tmp_path):
    store = build_site(tmp_path / "site")
    store.update_feature("structures", "S-0003", attributes={"name": "Ḥamdān store", "compound_id": None})
    store.update_feature("structures", "S-0004", geometry=QgsGeometry.fromWkt("POLYGON ((1 1, 9 1, 9 9, 1 1))"))
    layer = store.layer("structures")
    read = structures.read_text_columns(layer, structures._FIELDS)
    assert read is not None
    columns, wkbs = read
    geometries, wkb_out = structures._geometries(layer, wkbs)
    by_qgis, qgis_geometries = structures._read_with_qgis(layer)
    assert columns == by_qgis
    assert None in columns[2] and "Ḥamdān store" in columns[3]
    assert wkb_out == [bytes(g.asWkb()) for g in qgis_geometries]
    assert [g.area() for g in geometries] == [g.area() for g in qgis_geometries]

    layer.setSubsetString("1 = 1")  # GDAL does not read a filtered layer: QGIS does
    assert structures.read_text_columns(layer, structures._FIELDS) is None


def test_observations_in_force_as_columns_are_those_of_observations_at(tmp_path):
    store = build_site(tmp_path / "site")
    store.record_observation(Observation("S-0001", AFTER, "destroyed", notes="seen again"))  # archives one row
    for date in (BEFORE, AFTER, "2000-01-01"):
        read = store.observations_at_columns([date])[0]
        generic = AssessmentStore.observations_at_columns(store, [date])[0]  # through observations_at
        assert len(read) == len(generic) == 8
        assert sorted(zip(*read)) == sorted(zip(*generic))
    assert store.observations_at_columns_aside([BEFORE, AFTER])() == store.observations_at_columns([BEFORE, AFTER])
