"""compounddamage while another process holds a write transaction with uncommitted rows: the
figures are the committed ones, or the run waits and then refuses with a clear message; it never
counts rows the other program may still roll back. QGIS's own provider opens a GeoPackage
read-only without a lock and read those rows ("2000 of 2000" here instead of "300 of 3000")."""

from __future__ import annotations

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.tests.helpers.damage_site import box, build
from sitewatch.tests.helpers.faults import start_python

_STRUCTURES = 3000


def _site(assessment):
    """3,000 structures, every tenth destroyed on 2020-01-08 (committed)."""
    structures = [(f"S-{i}", "building", box((i % 80) * 2.5, (i // 80) * 2.5, 2)) for i in range(_STRUCTURES)]
    observations = [(f"S-{i}", "2020-01-08", "destroyed" if i % 10 == 0 else "intact") for i in range(_STRUCTURES)]
    return build(assessment, (), structures, observations)


def _writer(path, rollback_after: float | None):
    """A process that, in one transaction it never commits, marks every observation destroyed and
    deletes a third of the structures with a tiny page cache (so SQLite writes the uncommitted
    pages into the file), says 'holding', then rolls back after ``rollback_after`` seconds or when
    it reads a line."""
    wait = f"time.sleep({rollback_after})" if rollback_after is not None else "sys.stdin.readline()"
    writer = start_python(
        f"""
        import sqlite3, sys, time
        connection = sqlite3.connect({str(path)!r}, isolation_level=None)
        connection.execute("PRAGMA cache_size=-20")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE observations SET status = 'destroyed', notes = hex(randomblob(200))")
        connection.execute("DELETE FROM structures WHERE fid % 3 = 0")
        print("holding", flush=True)
        {wait}
        connection.execute("ROLLBACK")
        """,
        stdin=True,
    )
    assert writer.stdout.readline().strip() == "holding", writer.stderr.read()
    return writer


def _parameters(assessment) -> dict:
    return {
        "STRUCTURES": assessment.layer_uri("structures"),
        "OBSERVATIONS": assessment.layer_uri("observations"),
        "COMPOUNDS": assessment.layer_uri("compounds"),
        "AFTER_DATE": "2020-01-08",
        "OUTPUT": "TEMPORARY_OUTPUT",
    }


def test_a_short_uncommitted_transaction_is_waited_for_and_not_counted(sitewatch_provider, assessment):
    _site(assessment)
    committed = processing.run("sitewatch:compounddamage", _parameters(assessment))["SUMMARY"]
    assert committed.startswith("300 of 3000 structures")
    writer = _writer(assessment.path, rollback_after=2)
    try:
        during = processing.run("sitewatch:compounddamage", _parameters(assessment))
    finally:
        writer.wait(timeout=60)
    assert during["SUMMARY"] == committed
    assert during["ALL_N_STRUCT"] == _STRUCTURES and during["ALL_N_DESTROY"] == 300


def test_a_transaction_held_on_is_refused_with_a_message_not_read(sitewatch_provider, assessment, tmp_path):
    _site(assessment)
    writer = _writer(assessment.path, rollback_after=None)
    output = tmp_path / "damage.gpkg"
    try:
        with pytest.raises(QgsProcessingException, match="locked by another program that is writing to it"):
            processing.run("sitewatch:compounddamage", {**_parameters(assessment), "OUTPUT": str(output)})
    finally:
        writer.stdin.write("\n")
        writer.stdin.flush()
        writer.wait(timeout=60)
    assert not output.exists()
    after = processing.run("sitewatch:compounddamage", _parameters(assessment))
    assert after["SUMMARY"].startswith("300 of 3000 structures")
