"""exportreport replaces only a SiteWatch export, and an export killed with kill -9 (while
writing, or between the two renames of an overwrite) leaves nothing the next run does not
recover or clean up."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.tests.helpers.export_site import AFTER
from sitewatch.tests.helpers.faults import checksums, dead_pid, kill_when, start_python


def test_overwrite_refuses_a_web_app_folder_with_its_own_manifest(sitewatch_provider, site_path, tmp_path):
    app = tmp_path / "webapp"
    app.mkdir()
    (app / "manifest.json").write_text(json.dumps({"name": "My app", "start_url": "index.html"}))
    (app / "index.html").write_text("<html></html>")
    (app / "app.js").write_text("console.log(1)")
    before = checksums(tmp_path)
    parameters = {
        "ASSESSMENT": str(site_path),
        "AFTER_DATE": AFTER,
        "FORMATS": "CSV",
        "REPORT": False,
        "OVERWRITE": True,
        "OUTPUT_FOLDER": str(app),
    }
    with pytest.raises(QgsProcessingException, match="its manifest.json was not written by SiteWatch"):
        processing.run("sitewatch:exportreport", parameters)
    assert checksums(tmp_path) == before


def test_a_killed_export_leaves_a_partial_folder_the_next_run_removes(site, tmp_path):
    target = tmp_path / "out"
    process = start_python(
        f"""
        from sitewatch.core.assessment.geopackage import GeoPackageStore
        from sitewatch.core.export.package import ExportRequest, export_assessment
        store = GeoPackageStore.open({site.location!r})
        for _ in range(50):
            export_assessment(store, ExportRequest({str(target)!r}, {AFTER!r}, overwrite=True))
        """
    )
    partial = tmp_path / f".out.partial-{process.pid}"
    kill_when(process, lambda: any(partial.glob("*.csv")))
    assert partial.is_dir()  # what the kill left
    export_assessment(site, ExportRequest(str(target), AFTER, formats=("CSV",), overwrite=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (target / "manifest.json").is_file()


def test_a_kill_between_the_two_renames_gets_the_previous_export_back(site, tmp_path):
    target = tmp_path / "out"
    export_assessment(site, ExportRequest(str(target), AFTER, formats=("CSV",)))
    previous = checksums(target)
    pid = dead_pid()
    # The state a kill -9 between the renames of an overwrite leaves: both folders hidden.
    os.rename(target, tmp_path / f".out.old-{pid}")
    shutil.copytree(tmp_path / f".out.old-{pid}", tmp_path / f".out.partial-{pid}")
    with pytest.raises(SiteWatchError, match="already exists"):  # recovered first, so it exists again
        export_assessment(site, ExportRequest(str(target), AFTER, formats=("CSV",)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert checksums(target) == previous
