"""sitewatch:compounddamage's inputs: layers picked and named by name, optional compounds, future dates."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingException, QgsProject, QgsVectorLayer
from qgis.gui import QgsGui, QgsProcessingGui, QgsProcessingParameterWidgetContext

import processing
from sitewatch.tests.helpers.damage_site import observed_site


@pytest.fixture
def open_assessment_layers(assessment):
    """The assessment's layers in the project, after another polygon layer (listed first)."""
    project = QgsProject.instance()
    decoy = QgsVectorLayer("Polygon?crs=EPSG:32637", "aaa_decoy", "memory")
    project.addMapLayers([decoy] + [assessment.layer(n) for n in ("compounds", "structures", "observations")])
    yield project
    project.removeAllMapLayers()


def test_the_dialog_preselects_the_assessment_layers_by_name(sitewatch_provider, assessment, open_assessment_layers):
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
            algorithm.parameterDefinition(name), QgsProcessingGui.WidgetType.Standard
        )
        wrapper.setWidgetContext(widget_context)
        widget = wrapper.createWrappedWidget(context)
        assert widget is not None
        chosen[name] = project.mapLayer(wrapper.parameterValue()).name()
    assert chosen == {"STRUCTURES": "structures", "OBSERVATIONS": "observations", "COMPOUNDS": "compounds"}


def test_run_with_only_a_date_uses_the_project_layers(sitewatch_provider, assessment, open_assessment_layers):
    observed_site(assessment)
    result = processing.run(
        "sitewatch:compounddamage",
        {"AFTER_DATE": "2020-01-08", "BEFORE_DATE": "2019-09-01", "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    compounds = {f["compound"] for f in result["OUTPUT"].getFeatures()}
    assert compounds == {"C-1", "C-2", "UNASSIGNED", "ALL"}
    assert result["ALL_N_DESTROY"] == 1


def test_without_a_project_the_optional_compounds_stay_optional(qgis_process, assessment):
    observed_site(assessment)
    done = qgis_process(
        "run",
        "sitewatch:compounddamage",
        "--",
        f"STRUCTURES={assessment.layer_uri('structures')}",
        f"OBSERVATIONS={assessment.layer_uri('observations')}",
        "AFTER_DATE=2020-01-08",
        "OUTPUT=TEMPORARY_OUTPUT",
    )
    assert "1 of 3 structures outside any compound destroyed" in done.stdout
    failed = qgis_process(
        "run", "sitewatch:compounddamage", "--", "AFTER_DATE=2020-01-08", "OUTPUT=TEMPORARY_OUTPUT", check=False
    )
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("Cannot open the structures layer 'structures'") == 1


def test_errors_name_the_layer_by_its_layer_name(sitewatch_provider, assessment):
    observed_site(assessment)
    with sqlite3.connect(assessment.location) as connection:  # a status typed outside SiteWatch
        connection.execute("UPDATE observations SET status = 'destroy' WHERE structure_id = 'S-2'")
    with pytest.raises(QgsProcessingException, match="of layer 'observations' has the unknown status 'destroy'"):
        processing.run(
            "sitewatch:compounddamage",
            {
                "STRUCTURES": assessment.layer_uri("structures"),
                "OBSERVATIONS": assessment.layer_uri("observations"),
                "COMPOUNDS": assessment.layer_uri("compounds"),
                "AFTER_DATE": "2020-01-08",
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )


def damage(assessment, after: str, before: str | None = None) -> dict:
    return processing.run(
        "sitewatch:compounddamage",
        {
            "STRUCTURES": assessment.layer_uri("structures"),
            "OBSERVATIONS": assessment.layer_uri("observations"),
            "COMPOUNDS": assessment.layer_uri("compounds"),
            "AFTER_DATE": after,
            **({"BEFORE_DATE": before} if before else {}),
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )


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
    failed = qgis_process(
        "run",
        "sitewatch:compounddamage",
        "--",
        f"STRUCTURES={assessment.layer_uri('structures')}",
        f"OBSERVATIONS={assessment.layer_uri('observations')}",
        "AFTER_DATE=2099-01-08",
        "OUTPUT=TEMPORARY_OUTPUT",
        check=False,
    )
    assert failed.returncode != 0
    assert (failed.stdout + failed.stderr).count("The after date 2099-01-08 is in the future") == 1
