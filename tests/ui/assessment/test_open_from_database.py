"""SiteWatch ▸ Open assessment from database: a saved PostgreSQL connection or a service, then
an assessment in it; the project keeps the location without any password; the export action's
default folder for a database assessment."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsDataSourceUri, QgsProject, QgsProviderRegistry

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.postgres import DATABASE, PORT, SUPERUSER
from sitewatch.tests.helpers.review_site import AFTER, BEFORE
from sitewatch.ui import settings
from sitewatch.ui.assessment.actions import AssessmentActions
from sitewatch.ui.assessment.database_dialog import DatabaseAssessmentDialog
from sitewatch.ui.assessment.session import PROJECT_KEY, PROJECT_SCOPE
from sitewatch.ui.export.action import ExportAction


@pytest.fixture
def saved_connection(postgres_cluster):
    """A QGIS saved PostgreSQL connection "Team DB" to the test cluster (no password kept)."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = QgsDataSourceUri()
    uri.setConnection(postgres_cluster.socket_dir, PORT, DATABASE, SUPERUSER, "")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {"saveUsername": True}), "Team DB")
    yield "Team DB"
    metadata.deleteConnection("Team DB")


@pytest.fixture
def service(postgres_cluster, tmp_path, monkeypatch):
    """A pg_service.conf service "damage" naming the test cluster."""
    path = tmp_path / "pg_service.conf"
    path.write_text(f"[damage]\nhost={postgres_cluster.socket_dir}\nport={PORT}\ndbname={DATABASE}\nuser={SUPERUSER}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(path))
    return "damage"


def test_a_saved_connection_lists_its_assessments_and_opens_one(plugin, pg_assessment, saved_connection):
    dialog = DatabaseAssessmentDialog()
    assert "Team DB" in [dialog.source_combo.itemText(i) for i in range(dialog.source_combo.count())]
    schema = pg_assessment.database.schema
    dialog.choose("Team DB", schema)
    assert dialog.schema_combo.currentText() == f"Test site ({schema})"
    location = dialog.location()
    part_of(plugin, AssessmentActions).open_path(location)
    session = plugin.context.session
    assert session.store is not None and session.store.location == location
    assert session.layer("structures").isValid() and session.layer("structures").providerType() == "postgres"
    saved, _ = QgsProject.instance().readEntry(PROJECT_SCOPE, PROJECT_KEY, "")
    assert saved == location and f"schema={schema}" in saved and "password" not in saved
    menu = [a.text() for a in plugin.context.menu.actions()]
    assert "Open assessment from database…" in menu


def test_a_service_is_offered_and_kept_by_name(plugin, pg_assessment, service):
    dialog = DatabaseAssessmentDialog()
    dialog.choose("damage (service)", pg_assessment.database.schema)
    assert dialog.location() == f"service=damage schema={pg_assessment.database.schema}"
    plugin.context.session.open(dialog.location())
    assert plugin.context.session.store.metadata()["site_name"] == "Test site"


def test_a_connection_keeping_its_password_is_refused_with_what_to_do(
    postgres_cluster, pg_assessment, qgis_new_project
):
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = QgsDataSourceUri()
    uri.setConnection(postgres_cluster.socket_dir, PORT, DATABASE, SUPERUSER, "s3cret")
    keep = {"saveUsername": True, "savePassword": True}
    metadata.saveConnection(metadata.createConnection(uri.uri(False), keep), "With password")
    try:
        dialog = DatabaseAssessmentDialog()
        dialog.choose("With password", pg_assessment.database.schema)
        assert dialog.schema_combo.count() == 0
        assert "keeps its password in the QGIS settings" in dialog.status.text()
        assert "authentication configuration" in dialog.status.text() and "s3cret" not in dialog.status.text()
    finally:
        metadata.deleteConnection("With password")


def test_export_of_a_database_assessment_defaults_to_the_last_folder(plugin, pg_assessment, tmp_path):
    settings.set_last_folder(str(tmp_path))
    session = plugin.context.session
    session.open(pg_assessment.location)
    session.set_pair(BEFORE, AFTER)
    parameters = part_of(plugin, ExportAction).initial_parameters()
    assert parameters["ASSESSMENT"] == pg_assessment.location
    assert Path(parameters["OUTPUT_FOLDER"]) == tmp_path / f"Test_site_{AFTER.acquired}_export"
