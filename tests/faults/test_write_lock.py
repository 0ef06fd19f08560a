"""A second process holding a write transaction on an assessment: createassessment OVERWRITE
refuses to replace the file (through processing.run and qgis_process), and the other
process's commit is kept."""

from __future__ import annotations

import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.faults import checksums, start_python


def _hold_write_lock(path) -> object:
    """A process that opens a write transaction on ``path``, adds a row to sitewatch_meta, says
    'holding', and commits when it reads a line."""
    holder = start_python(
        f"""
        import sqlite3, sys
        connection = sqlite3.connect({str(path)!r}, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO sitewatch_meta VALUES ('held_by', 'the other program')")
        print("holding", flush=True)
        sys.stdin.readline()
        connection.execute("COMMIT")
        print("committed", flush=True)
        """,
        stdin=True,
    )
    assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
    return holder


def _meta(path) -> dict[str, str]:
    dataset = ogr.Open(str(path))
    rows = dataset.ExecuteSQL("SELECT key, value FROM sitewatch_meta")
    result = {row.GetField(0): row.GetField(1) for row in rows}
    dataset.ReleaseResultSet(rows)
    return result


def test_overwrite_of_a_locked_assessment_is_refused_and_the_other_commit_kept(
    sitewatch_provider, qgis_process, tmp_path
):
    path = tmp_path / "site.gpkg"
    GeoPackageStore.create(path, UTM37N, site_name="Held")
    holder = _hold_write_lock(path)
    try:
        before = checksums(tmp_path)
        with pytest.raises(SiteWatchError, match="is locked by another program that is writing to it"):
            GeoPackageStore.create(path, UTM37N, overwrite=True)
        parameters = {"CRS": "EPSG:32637", "OVERWRITE": True, "OUTPUT": str(path)}
        with pytest.raises(QgsProcessingException, match="locked by another program"):
            processing.run("sitewatch:createassessment", parameters)
        cli = qgis_process(
            "run", "sitewatch:createassessment", "--", *[f"{k}={v}" for k, v in parameters.items()], check=False
        )
        assert cli.returncode != 0 and "locked by another program" in cli.stdout + cli.stderr
        assert checksums(tmp_path) == before  # the journal included: nothing was touched
    finally:
        holder.communicate("commit\n", timeout=60)
    assert holder.returncode == 0
    assert _meta(path)["held_by"] == "the other program"
    assert _meta(path)["site_name"] == "Held"
