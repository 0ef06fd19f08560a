"""A read-only database role opens a team's assessment and exports it, but its review keys and
drawing are refused with a clear message and nothing is written."""

from __future__ import annotations

import csv

import pytest
from qgis.core import Qgis, QgsGeometry

import processing
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, at_after, key_of, messages, press
from sitewatch.ui.annotation.part import AnnotationPart
from sitewatch.ui.export.action import ExportAction


@pytest.fixture
def viewer_location(postgres_cluster, team_plugin, pg_assessment):
    """The team's assessment as a viewer role sees it (``ro_`` and the schema): it may read, nothing more."""
    schema = pg_assessment.database.schema
    role = f"ro_{schema}"
    postgres_cluster.sql(
        f"CREATE ROLE {role} LOGIN; "
        f"GRANT USAGE ON SCHEMA {schema} TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"
    )
    return pg_assessment.location.replace("sitewatch_admin@", f"{role}@")


def test_keys_and_drawing_of_a_read_only_role_are_refused_clearly(
    team_plugin, viewer_location, pg_assessment, qgis_iface
):
    session = team_plugin.context.session
    session.open(viewer_location)
    session.set_pair(BEFORE, AFTER)
    assert f"Your database role 'ro_{pg_assessment.database.schema}' may only read" in messages(
        qgis_iface, Qgis.MessageLevel.Info
    )
    annotation = part_of(team_plugin, AnnotationPart)
    tool = annotation.activate("review")
    annotation.controller.select("S-0003")
    qgis_iface.messageBar().clear_messages()
    press(tool, key_of("destroyed"))
    warning = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert "may only read" in warning and "Ask the assessment's lead for analyst rights" in warning
    square = QgsGeometry.fromWkt(
        "POLYGON((500200 3000200,500210 3000200,500210 3000210,500200 3000210,500200 3000200))"
    )
    assert annotation.controller.draw("structures", "bunker", square) is None
    assert "S-0003" not in at_after(pg_assessment)
    assert pg_assessment.layer("structures").featureCount() == 5


def test_a_read_only_role_exports(team_plugin, viewer_location, tmp_path):
    session = team_plugin.context.session
    session.open(viewer_location)
    session.set_pair(BEFORE, AFTER)
    parameters = part_of(team_plugin, ExportAction).initial_parameters()
    parameters.update(
        {"OUTPUT_FOLDER": str(tmp_path / "out"), "REPORT": False, "COMPOUND_PAGES": False, "FORMATS": [4]}
    )
    processing.run("sitewatch:exportreport", parameters)
    rows = list(csv.DictReader(next((tmp_path / "out").glob("*observations.csv")).open(encoding="utf-8-sig")))
    assert {row["struct_id"] for row in rows} == {"S-0001", "S-0002"}
