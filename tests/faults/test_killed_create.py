"""createassessment killed with kill -9 at random moments, over nothing or over an earlier
assessment: the path holds either nothing or a whole assessment (it opens, every layer, its
metadata and default styles), never half of one; the next run works and leaves nothing
hidden behind."""

from __future__ import annotations

import os
import random
import signal
import time

from osgeo import ogr

from sitewatch.core.assessment import schema
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.faults import start_python

ROUNDS = 12


def _creator(target, overwrite: bool):
    """A process creating the assessment at ``target`` again and again; it prints ``ready``
    first and ``created`` after each one."""
    process = start_python(
        f"""
        from qgis.core import QgsCoordinateReferenceSystem
        from sitewatch.core.assessment.geopackage import GeoPackageStore
        crs = QgsCoordinateReferenceSystem("EPSG:32637")
        print("ready", flush=True)
        while True:
            GeoPackageStore.create({str(target)!r}, crs, overwrite={overwrite!r}, site_name="Killed site")
            print("created", flush=True)
            if not {overwrite!r}:
                break
        """
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def _assert_whole(path) -> None:
    store = GeoPackageStore.open(path)
    assert store.metadata()["site_name"] == "Killed site"
    assert store.metadata()["schema_version"] == schema.SCHEMA_VERSION
    dataset = ogr.Open(str(path))
    names = {dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())}
    assert {layer.name for layer in schema.LAYERS} <= names
    styles = dataset.ExecuteSQL("SELECT count(*) FROM layer_styles")
    assert styles.GetNextFeature().GetField(0) >= 1
    dataset.ReleaseResultSet(styles)
    dataset = None


def test_a_killed_create_leaves_nothing_or_a_whole_assessment(tmp_path):
    target = tmp_path / "site.gpkg"
    rng = random.Random(31)
    outcomes = []
    for number in range(ROUNDS):
        overwrite = number % 3 != 0  # every third round creates where nothing is
        if not overwrite:
            target.unlink(missing_ok=True)
        process = _creator(target, overwrite)
        time.sleep(rng.uniform(0.0, 1.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        process.stderr.close()
        if target.exists():
            _assert_whole(target)
        outcomes.append(target.exists())
    assert any(outcomes)  # the kills did not all come before the first file
    GeoPackageStore.create(target, UTM37N, overwrite=True, site_name="Killed site")
    _assert_whole(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.gpkg"]
