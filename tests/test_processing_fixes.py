"""What a new user ran into with the algorithms: options by number or name, each error printed
once, a CRS without a project, the damage layers picked by name, future dates, compound pages
without the report."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from osgeo import ogr
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsGui, QgsProcessingGui, QgsProcessingParameterWidgetContext

import processing
from sitewatch.core.damage.table import compound_damage, summary_sentence

from .export_site import AFTER, BEFORE, build_site
from .test_compound_damage import TWO_COMPOUNDS, box, build

OUTSIDE_THE_IMAGERY = "The after date 2021-06-01 is outside the imagery"


@pytest.fixture(scope="module")
def site_path(tmp_path_factory) -> Path:
    return Path(build_site(tmp_path_factory.mktemp("site")).location)


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def export(site_path: Path, folder: Path, **extra) -> dict:
    return processing.run("sitewatch:exportreport", {
        "ASSESSMENT": str(site_path), "AFTER_DATE": AFTER, "REPORT": False, "OUTPUT_FOLDER": str(folder),
        **extra})


# --- FORMATS and SCHEME: by number or by name, any case ------------------------------------------

@pytest.mark.parametrize(("formats", "scheme", "written", "scheme_name"), [
    (4, 1, ["CSV"], "unosat"),
    ("1,4", "UNOSAT", ["ESRI Shapefile", "CSV"], "unosat"),
    ([1, 4], "Ems", ["ESRI Shapefile", "CSV"], "ems"),
    ("csv", "xbd", ["CSV"], "xbd"),
    (["GEOJSON", "kml"], 0, ["GeoJSON", "KML"], "sitewatch"),
    ("kml,2", "3", ["GeoJSON", "KML"], "xbd"),
])
def test_processing_run_takes_options_by_number_or_by_name(sitewatch_provider, site_path, tmp_path, formats,
                                                           scheme, written, scheme_name):
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
        qgis_process("run", "sitewatch:exportreport", "--", f"ASSESSMENT={site_path}", f"AFTER_DATE={AFTER}",
                     f"FORMATS={formats}", f"SCHEME={scheme}", "REPORT=false", f"OUTPUT_FOLDER={folder}")
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


# --- every refusal printed once ------------------------------------------------------------------

def test_qgis_process_prints_a_refused_input_once(qgis_process, site_path, tmp_path):
    failed = qgis_process("run", "sitewatch:exportreport", "--", f"ASSESSMENT={site_path}",
                          "AFTER_DATE=2021-06-01", "REPORT=false", f"OUTPUT_FOLDER={tmp_path / 'out'}", check=False)
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count(OUTSIDE_THE_IMAGERY) == 1
    assert not (tmp_path / "out").exists()


def test_processing_run_refuses_the_same_input_with_the_same_message(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match=OUTSIDE_THE_IMAGERY):
        export(site_path, tmp_path / "out", AFTER_DATE="2021-06-01")


# --- compound pages need the report --------------------------------------------------------------

def test_compound_pages_without_the_report_are_refused(sitewatch_provider, site_path, tmp_path):
    with pytest.raises(QgsProcessingException, match="One page per compound is part of the PDF report"):
        export(site_path, tmp_path / "out", COMPOUND_PAGES=True)
    assert not (tmp_path / "out").exists()


# --- createassessment without a project ----------------------------------------------------------

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


# --- compounddamage: layers picked by name, layers named by name, future dates ------------------

def observed_site(assessment):
    return build(assessment, TWO_COMPOUNDS,
                 [("S-1", "building", box(10, 10, 10)), ("S-2", "building", box(110, 10, 10)),
                  ("S-3", "bunker", box(300, 300, 10))],
                 [("S-1", "2019-09-01", "intact"), ("S-1", "2020-01-08", "destroyed"),
                  ("S-2", "2020-01-08", "severe"), ("S-3", "2020-01-08", "intact")])


@pytest.fixture
def open_assessment_layers(assessment):
    """The assessment's layers in the project, after another polygon layer (listed first)."""
    project = QgsProject.instance()
    decoy = QgsVectorLayer("Polygon?crs=EPSG:32637", "aaa_decoy", "memory")
    project.addMapLayers([decoy] + [assessment.layer(n) for n in ("compounds", "structures", "observations")])
    yield project
    project.removeAllMapLayers()


def test_the_dialog_preselects_the_assessment_layers_by_name(sitewatch_provider, assessment,
                                                             open_assessment_layers):
    project = open_assessment_layers
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("sitewatch:compounddamage")
    context = QgsProcessingContext()
    context.setProject(project)
    widget_context = QgsProcessingParameterWidgetContext()
    widget_context.setProject(project)
    chosen = {}
    for name in ("STRUCTURES", "OBSERVATIONS", "COMPOUNDS"):
        # The widget the dialog shows for the parameter, set to its default as the dialog does.
        wrapper = QgsGui.processingGuiRegistry().createParameterWidgetWrapper(
            algorithm.parameterDefinition(name), QgsProcessingGui.WidgetType.Standard)
        wrapper.setWidgetContext(widget_context)
        widget = wrapper.createWrappedWidget(context)
        assert widget is not None
        chosen[name] = project.mapLayer(wrapper.parameterValue()).name()
    assert chosen == {"STRUCTURES": "structures", "OBSERVATIONS": "observations", "COMPOUNDS": "compounds"}


def test_run_with_only_a_date_uses_the_project_layers(sitewatch_provider, assessment, open_assessment_layers):
    observed_site(assessment)
    result = processing.run("sitewatch:compounddamage", {"AFTER_DATE": "2020-01-08", "BEFORE_DATE": "2019-09-01",
                                                         "OUTPUT": "TEMPORARY_OUTPUT"})
    compounds = {f["compound"] for f in result["OUTPUT"].getFeatures()}
    assert compounds == {"C-1", "C-2", "UNASSIGNED", "ALL"}
    assert result["ALL_N_DESTROY"] == 1


def test_without_a_project_the_optional_compounds_stay_optional(qgis_process, assessment):
    observed_site(assessment)
    done = qgis_process("run", "sitewatch:compounddamage", "--",
                        f"STRUCTURES={assessment.layer_uri('structures')}",
                        f"OBSERVATIONS={assessment.layer_uri('observations')}", "AFTER_DATE=2020-01-08",
                        "OUTPUT=TEMPORARY_OUTPUT")
    assert "1 of 3 structures outside any compound destroyed" in done.stdout
    failed = qgis_process("run", "sitewatch:compounddamage", "--", "AFTER_DATE=2020-01-08",
                          "OUTPUT=TEMPORARY_OUTPUT", check=False)
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("Cannot open the structures layer 'structures'") == 1


def test_errors_name_the_layer_by_its_layer_name(sitewatch_provider, assessment):
    observed_site(assessment)
    with sqlite3.connect(assessment.location) as connection:  # a status typed outside SiteWatch
        connection.execute("UPDATE observations SET status = 'destroy' WHERE structure_id = 'S-2'")
    with pytest.raises(QgsProcessingException, match="of layer 'observations' has the unknown status 'destroy'"):
        processing.run("sitewatch:compounddamage", {
            "STRUCTURES": assessment.layer_uri("structures"), "OBSERVATIONS": assessment.layer_uri("observations"),
            "COMPOUNDS": assessment.layer_uri("compounds"), "AFTER_DATE": "2020-01-08",
            "OUTPUT": "TEMPORARY_OUTPUT"})


def damage(assessment, after: str, before: str | None = None) -> dict:
    return processing.run("sitewatch:compounddamage", {
        "STRUCTURES": assessment.layer_uri("structures"), "OBSERVATIONS": assessment.layer_uri("observations"),
        "COMPOUNDS": assessment.layer_uri("compounds"), "AFTER_DATE": after,
        **({"BEFORE_DATE": before} if before else {}), "OUTPUT": "TEMPORARY_OUTPUT"})


def test_a_date_in_the_future_is_refused_as_a_typo(sitewatch_provider, assessment):
    observed_site(assessment)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(QgsProcessingException, match=f"The after date {tomorrow} is in the future"):
        damage(assessment, tomorrow)
    with pytest.raises(QgsProcessingException, match="The before date 2030-01-08 is in the future"):
        damage(assessment, dt.date.today().isoformat(), "2030-01-08")
    assert damage(assessment, dt.date.today().isoformat())["ALL_N_DESTROY"] == 1


def test_a_date_before_any_observation_leaves_everything_unobserved(sitewatch_provider, assessment):
    observed_site(assessment)
    result = damage(assessment, "2000-01-01")
    assert (result["ALL_N_STRUCT"], result["ALL_N_ASSESSED"], result["ALL_N_UNKNOWN"]) == (3, 0, 3)


def test_qgis_process_prints_the_future_date_once(qgis_process, assessment):
    observed_site(assessment)
    failed = qgis_process("run", "sitewatch:compounddamage", "--",
                          f"STRUCTURES={assessment.layer_uri('structures')}",
                          f"OBSERVATIONS={assessment.layer_uri('observations')}", "AFTER_DATE=2099-01-08",
                          "OUTPUT=TEMPORARY_OUTPUT", check=False)
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("The after date 2099-01-08 is in the future") == 1


# --- the summary sentence ------------------------------------------------------------------------

def test_summary_sentence_says_new_structures(assessment):
    observed_site(assessment)
    table = compound_damage(*(assessment.layer(n) for n in ("structures", "observations", "compounds")),
                            "2020-01-08", BEFORE)
    assert summary_sentence(table).endswith("; 2 newly damaged, 2 new structures since 2019-09-01")
    build(assessment, observations=[("S-2", "2019-09-01", "intact")])
    table = compound_damage(*(assessment.layer(n) for n in ("structures", "observations", "compounds")),
                            "2020-01-08", BEFORE)
    assert summary_sentence(table).endswith("; 2 newly damaged, 1 new structure since 2019-09-01")

