"""Recording through the store (single observations, batches, imports of new structures with
their observations, removals as undo makes them) killed with kill -9 at random moments: every
operation the process reported as committed is in the file, the one it was in the middle of is
there whole or not at all, the file opens and SQLite finds it intact."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation
from sitewatch.tests.helpers.as_nobody import run_as_nobody, shared_folder, skip_reason
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.damage_site import add_structures, box, build
from sitewatch.tests.helpers.faults import checksums, start_python
from sitewatch.tests.helpers.recording_run import Model, model_after, structure_ids

STRUCTURES = 60
KILLS = 6


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "site.gpkg"
    add_structures(GeoPackageStore.create(path, UTM37N), structure_ids(STRUCTURES))
    return path


def _recorder(path, seed: int):
    process = start_python(
        f"""
        from sitewatch.core.assessment.geopackage import GeoPackageStore
        from sitewatch.tests.helpers.recording_run import operations, run
        store = GeoPackageStore.open({str(path)!r})
        print("ready", flush=True)
        for number, operation in enumerate(operations({seed}, {STRUCTURES}), start=1):
            run(store, operation)
            print("committed", number, flush=True)
        """
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def _held(path) -> Model:
    store = GeoPackageStore.open(path)
    held = Model()
    for o in store.observations():
        held.current[(o.structure_id, o.observed_on)] = (o.status, o.confidence, o.analyst)
    held.history = Counter((o.structure_id, o.observed_on, o.status, reason) for o, _, reason in store.history())
    ids = {f["structure_id"] for f in store.layer("structures").getFeatures()}
    held.added = ids - set(structure_ids(STRUCTURES))
    return held


@pytest.mark.parametrize("seed", range(KILLS))
def test_a_killed_recorder_keeps_every_committed_operation_whole(template, tmp_path, seed):
    path = tmp_path / "site.gpkg"
    shutil.copy(template, path)
    process = _recorder(path, seed)
    time.sleep(random.Random(seed).uniform(0.5, 4.0))
    os.kill(process.pid, signal.SIGKILL)
    output, errors = process.communicate()
    # only whole lines count: the kill may cut the last "committed N" line short, and an
    # operation whose report was cut is the one in flight (whole or absent, checked below)
    whole = output[: output.rfind("\n") + 1]
    reported = [int(line.split()[1]) for line in whole.splitlines() if re.fullmatch(r"committed \d+", line)]
    assert reported, errors  # the kill came while recording, not before
    count = reported[-1]
    held = _held(path)
    # the last operation may have committed just before the kill, before it could be reported
    expected = [model_after(seed, STRUCTURES, count), model_after(seed, STRUCTURES, count + 1)]
    assert held in expected, f"after {count} reported operations"
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def _kill_mid_transaction(path) -> None:
    """Kill -9 a writer holding a transaction whose uncommitted pages are already in the file (a
    tiny page cache makes SQLite spill them): it leaves a hot journal."""
    writer = start_python(
        f"""
        import sqlite3, time
        connection = sqlite3.connect({str(path)!r}, isolation_level=None)
        connection.execute("PRAGMA cache_size=-20")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE observations SET status = 'destroyed', notes = hex(randomblob(300))")
        connection.execute("DELETE FROM structures WHERE fid % 2 = 0")
        print("holding", flush=True)
        time.sleep(600)
        """
    )
    assert writer.stdout.readline().strip() == "holding", writer.stderr.read()
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate()
    assert os.path.getsize(f"{path}-journal") > 0  # the write was left half-way


@pytest.mark.parametrize("first", ["open", "held", "compounddamage"])
def test_a_writer_killed_mid_transaction_is_rolled_back_before_anything_reads_the_file(
    sitewatch_provider, assessment, first
):
    """A writer killed with its uncommitted pages already in the file (a tiny page cache makes
    SQLite spill them) leaves a hot journal: the next run undoes it instead of calling the file
    corrupt or counting what was never committed."""
    structures = [(f"S-{i}", "building", box((i % 40) * 2.5, (i // 40) * 2.5, 2)) for i in range(1200)]
    build(assessment, (), structures, [(s, "2020-01-08", "intact") for s, _, _ in structures[::4]])
    _kill_mid_transaction(assessment.path)
    parameters = {
        "STRUCTURES": assessment.layer_uri("structures"),
        "OBSERVATIONS": assessment.layer_uri("observations"),
        "COMPOUNDS": assessment.layer_uri("compounds"),
        "AFTER_DATE": "2020-01-08",
        "OUTPUT": "TEMPORARY_OUTPUT",
    }

    def damage():
        result = processing.run("sitewatch:compounddamage", parameters)
        assert result["ALL_N_STRUCT"] == 1200 and result["ALL_N_DESTROY"] == 0

    def store():
        opened = GeoPackageStore.open(assessment.path) if first != "held" else assessment  # held: open all along
        assert {o.status for o in opened.observations()} == {"intact"} and len(opened.observations()) == 300

    for read in (damage, store) if first == "compounddamage" else (store, damage):
        read()


OPENER = """
import sys
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
try:
    GeoPackageStore.open(sys.argv[1])
    print("OPENED")
except SiteWatchError as error:
    print(error)
"""


def test_a_read_only_file_left_mid_write_is_named_so_not_corrupt(assessment):
    """Who may not write the file cannot roll the write back: told what happened and what to do
    (before: 'corrupt; restore it from a backup'), and the file and its journal stay as they are."""
    if skip_reason() is not None:
        pytest.skip(skip_reason())
    add_structures(assessment, [f"S-{i}" for i in range(600)])
    assessment.record_observations(Observation(f"S-{i}", "2020-01-08", "intact") for i in range(600))
    with shared_folder() as folder:
        target = folder / "site.gpkg"
        shutil.copy(assessment.path, target)
        _kill_mid_transaction(target)
        for path in (target, Path(f"{target}-journal")):
            path.chmod(0o644)
        before = {name: digest for name, digest in checksums(folder).items() if name.startswith("site.gpkg")}
        result = run_as_nobody(folder, OPENER, str(target))
        assert "holds a write that a program stopped half-way" in result.stdout, result.stdout + result.stderr
        assert "open it once as a user who may write it" in result.stdout
        assert {name: digest for name, digest in checksums(folder).items() if name.startswith("site.gpkg")} == before
        assert sorted(before) == ["site.gpkg", "site.gpkg-journal"]
    assert {o.status for o in GeoPackageStore.open(assessment.path).observations()} == {"intact"}
