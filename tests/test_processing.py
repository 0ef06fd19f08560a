"""sitewatch:createassessment through processing.run and through a qgis_process subprocess."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import processing

from .test_store import EXPECTED, read_schema


def test_create_assessment_with_processing_run(sitewatch_provider, tmp_path):
    target = tmp_path / "site.gpkg"
    result = processing.run("sitewatch:createassessment",
                            {"OUTPUT": str(target), "CRS": "EPSG:32637", "SITE_NAME": "Imam Ali"})
    assert result["OUTPUT"] == str(target)
    found = read_schema(target)
    assert {name: found[name][:2] for name in EXPECTED} == EXPECTED
    with pytest.raises(QgsProcessingException):
        processing.run("sitewatch:createassessment", {"OUTPUT": str(target), "CRS": "EPSG:32637"})
    processing.run("sitewatch:createassessment", {"OUTPUT": str(target), "CRS": "EPSG:4326", "OVERWRITE": True})
    assert read_schema(target)["structures"][2] == "4326"


def test_every_algorithm_has_group_icon_and_help(sitewatch_provider):
    algorithms = sitewatch_provider.algorithms()
    assert algorithms
    for algorithm in algorithms:
        assert algorithm.group() and algorithm.groupId()
        assert not algorithm.icon().isNull()
        assert len(algorithm.shortHelpString()) > 100
        for parameter in algorithm.parameterDefinitions():
            assert f"<b>{parameter.description()}</b>" in algorithm.shortHelpString(), \
                f"{algorithm.id()}: help does not explain {parameter.name()}"
            assert parameter.help(), f"{algorithm.id()}: {parameter.name()} has no tooltip"


def test_qgis_process_lists_and_runs_createassessment(qgis_process, tmp_path):
    listing = qgis_process("list").stdout
    assert "sitewatch:createassessment" in listing
    target = tmp_path / "from_cli.gpkg"
    result = qgis_process("run", "sitewatch:createassessment", "--json", "--", f"OUTPUT={target}",
                          "CRS=EPSG:32637")
    assert json.loads(result.stdout)["results"]["OUTPUT"] == str(target)
    found = read_schema(target)
    assert {name: found[name][:2] for name in EXPECTED} == EXPECTED
    failed = qgis_process("run", "sitewatch:createassessment", "--", f"OUTPUT={target}", "CRS=EPSG:32637",
                          check=False)
    assert failed.returncode != 0
    assert "already exists" in failed.stdout + failed.stderr
    assert ogr.Open(str(target)) is not None
