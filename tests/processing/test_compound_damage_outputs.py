"""sitewatch:compounddamage's outputs: the same numbers from qgis_process, the same areas in any CRS,
a shapefile keeping every field name, and a run without compounds."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.damage.table import ALL, ROW_FIELDS, UNASSIGNED, compound_damage
from sitewatch.core.measure import ellipsoidal_area
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build, plain, run


def test_same_areas_in_epsg4326_and_utm(sitewatch_provider, assessment, tmp_path):
    structures = [
        ("S-1", "building", box(10, 10, 12, 17)),
        ("S-2", "building", box(40, 10, 25, 9)),
        ("S-3", "building", box(130, 60, 30, 30)),
    ]
    observations = [
        ("S-1", "2020-01-08", "destroyed"),
        ("S-2", "2020-01-08", "severe"),
        ("S-3", "2020-01-08", "destroyed"),
    ]
    build(assessment, TWO_COMPOUNDS, structures, observations)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    transform = QgsCoordinateTransform(assessment.crs(), wgs84, QgsProject.instance())

    def to_wgs84(wkt: str) -> QgsGeometry:
        geometry = QgsGeometry.fromWkt(wkt)
        geometry.transform(transform)
        return geometry

    geographic = GeoPackageStore.create(tmp_path / "wgs84.gpkg", wgs84)
    build(
        geographic,
        [(c, to_wgs84(g)) for c, g in TWO_COMPOUNDS],
        [(s, t, to_wgs84(g)) for s, t, g in structures],
        observations,
    )
    _, utm_rows = run(assessment, "2020-01-08")
    _, geo_rows = run(geographic, "2020-01-08")
    for key in (("C-1", None), ("C-2", None), (ALL, None)):
        for name in ("area_asses", "area_destr"):
            assert geo_rows[key][name] == pytest.approx(utm_rows[key][name], rel=1e-3), (key, name)
        assert geo_rows[key]["pct_area_d"] == pytest.approx(utm_rows[key]["pct_area_d"], rel=1e-3)
    # Compounds in EPSG:4326 with structures in UTM: assigned in the structures' CRS, same table.
    mixed = compound_damage(
        assessment.layer("structures"), assessment.layer("observations"), geographic.layer("compounds"), "2020-01-08"
    )
    assert [(r.compound, r.n_struct, r.n_destroy) for r in mixed.rows] == [
        (k[0], v["n_struct"], v["n_destroy"]) for k, v in utm_rows.items()
    ]
    # And the areas are the ellipsoidal areas of core.measure (not the planar UTM areas).
    expected = sum(ellipsoidal_area(QgsGeometry.fromWkt(g), assessment.crs()) for _, _, g in structures)
    assert utm_rows[(ALL, None)]["area_asses"] == pytest.approx(expected, rel=1e-5)
    assert utm_rows[(ALL, None)]["area_asses"] != pytest.approx(12 * 17 + 25 * 9 + 900, rel=1e-5)


def test_qgis_process_gives_the_same_numbers_as_processing_run(sitewatch_provider, qgis_process, assessment, tmp_path):
    build(
        assessment,
        TWO_COMPOUNDS,
        [
            ("S-1", "warehouse", box(10, 10, 10)),
            ("S-2", "bunker", box(90, 10, 30, 10)),
            ("S-3", "warehouse", box(500, 10, 10)),
        ],
        [
            ("S-1", "2019-09-01", "intact"),
            ("S-1", "2020-01-08", "destroyed"),
            ("S-2", "2020-01-08", "severe"),
            ("S-3", "2019-09-01", "unknown"),
        ],
    )
    result, rows = run(assessment, "2020-01-08", "2019-09-01", BY_TYPE=True, WEIGHTS="severe=0.8")
    target = tmp_path / "damage.gpkg"
    completed = qgis_process(
        "run",
        "sitewatch:compounddamage",
        "--json",
        "--",
        f"STRUCTURES={assessment.layer_uri('structures')}",
        f"OBSERVATIONS={assessment.layer_uri('observations')}",
        f"COMPOUNDS={assessment.layer_uri('compounds')}",
        "AFTER_DATE=2020-01-08",
        "BEFORE_DATE=2019-09-01",
        "BY_TYPE=true",
        "WEIGHTS=severe=0.8",
        f"OUTPUT={target}",
    )
    cli = json.loads(completed.stdout)["results"]
    for key, value in result.items():
        if key != "OUTPUT":
            assert cli[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    written = QgsVectorLayer(f"{target}|layername=damage", "damage", "ogr")
    assert written.isValid() and written.featureCount() == len(rows)
    for feature in written.getFeatures():
        expected = rows[(feature["compound"], plain(feature["type"]))]
        for name in written.fields().names():
            if name in expected:
                assert plain(feature[name]) == (
                    pytest.approx(expected[name]) if isinstance(expected[name], float) else expected[name]
                ), name


def test_a_shapefile_output_keeps_every_field_name(sitewatch_provider, assessment, tmp_path):
    build(assessment, TWO_COMPOUNDS, [("S-1", "building", box(10, 10, 10))], [("S-1", "2020-01-08", "destroyed")])
    target = tmp_path / "damage.shp"
    processing.run(
        "sitewatch:compounddamage",
        {
            "STRUCTURES": assessment.layer_uri("structures"),
            "OBSERVATIONS": assessment.layer_uri("observations"),
            "COMPOUNDS": assessment.layer_uri("compounds"),
            "AFTER_DATE": "2020-01-08",
            "BEFORE_DATE": "2019-09-01",
            "BY_TYPE": True,
            "OUTPUT": str(target),
        },
    )
    assert all(len(name) <= 10 for name in ROW_FIELDS)
    dataset = ogr.Open(str(target))
    layer = dataset.GetLayer(0)
    definition = layer.GetLayerDefn()
    assert [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())] == list(ROW_FIELDS)
    found = {(f.GetField("compound"), f.GetField("type")): f.GetField("n_destroy") for f in layer}
    assert found[("C-1", None)] == 1 and found[("ALL", "building")] == 1


def test_compounds_layer_is_optional(sitewatch_provider, assessment, tmp_path):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "building", box(10, 10, 10)), ("S-2", "bunker", box(300, 300, 10))],
        [("S-1", "2020-01-08", "destroyed"), ("S-2", "2020-01-08", "intact")],
    )
    algorithm = QgsApplication.processingRegistry().algorithmById("sitewatch:compounddamage")
    assert algorithm.parameterDefinition("COMPOUNDS").flags() & Qgis.ProcessingParameterFlag.Optional
    target = tmp_path / "no_compounds.gpkg"
    result = processing.run(
        "sitewatch:compounddamage",
        {
            "STRUCTURES": assessment.layer_uri("structures"),
            "OBSERVATIONS": assessment.layer_uri("observations"),
            "AFTER_DATE": "2020-01-08",
            "OUTPUT": str(target),
        },
    )
    dataset = ogr.Open(str(target))
    layer = dataset.GetLayer(0)
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "32637"
    found = {f.GetField("compound"): (f.GetField("n_struct"), f.GetField("n_destroy")) for f in layer}
    assert found == {UNASSIGNED: (2, 1), ALL: (2, 1)}
    assert result["ALL_N_DESTROY"] == 1
