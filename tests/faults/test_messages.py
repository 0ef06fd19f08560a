"""Each bad file is reported with what is wrong with it and what to do: locked by another
program, not a GeoPackage, cut short, a name too long, a missing layer; nothing changes."""

from __future__ import annotations

import shutil

import pytest
from qgis.core import QgsProcessingException

import processing
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.tests.helpers.constants import UTM37N
from sitewatch.tests.helpers.export_site import AFTER
from sitewatch.tests.helpers.faults import checksums, start_python


def test_a_text_file_named_gpkg_is_not_a_geopackage(tmp_path):
    path = tmp_path / "site.gpkg"
    path.write_text("shopping list\n")
    with pytest.raises(SiteWatchError, match="is not a GeoPackage \\(not an SQLite database file\\)"):
        GeoPackageStore.open(path)


def test_a_truncated_assessment_is_reported_cut_short(site_path, tmp_path):
    path = tmp_path / "cut.gpkg"
    data = site_path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = checksums(tmp_path)
    with pytest.raises(SiteWatchError, match=r"is incomplete \(cut short: \d+ of \d+ bytes\); restore it"):
        GeoPackageStore.open(path)
    assert checksums(tmp_path) == before


def test_an_assessment_locked_by_another_program_is_reported_locked(site_path, tmp_path):
    path = tmp_path / "site.gpkg"
    shutil.copy(site_path, path)
    holder = start_python(
        f"""
        import sqlite3, sys
        connection = sqlite3.connect({str(path)!r}, isolation_level=None)
        connection.execute("PRAGMA journal_mode=DELETE")  # in WAL mode readers are never locked out
        connection.execute("BEGIN EXCLUSIVE")
        print("holding", flush=True)
        sys.stdin.readline()
        connection.execute("ROLLBACK")
        """,
        stdin=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(SiteWatchError, match="is locked by another program that is writing to it"):
            GeoPackageStore.open(path)
    finally:
        holder.communicate("done\n", timeout=60)
    assert GeoPackageStore.open(path).location == str(path)


def test_a_312_character_file_name_is_too_long(sitewatch_provider, tmp_path):
    name = "Al " + "Very Long Site Name " * 15 + "x" * 6
    assert len(name) + len(".gpkg") >= 312 - 5
    with pytest.raises(SiteWatchError, match=r"is too long \(\d+ characters; at most 200 bytes\)"):
        GeoPackageStore.create(tmp_path / f"{name}.gpkg", UTM37N)
    with pytest.raises(QgsProcessingException, match="is too long"):
        processing.run("sitewatch:createassessment", {"CRS": "EPSG:32637", "OUTPUT": str(tmp_path / f"{name}.gpkg")})
    assert list(tmp_path.iterdir()) == []


def test_compounddamage_names_a_missing_file_and_a_missing_layer(sitewatch_provider, site_path, tmp_path):
    base = {
        "STRUCTURES": f"{site_path}|layername=structures",
        "OBSERVATIONS": f"{site_path}|layername=observations",
        "AFTER_DATE": AFTER,
        "OUTPUT": str(tmp_path / "out.gpkg"),
    }
    missing = tmp_path / "nowhere.gpkg"
    with pytest.raises(QgsProcessingException, match=f"Cannot open the structures layer '{missing}"):
        processing.run("sitewatch:compounddamage", dict(base, STRUCTURES=f"{missing}|layername=structures"))
    with pytest.raises(QgsProcessingException, match="Cannot open the observations table .*layername=observatons"):
        processing.run("sitewatch:compounddamage", dict(base, OBSERVATIONS=f"{site_path}|layername=observatons"))
    assert not (tmp_path / "out.gpkg").exists()
