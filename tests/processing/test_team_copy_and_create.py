"""createassessment in a saved connection + schema (CONNECTION, SCHEMA) instead of OUTPUT, and
copyassessment carrying the change scores and the work cells with their review both ways."""

from __future__ import annotations

import pytest
from qgis.core import QgsDataSourceUri, QgsProcessingException, QgsProviderRegistry

import processing
from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.assessment.records import ChangeScoreRow
from sitewatch.core.assessment.store import open_assessment
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.damage_site import TWO_COMPOUNDS, box, build
from sitewatch.tests.helpers.postgres import DATABASE, PORT, SUPERUSER


@pytest.fixture
def saved_connection(postgres_cluster):
    """A QGIS saved PostgreSQL connection "Lead DB" to the test cluster (no password kept)."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = QgsDataSourceUri()
    uri.setConnection(postgres_cluster.socket_dir, PORT, DATABASE, SUPERUSER, "")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {"saveUsername": True}), "Lead DB")
    yield "Lead DB"
    metadata.deleteConnection("Lead DB")


def test_create_in_a_saved_connection_and_schema(sitewatch_provider, saved_connection, postgres_cluster):
    schema = postgres_cluster.new_schema_name()
    result = processing.run(
        "sitewatch:createassessment", {"CONNECTION": saved_connection, "SCHEMA": schema, "CRS": "EPSG:32637"}
    )
    assert result["OUTPUT"].startswith("postgresql://") and result["OUTPUT"].endswith(f"schema={schema}")
    store = open_assessment(result["OUTPUT"])
    assert isinstance(store, PostgisStore) and store.crs().authid() == "EPSG:32637"
    with pytest.raises(QgsProcessingException, match="Give CONNECTION and SCHEMA together"):
        processing.run("sitewatch:createassessment", {"CONNECTION": saved_connection, "CRS": "EPSG:32637"})
    with pytest.raises(QgsProcessingException, match="Give either OUTPUT .* or CONNECTION and SCHEMA"):
        processing.run(
            "sitewatch:createassessment",
            {"CONNECTION": saved_connection, "SCHEMA": "other", "OUTPUT": "/tmp/x.gpkg", "CRS": "EPSG:32637"},
        )
    with pytest.raises(QgsProcessingException, match="no saved PostgreSQL connection named 'Nowhere'"):
        processing.run("sitewatch:createassessment", {"CONNECTION": "Nowhere", "SCHEMA": "other", "CRS": "EPSG:32637"})


def reviewed_site(store):
    """Two structures, scores of one image pair, a 2 x 1 split with W-0001 certified."""
    build(store, TWO_COMPOUNDS, [("S-1", "warehouse", box(10, 10, 10)), ("S-2", "bunker", box(150, 10, 10))])
    store.save_change_scores(
        "IMG-0001",
        "IMG-0002",
        [ChangeScoreRow("S-1", 0.83, 0.4, 1, "destroyed"), ChangeScoreRow("S-2", None, None, None, "unknown")],
    )
    processing.run("sitewatch:workcells", {"ASSESSMENT": store.location, "COLUMNS": 2, "ROWS": 1})
    store.change_cell("W-0001", "assign", "Lead", assignee="Ann")
    store.change_cell("W-0001", "submit", "Ann")
    store.change_cell("W-0001", "certify", "Bob")
    store.change_cell("W-0002", "assign", "Lead", assignee="Carl")
    return store


def team_work(store):
    cells = [(c.cell_id, c.name, c.state, c.assignee, c.changed_by, c.geometry.asWkt(3)) for c in store.work_cells()]
    return cells, store.cell_transitions(), store.change_score_pairs(), store.change_scores("IMG-0001", "IMG-0002")


def test_copy_carries_scores_and_cells_both_ways(sitewatch_provider, assessment, pg_location, tmp_path):
    original = team_work(reviewed_site(assessment))
    assert len(original[1]) == 4 and original[2] == [("IMG-0001", "IMG-0002")]
    processing.run("sitewatch:copyassessment", {"ASSESSMENT": assessment.location, "TARGET": pg_location})
    database = open_assessment(pg_location)
    assert team_work(database) == original
    back = tmp_path / "back.gpkg"
    processing.run("sitewatch:copyassessment", {"ASSESSMENT": pg_location, "TARGET": str(back)})
    assert team_work(open_assessment(back)) == original
    # In the database the copied review is under its rules: a certified cell cannot be certified again.
    with pytest.raises(SiteWatchError, match="W-0001 is certified"):
        database.change_cell("W-0001", "certify", "Dana")
    database.change_cell("W-0002", "submit", "Carl")
    assert [t.action for t in database.cell_transitions("W-0002")] == ["assign", "submit"]
