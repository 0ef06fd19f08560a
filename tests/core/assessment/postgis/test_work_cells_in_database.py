"""Work cell rules kept by the database: a client writing plain SQL (QGIS editing the layer,
psql, a script) or naming itself after someone else cannot certify its own cell, skip a state,
reject without a comment, delete a cell with work in it or write a transition of its own."""

from __future__ import annotations

import psycopg2
import pytest
from qgis.core import QgsRectangle

from sitewatch.core.assessment.postgis import PostgisStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.teamwork.making import grid_cells
from sitewatch.tests.helpers.postgres import add_analyst_role


@pytest.fixture
def cells(pg_assessment, postgres_cluster):
    """A 2 × 1 split; W-0001 assigned to Ann, who submitted it from her own role; Bob has his."""
    schema = pg_assessment.database.schema
    pg_assessment.add_work_cells(grid_cells(QgsRectangle(500000, 4000000, 500200, 4000100), 2, 1))
    ann = PostgisStore.open(add_analyst_role(postgres_cluster, schema, f"ann_{schema}"))
    bob = PostgisStore.open(add_analyst_role(postgres_cluster, schema, f"bob_{schema}"))
    pg_assessment.change_cell("W-0001", "assign", "Lead", assignee="Ann")
    ann.change_cell("W-0001", "submit", "Ann")
    yield pg_assessment, ann, bob, schema
    ann.close()
    bob.close()


def as_role(cluster, schema, role, statement, analyst=""):
    connection = psycopg2.connect(cluster.conninfo(user=role))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}", public')
            cursor.execute("SELECT set_config('sitewatch.analyst', %s, true)", (analyst,))
            cursor.execute(statement)
    finally:
        connection.close()


def test_the_submitting_role_cannot_certify_under_another_name(cells):
    _, ann, _, _ = cells
    with pytest.raises(SiteWatchError, match="cannot certify cell W-0001: it is your own work .*database role ann_"):
        ann.change_cell("W-0001", "certify", "Bob")  # Ann's role, Bob's name: the database sees the role
    assert ann.work_cells()[0].state == "awaiting_review"


def test_another_role_cannot_certify_under_the_analysts_name(cells):
    _, _, bob, _ = cells
    with pytest.raises(SiteWatchError, match="cannot certify cell W-0001: it is your own work"):
        bob.change_cell("W-0001", "certify", "Ann")
    certified = bob.change_cell("W-0001", "certify", "Bob")
    assert (certified.state, certified.changed_by) == ("certified", "Bob")
    last = bob.cell_transitions("W-0001")[-1]
    assert (last.action, last.analyst, last.account) == ("certify", "Bob", bob.database.get("user"))


@pytest.mark.parametrize(
    ("role", "analyst", "statement", "message"),
    [
        ("ann", "Bob", "UPDATE work_cells SET state = 'certified' WHERE cell_id = 'W-0001'", "your own work"),
        ("bob", "Bob", "UPDATE work_cells SET state = 'certified' WHERE cell_id = 'W-0002'", "cannot go from"),
        ("bob", "Bob", "UPDATE work_cells SET state = 'in_progress' WHERE cell_id = 'W-0001'", "comment is required"),
        (
            "bob",
            "Bob",
            "UPDATE work_cells SET assignee = 'Bob', state = 'certified' WHERE cell_id = 'W-0001'",
            "changes only by assigning",
        ),
        ("bob", "Bob", "UPDATE work_cells SET state = 'awaiting_review' WHERE cell_id = 'W-0002'", "cannot go from"),
        ("bob", "Bob", "DELETE FROM work_cells WHERE cell_id = 'W-0001'", "never deleted"),
        (
            "bob",
            "Bob",
            "INSERT INTO work_cells (cell_id, state, assignee) VALUES ('W-0009', 'certified', 'Bob')",
            "starts unassigned",
        ),
        (
            "bob",
            "Bob",
            "INSERT INTO cell_transitions (cell_id, action, to_state, account) "
            "VALUES ('W-0001', 'certify', 'certified', 'bob')",
            "permission denied",
        ),
        ("sitewatch_admin", "Lead", "DELETE FROM cell_transitions", "append-only"),
    ],
)
def test_plain_sql_cannot_skip_the_rules(cells, postgres_cluster, role, analyst, statement, message):
    store, _, _, schema = cells
    role = role if role == "sitewatch_admin" else f"{role}_{schema}"
    before = (store.work_cells(), store.cell_transitions())
    with pytest.raises(psycopg2.Error, match=message):
        as_role(postgres_cluster, schema, role, statement, analyst)
    assert (store.work_cells(), store.cell_transitions()) == before


def test_plain_sql_that_follows_the_rules_is_recorded_like_the_plugin(cells, postgres_cluster):
    store, _, _, schema = cells
    as_role(
        postgres_cluster, schema, f"bob_{schema}", "UPDATE work_cells SET state = 'certified' WHERE cell_id = 'W-0001'"
    )
    last = store.cell_transitions("W-0001")[-1]
    assert (last.action, last.analyst, last.account) == ("certify", f"bob_{schema}", f"bob_{schema}")
    audit = postgres_cluster.sql(
        f"SELECT operation, feature_key FROM {schema}.audit_log WHERE table_name = 'work_cells' "
        "ORDER BY id DESC LIMIT 1"
    )
    assert audit == [("UPDATE", "W-0001")]


def test_an_assessment_made_before_work_cells_gets_them_when_the_lead_splits_it(pg_assessment, postgres_cluster):
    schema = pg_assessment.database.schema
    postgres_cluster.sql(f"DROP TABLE {schema}.work_cells, {schema}.cell_transitions")
    assert pg_assessment.work_cells() == []
    assert pg_assessment.cell_transitions() == []
    assert pg_assessment.add_work_cells(grid_cells(QgsRectangle(500000, 4000000, 500100, 4000100), 1, 1)) == 1
    pg_assessment.change_cell("W-0001", "assign", "Lead", assignee="Ann")
    assert [t.action for t in pg_assessment.cell_transitions()] == ["assign"]
