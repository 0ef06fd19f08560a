"""An assessment the analyst may read but not write is refused with a clear message, and nothing
is written, also for a real unprivileged user (as root every file is writable)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from osgeo import ogr

from sitewatch.tests.helpers.constants import REPO
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


def test_read_only_geopackage_is_refused_for_a_user_who_cannot_write_it(assessment, tmp_path):
    """As root every file is writable, so the writer runs as the unprivileged user ``nobody``."""
    import shutil
    import subprocess
    import tempfile

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run as another user (test_read_only_geopackage_writes_nothing runs)")
    folder = Path(tempfile.mkdtemp(prefix="sitewatch-readonly-"))
    try:
        folder.chmod(0o755)
        target = folder / "site.gpkg"
        add_structures(assessment, ["S-0001"])  # observed by the writer
        shutil.copy(assessment.path, target)
        target.chmod(0o644)
        script = folder / "writer.py"
        script.write_text(READ_ONLY_WRITER)
        # the user nobody reads a copy of the plugin's core: the checkout may sit in a folder only
        # its owner can enter (a clone in a `mktemp -d` folder is 0700)
        package_home = folder / "pkgroot"
        plugin_root = REPO
        shutil.copytree(
            plugin_root / "core", package_home / "sitewatch" / "core", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(plugin_root / "__init__.py", package_home / "sitewatch" / "__init__.py")
        for path in [package_home, *package_home.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        result = subprocess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", str(script), str(target)],
            capture_output=True,
            text=True,
            timeout=120,
            env={
                "PATH": os.environ["PATH"],
                "PYTHONPATH": str(package_home),
                "HOME": str(folder),
                "QT_QPA_PLATFORM": "offscreen",
            },
        )
        lines = result.stdout.splitlines()
        assert len(lines) == 2, result.stderr
        assert all("read-only; nothing was written" in line for line in lines), lines
        dataset = ogr.Open(str(target))
        assert dataset.GetLayerByName("structures").GetFeatureCount() == 1
        assert dataset.GetLayerByName("observations").GetFeatureCount() == 0
        dataset = None
    finally:
        shutil.rmtree(folder)
