"""sitewatch:exportreport's parameters: options by number or by name, each refusal printed once, compound pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException

import processing
from sitewatch.tests.helpers.export_site import AFTER

OUTSIDE_THE_IMAGERY = "The after date 2021-06-01 is outside the imagery"


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def export(site_path: Path, folder: Path, **extra) -> dict:
    return processing.run(
        "sitewatch:exportreport",
        {"ASSESSMENT": str(site_path), "AFTER_DATE": AFTER, "REPORT": False, "OUTPUT_FOLDER": str(folder), **extra},
    )


@pytest.mark.parametrize(
    ("formats", "scheme", "written", "scheme_name"),
    [
        (4, 1, ["CSV"], "unosat"),
        ("1,4", "UNOSAT", ["ESRI Shapefile", "CSV"], "unosat"),
        ([1, 4], "Ems", ["ESRI Shapefile", "CSV"], "ems"),
        ("csv", "xbd", ["CSV"], "xbd"),
        (["GEOJSON", "kml"], 0, ["GeoJSON", "KML"], "sitewatch"),
        ("kml,2", "3", ["GeoJSON", "KML"], "xbd"),
    ],
)
def test_processing_run_takes_options_by_number_or_by_name(
    sitewatch_provider, site_path, tmp_path, formats, scheme, written, scheme_name
):
    export(site_path, tmp_path / "out", FORMATS=formats, SCHEME=scheme)
    parameters = manifest(tmp_path / "out")["parameters"]
    assert parameters["formats"] == written
    assert parameters["scheme"] == scheme_name


def test_an_unknown_option_names_the_options(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match="'xls' is not an option of FORMATS.*4 or CSV"):
        export(site_path, tmp_path / "out", FORMATS="csv,xls")
    with pytest.raises(QgsProcessingException, match="'9' is not an option of SCHEME"):
        export(site_path, tmp_path / "out", SCHEME=9)
    with pytest.raises(QgsProcessingException, match="SCHEME takes one option"):
        export(site_path, tmp_path / "out", SCHEME="1,2")
    assert not (tmp_path / "out").exists()


def test_qgis_process_takes_options_by_number_or_by_name(qgis_process, site_path, tmp_path):
    for number, (formats, scheme) in enumerate((("1,4", "UNOSAT"), ("csv", "1"))):
        folder = tmp_path / f"out{number}"
        qgis_process(
            "run",
            "sitewatch:exportreport",
            "--",
            f"ASSESSMENT={site_path}",
            f"AFTER_DATE={AFTER}",
            f"FORMATS={formats}",
            f"SCHEME={scheme}",
            "REPORT=false",
            f"OUTPUT_FOLDER={folder}",
        )
        parameters = manifest(folder)["parameters"]
        assert parameters["scheme"] == "unosat"
        assert parameters["formats"] == (["ESRI Shapefile", "CSV"] if number == 0 else ["CSV"])
        assert bool(list(folder.glob("*.shp"))) == (number == 0)
        assert list(folder.glob("*_structures.csv"))


def test_qgis_process_help_says_numbers_or_names_and_shows_no_html_entities(qgis_process):
    help_text = qgis_process("help", "sitewatch:exportreport").stdout
    assert "&lt;" not in help_text and "&gt;" not in help_text
    assert "[site]_[after date]_[layer]" in help_text
    assert "FORMATS=1,4 or FORMATS=csv,kml" in help_text
    assert "SCHEME=1 or SCHEME=UNOSAT" in help_text


def test_qgis_process_prints_a_refused_input_once(qgis_process, site_path, tmp_path):
    failed = qgis_process(
        "run",
        "sitewatch:exportreport",
        "--",
        f"ASSESSMENT={site_path}",
        "AFTER_DATE=2021-06-01",
        "REPORT=false",
        f"OUTPUT_FOLDER={tmp_path / 'out'}",
        check=False,
    )
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count(OUTSIDE_THE_IMAGERY) == 1
    assert not (tmp_path / "out").exists()


def test_processing_run_refuses_the_same_input_with_the_same_message(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match=OUTSIDE_THE_IMAGERY):
        export(site_path, tmp_path / "out", AFTER_DATE="2021-06-01")


def test_compound_pages_without_the_report_are_refused(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match="One page per compound is part of the PDF report"):
        export(site_path, tmp_path / "out", COMPOUND_PAGES=True)
    assert not (tmp_path / "out").exists()


def test_compound_pages_default_on_for_small_sites_and_off_without_the_report(sitewatch_provider, site_path, tmp_path):
    algorithm = QgsApplication.processingRegistry().algorithmById("sitewatch:exportreport")
    assert algorithm.parameterDefinition("COMPOUND_PAGES").defaultValue() is True
    assert "at most 30 compounds" in algorithm.parameterDefinition("COMPOUND_PAGES").help()
    export(site_path, tmp_path / "no_report")  # REPORT=False, COMPOUND_PAGES not given: no pages, no error
    assert not list((tmp_path / "no_report").glob("*_report_compounds.pdf"))
    export(site_path, tmp_path / "report", REPORT=True, FORMATS="csv")
    assert len(list((tmp_path / "report").glob("*_report_compounds.pdf"))) == 1
