"""sitewatch:createassessment through processing.run and qgis_process, with and without a project CRS."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException, QgsProject

import processing
from sitewatch.tests.helpers.contract import EXPECTED, read_schema


def test_create_assessment_with_processing_run(sitewatch_provider, tmp_path):
    target = tmp_path / "site.gpkg"
    result = processing.run(
        "sitewatch:createassessment", {"OUTPUT": str(target), "CRS": "EPSG:32637", "SITE_NAME": "Imam Ali"}
    )
    assert result["OUTPUT"] == str(target)
    found = read_schema(target)
    assert {name: found[name][:2] for name in EXPECTED} == EXPECTED
    with pytest.raises(QgsProcessingException):
        processing.run("sitewatch:createassessment", {"OUTPUT": str(target), "CRS": "EPSG:32637"})
    processing.run("sitewatch:createassessment", {"OUTPUT": str(target), "CRS": "EPSG:4326", "OVERWRITE": True})
    assert read_schema(target)["structures"][2] == "4326"


def test_qgis_process_lists_and_runs_createassessment(qgis_process, tmp_path):
    listing = qgis_process("list").stdout
    assert "sitewatch:createassessment" in listing
    target = tmp_path / "from_cli.gpkg"
    result = qgis_process("run", "sitewatch:createassessment", "--json", "--", f"OUTPUT={target}", "CRS=EPSG:32637")
    assert json.loads(result.stdout)["results"]["OUTPUT"] == str(target)
    found = read_schema(target)
    assert {name: found[name][:2] for name in EXPECTED} == EXPECTED
    failed = qgis_process("run", "sitewatch:createassessment", "--", f"OUTPUT={target}", "CRS=EPSG:32637", check=False)
    assert failed.returncode != 0
    assert "already exists" in failed.stdout + failed.stderr
    assert ogr.Open(str(target)) is not None


def test_qgis_process_without_crs_asks_for_one_without_gdal_noise(qgis_process, tmp_path):
    target = tmp_path / "site.gpkg"
    failed = qgis_process("run", "sitewatch:createassessment", "--", f"OUTPUT={target}", check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "could not be found" not in output and "Status 2" not in output
    assert output.count("give CRS=EPSG:") == 1
    assert not target.exists()


def test_the_project_crs_is_the_default(sitewatch_provider, tmp_path):
    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:32638"))
    try:
        processing.run("sitewatch:createassessment", {"OUTPUT": str(tmp_path / "site.gpkg")})
    finally:
        project.clear()
    dataset = ogr.Open(str(tmp_path / "site.gpkg"))
    assert dataset.GetLayerByName("structures").GetSpatialRef().GetAuthorityCode(None) == "32638"
