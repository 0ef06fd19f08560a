"""The rules live in the database: a client writing plain SQL (QGIS editing the table, psql, a
script) cannot skip constraints, history or the audit trail."""

from __future__ import annotations

import psycopg2
import pytest
from qgis.core import QgsGeometry

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.errors import SiteWatchError

SQUARE = "POLYGON((500000 4000000,500010 4000000,500010 4000010,500000 4000010,500000 4000000))"


@pytest.fixture
def site(pg_assessment):
    pg_assessment.add_feature(
        FeatureRecord("structures", {"structure_id": "S-0001", "type": "bunker"}, QgsGeometry.fromWkt(SQUARE))
    )
    return pg_assessment


def raw(cluster, schema, statement, parameters=()):
    connection = cluster.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}", public')
            cursor.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        (
            "INSERT INTO observations (structure_id, observed_on, status) VALUES ('S-0001', '2024-01-01', 'flat')",
            "check",
        ),
        (
            "INSERT INTO observations (structure_id, observed_on, status, confidence) "
            "VALUES ('S-0001', '2024-01-01', 'intact', 'sure')",
            "check",
        ),
        ("INSERT INTO structures (structure_id, type) VALUES ('S-0002', 'castle')", "check"),
        ("INSERT INTO structures (structure_id, type) VALUES ('S-0001', 'bunker')", "unique"),
        (
            "INSERT INTO observations (structure_id, observed_on, status) VALUES ('S-0099', '2024-01-01', 'intact')",
            "does not exist",
        ),
        (
            "INSERT INTO observations (structure_id, observed_on, status) VALUES "
            "('S-0001', '2024-01-01', 'intact'), ('S-0001', '2024-01-01', 'severe')",
            "unique",
        ),
        ("DELETE FROM observation_history", "append-only"),
        ("UPDATE audit_log SET analyst = 'nobody'", "append-only"),
        ("TRUNCATE audit_log", "append-only"),
    ],
)
def test_plain_sql_cannot_break_the_rules(postgres_cluster, site, statement, error):
    with pytest.raises(psycopg2.Error, match=f"(?i){error}"):
        raw(postgres_cluster, site.database.schema, statement)


def test_history_and_audit_are_kept_for_plain_sql_clients(postgres_cluster, site):
    schema = site.database.schema
    site.record_observation(Observation("S-0001", "2024-01-01", "intact", analyst="ann"))
    raw(postgres_cluster, schema, "UPDATE observations SET status = 'destroyed' WHERE structure_id = 'S-0001'")
    raw(postgres_cluster, schema, "DELETE FROM observations")
    assert [(o.status, reason) for o, _, reason in site.history()] == [("intact", "replaced"), ("destroyed", "deleted")]
    audit = raw(
        postgres_cluster,
        schema,
        "SELECT db_role, analyst, table_name, operation, feature_key, application, "
        "old_values->>'status', new_values->>'status' FROM audit_log ORDER BY id",
    )
    assert audit == [
        ("sitewatch_admin", site.analyst, "structures", "INSERT", "S-0001", "SiteWatch", None, None),
        ("sitewatch_admin", "ann", "observations", "INSERT", "S-0001 2024-01-01", "SiteWatch", None, "intact"),
        ("sitewatch_admin", "ann", "observations", "UPDATE", "S-0001 2024-01-01", "", "intact", "destroyed"),
        ("sitewatch_admin", "ann", "observations", "DELETE", "S-0001 2024-01-01", "", "destroyed", None),
    ]


def test_geometry_edits_are_audited(postgres_cluster, site):
    site.update_feature("structures", "S-0001", geometry=QgsGeometry.fromWkt(SQUARE.replace("500010", "500020")))
    changed = raw(
        postgres_cluster,
        site.database.schema,
        "SELECT geometry_changed FROM audit_log WHERE operation = 'UPDATE' AND table_name = 'structures'",
    )
    assert changed == [(True,)]


def test_a_read_only_role_can_read_but_its_writes_are_refused_clearly(postgres_cluster, site):
    schema = site.database.schema
    postgres_cluster.sql(
        "DROP ROLE IF EXISTS viewer_ro; CREATE ROLE viewer_ro LOGIN; "
        f"GRANT USAGE ON SCHEMA {schema} TO viewer_ro; GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO viewer_ro"
    )
    from sitewatch.core.assessment.postgis import PostgisStore

    viewer = PostgisStore.open(site.location.replace("sitewatch_admin@", "viewer_ro@"))
    assert viewer.get_feature("structures", "S-0001") is not None
    assert viewer.layer("structures").featureCount() == 1
    with pytest.raises(SiteWatchError, match="may only read .*nothing was written.*analyst rights"):
        viewer.record_observation(Observation("S-0001", "2024-01-01", "severe", analyst="vic"))
    assert site.observations() == []
    viewer.close()
