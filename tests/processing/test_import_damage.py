"""sitewatch:importdamage through processing.run and qgis_process, with the contract's names."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site
from sitewatch.tests.helpers.import_sources import LAT0, LON0, grid_wkts, write_vector


def test_processing_run_and_qgis_process_import_unosat_points(sitewatch_provider, qgis_process, assessment, tmp_path):
    footprints = write_vector(tmp_path / "f.geojson", "GeoJSON", [{"wkt": w} for w in grid_wkts(2)])
    processing.run("sitewatch:importstructures", {"INPUT": str(footprints), "ASSESSMENT": assessment.location})
    rows = [
        {
            "SiteID": 1,
            "SensorDate": "2020-01-08",
            "Main_Damage_Site_Class": 2,
            "wkt": f"POINT({LON0 + 0.0001} {LAT0 + 0.0001})",
        },
        {"SiteID": 2, "SensorDate": "2020-01-08", "Main_Damage_Site_Class": 1, "wkt": f"POINT({LON0 + 0.2} {LAT0})"},
    ]
    source = write_vector(tmp_path / "unosat.geojson", "GeoJSON", rows)
    parameters = {"INPUT": str(source), "ASSESSMENT": assessment.location, "UNMATCHED": "skip"}
    result = processing.run("sitewatch:importdamage", parameters)
    assert (result["RECORDED"], result["REPLACED"], result["UNMATCHED"], result["CREATED"]) == (1, 0, 1, 0)
    with pytest.raises(QgsProcessingException, match="fall on dates"):
        processing.run("sitewatch:importdamage", {**parameters, "CONFLICT": "refuse"})
    run = qgis_process(
        "run",
        "sitewatch:importdamage",
        "--json",
        "--",
        f"INPUT={source}",
        f"ASSESSMENT={assessment.location}",
        "FORMAT=unosat",
        "CONFLICT=replace",
        "MATCH_DISTANCE_M=5",
    )
    results = json.loads(run.stdout)["results"]
    assert (results["RECORDED"], results["REPLACED"], results["UNMATCHED"], results["CREATED"]) == (2, 1, 1, 1)
    assert [o.status for o in assessment.observations()] == ["severe", "destroyed"]


def test_qgis_process_detects_a_sitewatch_export(sitewatch_provider, qgis_process, tmp_path):
    site = build_site(tmp_path / "site")
    export_assessment(site, ExportRequest(str(tmp_path / "out"), AFTER, BEFORE, formats=("CSV",), scheme="unosat"))
    prefix = tmp_path / "out" / "Tall_Hamdan_site_2020-01-08"
    target = GeoPackageStore.create(tmp_path / "again.gpkg", QgsCoordinateReferenceSystem("EPSG:32637"))
    processing.run("sitewatch:importstructures", {"INPUT": f"{prefix}_structures.csv", "ASSESSMENT": target.location})
    run = qgis_process(
        "run",
        "sitewatch:importdamage",
        "--json",
        "--",
        f"INPUT={prefix}_observations.csv",
        f"ASSESSMENT={target.location}",
    )
    results = json.loads(run.stdout)["results"]
    assert (results["RECORDED"], results["UNMATCHED"], results["CREATED"]) == (23, 0, 0)
    assert "History rows of the export kept in the history (as replaced): 1." in results["REPORT"]
    assert "Compounds of the export added, with their structures assigned to them: 3." in results["REPORT"]
    assert {(o.structure_id, o.observed_on, o.status) for o in target.observations()} >= {
        ("S-0001", BEFORE, "intact"),
        ("S-0001", AFTER, "destroyed"),
    }
