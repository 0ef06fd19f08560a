"""An assessment the analyst may read but not write is refused with a clear message, and nothing
is written, also for a real unprivileged user (as root every file is writable)."""

from __future__ import annotations

import shutil

import pytest
from osgeo import ogr

from sitewatch.tests.helpers.as_nobody import run_as_nobody, shared_folder, skip_reason
from sitewatch.tests.helpers.damage_site import add_structures

READ_ONLY_WRITER = """
import sys
from qgis.core import QgsGeometry
from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.geopackage import GeoPackageStore

store = GeoPackageStore.open(sys.argv[1])
record = FeatureRecord("structures", {"structure_id": "S-0002", "type": "bunker"},
                       QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"))
for write in (lambda: store.add_feature(record),
              lambda: store.record_observation(Observation("S-0001", "2020-01-08", "severe"))):
    try:
        write()
        print("WRITTEN")
    except SiteWatchError as error:
        print(error)
"""


def test_read_only_geopackage_is_refused_for_a_user_who_cannot_write_it(assessment):
    """As root every file is writable, so the writer runs as the unprivileged user ``nobody``."""
    if skip_reason() is not None:
        pytest.skip(f"{skip_reason()} (test_read_only_geopackage_writes_nothing runs)")
    with shared_folder() as folder:
        target = folder / "site.gpkg"
        add_structures(assessment, ["S-0001"])  # observed by the writer
        shutil.copy(assessment.path, target)
        target.chmod(0o644)
        result = run_as_nobody(folder, READ_ONLY_WRITER, str(target))
        lines = result.stdout.splitlines()
        assert len(lines) == 2, result.stderr
        assert all("read-only; nothing was written" in line for line in lines), lines
        dataset = ogr.Open(str(target))
        assert dataset.GetLayerByName("structures").GetFeatureCount() == 1
        assert dataset.GetLayerByName("observations").GetFeatureCount() == 0
        dataset = None
