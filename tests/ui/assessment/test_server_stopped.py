"""The database server stops mid-session on the desktop: a review key is refused with a clear
message and nothing is recorded, the map and queue keep what is stored; when the server is back
the same key records the state once (one row, no history, one audit entry)."""

from __future__ import annotations

from qgis.core import Qgis

from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, at_after, key_of, messages, press
from sitewatch.ui.annotation.part import AnnotationPart


def test_a_key_while_the_server_is_down_is_refused_then_recorded_once_when_back(
    team_plugin, pg_assessment, postgres_cluster, qgis_iface
):
    annotation = part_of(team_plugin, AnnotationPart)
    controller = annotation.controller
    tool = annotation.activate("review")
    controller.select("S-0003")
    assert controller.book.status_at("S-0003", AFTER.acquired) is None
    postgres_cluster.pg_ctl("stop")
    try:
        press(tool, key_of("severe"))
        refused = messages(qgis_iface, Qgis.MessageLevel.Critical)
        assert "cannot be reached" in refused and "nothing was written" in refused
        assert "Repeat the edit when the connection is back" in refused
        assert controller.book.status_at("S-0003", AFTER.acquired) is None  # the map shows what is stored
        assert "Severe" not in annotation.dock.row_text("S-0003")
    finally:
        postgres_cluster.pg_ctl("start")
    qgis_iface.messageBar().clear_messages()
    press(tool, key_of("severe"))
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == ""
    assert at_after(pg_assessment)["S-0003"][0] == "severe"
    assert controller.book.status_at("S-0003", AFTER.acquired) == "severe"
    assert [o.structure_id for o in pg_assessment.observations(["S-0003"]) if o.observed_on == AFTER.acquired] == [
        "S-0003"
    ]
    assert pg_assessment.history("S-0003") == []
    schema = pg_assessment.database.schema
    audit = postgres_cluster.sql(
        f"SELECT operation FROM {schema}.audit_log WHERE table_name = 'observations' "
        f"AND feature_key = 'S-0003 {AFTER.acquired}'"
    )
    assert audit == [("INSERT",)]
