"""The PostGIS store behaves as the GeoPackage store: layers, features, observations, history,
change scores, metadata — read back through QGIS's own PostgreSQL provider."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.assessment.records import ChangeScoreRow, FeatureRecord
from sitewatch.core.assessment.schema import LAYERS
from sitewatch.core.assessment.store import open_assessment
from sitewatch.core.attributes import plain
from sitewatch.core.errors import NotAnAssessmentError, SiteWatchError
from sitewatch.tests.helpers.constants import UTM37N

SQUARE = "POLYGON((500000 4000000,500010 4000000,500010 4000010,500000 4000010,500000 4000000))"


def structure(store, structure_id="S-0001", type_="warehouse"):
    store.add_feature(
        FeatureRecord("structures", {"structure_id": structure_id, "type": type_}, QgsGeometry.fromWkt(SQUARE))
    )


def test_every_contract_layer_opens_as_a_qgis_postgres_layer(pg_assessment):
    for layer_def in LAYERS:
        layer = pg_assessment.layer(layer_def.name)
        assert layer.providerType() == "postgres"
        assert [f.name() for f in layer.fields()] == ["fid", *layer_def.field_names()], layer_def.name
        if layer_def.geometry is not None:
            assert layer.crs().authid() == "EPSG:32637"
    assert pg_assessment.metadata()["site_name"] == "Test site"
    assert "password" not in pg_assessment.location


def test_open_assessment_reads_the_uri_contract(pg_assessment):
    again = open_assessment(pg_assessment.location)
    assert isinstance(again, PostgisStore)
    assert again.location == pg_assessment.location
    assert again.crs().authid() == "EPSG:32637"


def test_observations_replace_and_history_keeps_every_version(pg_assessment):
    structure(pg_assessment)
    first = Observation("S-0001", "2024-03-01", "intact", confidence="high", analyst="ann")
    assert pg_assessment.record_observation(first) is None
    replaced = pg_assessment.record_observation(Observation("S-0001", "2024-03-01", "severe", analyst="bob"))
    assert replaced == first
    assert [o.status for o in pg_assessment.observations()] == ["severe"]
    removed = pg_assessment.remove_observation("S-0001", "2024-03-01", "undo")
    assert removed.status == "severe"
    history = pg_assessment.history("S-0001")
    assert [(o.status, o.analyst, reason) for o, _, reason in history] == [
        ("intact", "ann", "replaced"),
        ("severe", "bob", "undo"),
    ]
    assert pg_assessment.observations() == []
    rows = [f for f in pg_assessment.layer("observation_history").getFeatures()]
    assert [plain(f["observed_on"]) for f in rows] == ["2024-03-01", "2024-03-01"]


def test_bulk_observations_in_one_transaction(pg_assessment):
    for number in range(1, 4):
        structure(pg_assessment, f"S-{number:04d}")
    batch = [Observation(f"S-{n:04d}", "2024-03-01", "moderate", analyst="ann") for n in range(1, 4)]
    assert pg_assessment.record_observations(batch) == 3
    bad = [Observation("S-0001", "2024-04-01", "intact"), Observation("S-0002", "2024-04-01", "flattened")]
    with pytest.raises(SiteWatchError, match="flattened"):
        pg_assessment.record_observations(bad)
    assert {o.observed_on for o in pg_assessment.observations()} == {"2024-03-01"}
    assert pg_assessment.archive_observations_of(["S-0001", "S-0002"], "structures deleted") == 2
    assert [o.structure_id for o in pg_assessment.observations()] == ["S-0003"]


def test_features_add_update_delete_with_their_observations(pg_assessment):
    structure(pg_assessment)
    assert pg_assessment.next_id("structures") == "S-0002"
    pg_assessment.record_observation(Observation("S-0001", "2024-03-01", "destroyed", analyst="ann"))
    before = pg_assessment.update_feature("structures", "S-0001", attributes={"name": "Depot", "type": "hangar"})
    assert before.attributes["type"] == "warehouse"
    assert pg_assessment.get_feature("structures", "S-0001").attributes["name"] == "Depot"
    record = pg_assessment.delete_feature("structures", "S-0001", "structure deleted")
    assert record.geometry.area() == pytest.approx(100.0)
    assert pg_assessment.get_feature("structures", "S-0001") is None
    assert [reason for _, _, reason in pg_assessment.history("S-0001")] == ["structure deleted"]
    pg_assessment.add_feature(record, [o for o, _, _ in pg_assessment.history("S-0001")])
    assert [o.status for o in pg_assessment.observations(["S-0001"])] == ["destroyed"]
    with pytest.raises(SiteWatchError, match="already exists"):
        pg_assessment.add_feature(record)


def test_change_scores_per_pair(pg_assessment):
    rows = [ChangeScoreRow("S-0001", 0.8, 0.5, 1, "severe"), ChangeScoreRow("S-0002", None, None, None, "unknown")]
    assert pg_assessment.save_change_scores("IMG-1", "IMG-2", rows) == 2
    assert pg_assessment.save_change_scores("IMG-1", "IMG-2", rows[:1]) == 1
    scores = pg_assessment.change_scores("IMG-1", "IMG-2")
    assert list(scores) == ["S-0001"] and scores["S-0001"].rank == 1
    assert pg_assessment.change_scores("IMG-2", "IMG-3") == {}


def test_the_default_styles_are_kept_in_the_database(pg_assessment):
    layer = pg_assessment.layer("structures")
    assert layer.renderer().type() == "categorizedSymbol"


def test_an_existing_schema_is_refused_and_left_untouched(pg_assessment):
    structure(pg_assessment)
    with pytest.raises(SiteWatchError, match="already exists"):
        PostgisStore.create(pg_assessment.location, UTM37N)
    assert pg_assessment.get_feature("structures", "S-0001") is not None


def test_a_foreign_schema_is_never_overwritten(postgres_cluster):
    postgres_cluster.sql(
        "CREATE SCHEMA IF NOT EXISTS someone_elses; CREATE TABLE IF NOT EXISTS someone_elses.t (x int)"
    )
    location = postgres_cluster.location("someone_elses")
    with pytest.raises(SiteWatchError, match="is not a SiteWatch assessment"):
        PostgisStore.create(location, UTM37N, overwrite=True)
    with pytest.raises(NotAnAssessmentError, match="table 'imagery' is missing"):
        PostgisStore.open(location)
    assert postgres_cluster.sql("SELECT count(*) FROM someone_elses.t") == [(0,)]


def test_missing_schema_database_and_postgis_say_so(postgres_cluster, pg_location):
    with pytest.raises(NotAnAssessmentError, match="There is no schema"):
        PostgisStore.open(pg_location)
    wrong_db = pg_location.replace("/sitewatch_test?", "/no_such_db?")
    with pytest.raises(SiteWatchError, match='Cannot connect.*database "no_such_db" does not exist'):
        PostgisStore.open(wrong_db)
    postgres_cluster.sql("DROP DATABASE IF EXISTS plain_db", dbname="postgres")
    postgres_cluster.sql("CREATE DATABASE plain_db", dbname="postgres")
    with pytest.raises(SiteWatchError, match="has no PostGIS extension"):
        PostgisStore.create(pg_location.replace("/sitewatch_test?", "/plain_db?"), UTM37N)


def test_a_role_without_create_right_gets_a_clear_message(postgres_cluster, pg_location):
    postgres_cluster.sql("DROP ROLE IF EXISTS no_create; CREATE ROLE no_create LOGIN")
    location = pg_location.replace("sitewatch_admin@", "no_create@")
    with pytest.raises(SiteWatchError, match="may not create the schema"):
        PostgisStore.create(location, UTM37N)
