"""Algorithms on a PostGIS assessment: create it in a schema, copy GeoPackage → PostGIS → GeoPackage
with identical exports, export and damage tables from the database, through processing.run and
qgis_process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException, QgsVariantUtils

import processing
from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.assessment.store import open_assessment
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build, write_foreign_observations
from sitewatch.tests.helpers.export_site import AFTER, BEFORE

TIMESTAMPED = (".gpkg", ".dbf", ".pdf", "manifest.json")


def export(location: str, folder: Path) -> Path:
    processing.run(
        "sitewatch:exportreport",
        {
            "ASSESSMENT": location,
            "AFTER_DATE": AFTER,
            "BEFORE_DATE": BEFORE,
            "REPORT": False,
            "OUTPUT_FOLDER": str(folder),
        },
    )
    return folder


def vector_rows(path: Path) -> list:
    dataset = ogr.Open(str(path))
    return [
        (
            layer.GetName(),
            [(f.items(), f.GetGeometryRef().ExportToWkt() if f.GetGeometryRef() else None) for f in layer],
        )
        for layer in dataset
    ]


def assert_same_export(first: Path, second: Path) -> None:
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) > 30
    for name in names:
        if name.endswith((".gpkg", ".dbf")):
            assert vector_rows(first / name) == vector_rows(second / name), name
        elif not name.endswith(TIMESTAMPED):
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (first, second)]
    for manifest in manifests:
        del manifest["created_at"], manifest["parameters"]["output_folder"]
        manifest["parameters"].pop("assessment")  # where it was read from: the one expected difference
        manifest["files"] = [entry["file"] for entry in manifest["files"]]
    assert manifests[0] == manifests[1]


def test_create_in_a_schema_with_the_uri_contract(sitewatch_provider, pg_location):
    result = processing.run(
        "sitewatch:createassessment", {"OUTPUT": pg_location, "CRS": "EPSG:32637", "SITE_NAME": "Team site"}
    )
    store = open_assessment(result["OUTPUT"])
    assert isinstance(store, PostgisStore)
    assert store.metadata()["site_name"] == "Team site" and store.crs().authid() == "EPSG:32637"
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run("sitewatch:createassessment", {"OUTPUT": pg_location, "CRS": "EPSG:32637"})


def test_copy_to_postgis_and_back_exports_identically(sitewatch_provider, site_path, pg_location, tmp_path):
    to_database = processing.run("sitewatch:copyassessment", {"ASSESSMENT": str(site_path), "TARGET": pg_location})
    assert to_database["TARGET"] == pg_location
    back = tmp_path / "back.gpkg"
    processing.run("sitewatch:copyassessment", {"ASSESSMENT": pg_location, "TARGET": str(back)})
    original, database, round_trip = open_assessment(site_path), open_assessment(pg_location), open_assessment(back)
    assert original.observations() == database.observations() == round_trip.observations()
    assert original.history() == database.history() == round_trip.history()
    before = export(str(site_path), tmp_path / "before")
    assert_same_export(before, export(pg_location, tmp_path / "from_database"))
    assert_same_export(before, export(str(back), tmp_path / "after"))


def test_qgis_process_exports_from_a_database_location(qgis_process, site_path, pg_location, tmp_path):
    qgis_process("run", "sitewatch:copyassessment", "--", f"ASSESSMENT={site_path}", f"TARGET={pg_location}")
    result = qgis_process(
        "run",
        "sitewatch:exportreport",
        "--json",
        "--",
        f"ASSESSMENT={pg_location}",
        f"AFTER_DATE={AFTER}",
        f"BEFORE_DATE={BEFORE}",
        "REPORT=false",
        f"OUTPUT_FOLDER={tmp_path / 'cli'}",
    )
    assert json.loads(result.stdout)["results"]["OUTPUT_FOLDER"] == str(tmp_path / "cli")
    assert "password" not in (tmp_path / "cli" / "manifest.json").read_text()


def test_a_failed_copy_leaves_no_schema(sitewatch_provider, assessment, postgres_cluster, pg_location):
    build(assessment, TWO_COMPOUNDS, [("S-1", "warehouse", box(10, 10, 10))], [("S-1", "2020-01-01", "intact")])
    # An observation of a structure that is not there (written by another program: the store
    # refuses one): the database refuses it half-way.
    write_foreign_observations(assessment, [("S-404", "2020-01-01", "severe")])
    with pytest.raises(QgsProcessingException, match="S-404 does not exist.*nothing was copied"):
        processing.run("sitewatch:copyassessment", {"ASSESSMENT": assessment.location, "TARGET": pg_location})
    schema = pg_location.rsplit("schema=", 1)[1]
    assert postgres_cluster.sql(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'") == [(0,)]


def test_compound_damage_reads_the_database_layers(sitewatch_provider, assessment, pg_location):
    build(
        assessment,
        TWO_COMPOUNDS,
        [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(110, 10, 10))],
        [("S-1", "2019-03-01", "intact"), ("S-1", "2019-12-01", "destroyed"), ("S-2", "2019-06-01", "severe")],
    )
    database = processing.run("sitewatch:copyassessment", {"ASSESSMENT": assessment.location, "TARGET": pg_location})
    tables = []
    for store in (assessment, open_assessment(database["TARGET"])):
        layers = {name: store.layer(name) for name in ("structures", "observations", "compounds")}
        result = processing.run(
            "sitewatch:compounddamage",
            {
                "STRUCTURES": layers["structures"],
                "OBSERVATIONS": layers["observations"],
                "COMPOUNDS": layers["compounds"],
                "AFTER_DATE": "2020-01-08",
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )
        tables.append(
            sorted(
                tuple(None if QgsVariantUtils.isNull(v) else v for v in f.attributes())
                for f in result["OUTPUT"].getFeatures()
            )
        )
    assert tables[0] == tables[1]
    assert len(tables[0]) >= 2


def test_footprints_are_imported_into_a_database_location(sitewatch_provider, pg_location, tmp_path):
    from sitewatch.tests.helpers.import_sources import grid_wkts, write_vector

    processing.run("sitewatch:createassessment", {"OUTPUT": pg_location, "CRS": "EPSG:32637"})
    source = write_vector(tmp_path / "footprints.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(3)])
    result = processing.run("sitewatch:importstructures", {"INPUT": str(source), "ASSESSMENT": pg_location})
    assert result["IMPORTED"] == 3
    store = open_assessment(pg_location)
    assert isinstance(store, PostgisStore)
    assert sorted(f["structure_id"] for f in store.layer("structures").getFeatures()) == ["S-0001", "S-0002", "S-0003"]
