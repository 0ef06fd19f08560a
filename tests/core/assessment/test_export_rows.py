"""The whole-site reads of an export: the GeoPackage store's SQLite forms (a window-function
scan, an INSERT … SELECT from the attached assessment) give exactly what the store-generic
Python forms give, which every other store (PostGIS, the certified view) uses."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict

import pytest
from osgeo import ogr

from sitewatch.core import values
from sitewatch.core.assessment.geopackage_sql import OBS_COLUMNS
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.assessment.store import AssessmentStore
from sitewatch.core.export import fields as ef
from sitewatch.core.export.data import Table
from sitewatch.core.export.formats import _create_layer
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site

DATES = ("2019-01-01", BEFORE, "2019-10-15", AFTER, "2020-06-01")
"""Before any observation, on the dates observed, between and after them."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The export site with more history: a third date, an observation replaced (archived
    twice on one date), one removed, notes with an empty text and quotes."""
    store = build_site(tmp_path_factory.mktemp("rows") / "site")
    store.record_observations(
        [
            Observation("S-0001", "2019-10-15", "moderate", "IMG-0001", "low", "Ann", notes=""),
            Observation("S-0002", "2019-10-15", "severe", None, None, "Bo", notes='a "quoted" note'),
        ]
    )
    store.record_observation(Observation("S-0001", AFTER, "destroyed", notes="seen again"))
    store.record_observation(Observation("S-0001", AFTER, "severe", notes="seen a third time"))
    store.remove_observation("S-0002", "2019-10-15", "recorded by mistake")
    assert len(store.history()) >= 3
    return store


def test_observations_in_force_read_in_sqlite_equal_the_generic_form(site):
    """The GeoPackage store's columns (one index scan per date) hold the observations in force
    of the generic form, from every observation and the history."""
    generic = AssessmentStore.observations_at(site, DATES)
    mine = [
        {row[0]: dict(zip(OBS_COLUMNS, row)) for row in zip(*columns)}
        for columns in site.observations_at_columns(DATES)
    ]
    assert mine == [{sid: asdict(o) for sid, o in found.items()} for found in generic]
    assert mine[0] == {}  # nothing observed yet
    assert mine[3]["S-0001"]["status"] == "severe"
    assert mine[2]["S-0001"]["observed_on"] == "2019-10-15"
    assert len(mine[3]) == len({o.structure_id for o in site.observations()})
    assert site.observations_at_columns([]) == []


def _empty_package(path):
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    _create_layer(dataset, Table(ef.OBSERVATIONS), None, ["FID=fid"]).SyncToDisk()
    dataset = None
    return path


def _stored(path):
    """Every row as stored (fid first), typeof included, and GDAL's feature count."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT * FROM observations ORDER BY fid").fetchall()
        types = connection.execute("SELECT DISTINCT typeof(obs_date), typeof(struct_id) FROM observations").fetchall()
    finally:
        connection.close()
    dataset = ogr.Open(str(path))
    count = dataset.GetLayerByName("observations").GetFeatureCount()
    dataset = None
    return rows, types, count


@pytest.mark.parametrize("scheme", ["sitewatch", "unosat"])
def test_the_copy_equals_the_generic_copy(site, tmp_path, scheme):
    names = {code: values.status_name(code, scheme) for code in values.codes(values.STATUSES)}
    columns = ef.OBSERVATIONS.field_names()
    copied = _empty_package(tmp_path / "copied.gpkg")
    generic = _empty_package(tmp_path / "generic.gpkg")
    total = len(site.observations()) + len(site.history())
    assert site.copy_observation_rows(copied, "observations", columns, names) == total
    assert AssessmentStore.copy_observation_rows(site, generic, "observations", columns, names) == total
    rows, types, count = _stored(copied)
    assert (rows, types, count) == _stored(generic)
    assert count == total and types == [("text", "text")]
    mine = [row for row in rows if row[1] == "S-0001"]
    # sorted by date, archived rows (by archive time) before the current one of their date
    assert [(r[2], r[9] is None) for r in mine][-3:] == [(AFTER, False), (AFTER, False), (AFTER, True)]
    assert [r[8] for r in mine if r[2] == "2019-10-15"] == [""]  # an empty text stays empty
    assert {r[4] for r in rows} <= set(names.values())


def test_without_archived_rows_the_copy_keeps_the_index_order(tmp_path):
    store = build_site(tmp_path / "site")
    connection = sqlite3.connect(store.location)
    connection.execute("DELETE FROM observation_history")  # a site nothing was ever replaced in
    connection.commit()
    connection.close()
    assert store.history() == []
    names = {code: values.status_name(code, "ems") for code in values.codes(values.STATUSES)}
    columns = ef.OBSERVATIONS.field_names()
    copied, generic = _empty_package(tmp_path / "copied.gpkg"), _empty_package(tmp_path / "generic.gpkg")
    store.copy_observation_rows(copied, "observations", columns, names)
    AssessmentStore.copy_observation_rows(store, generic, "observations", columns, names)
    assert _stored(copied) == _stored(generic)
    assert _stored(copied)[2] == len(store.observations())


def test_the_feature_count_triggers_are_put_back(site, tmp_path):
    package = _empty_package(tmp_path / "p.gpkg")
    names = {code: code for code in values.codes(values.STATUSES)}
    site.copy_observation_rows(package, "observations", ef.OBSERVATIONS.field_names(), names)
    connection = sqlite3.connect(package)
    try:
        triggers = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'observations'"
        ).fetchall()
        before = connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'observations'")
        count = before.fetchone()[0]
        connection.execute("DELETE FROM observations WHERE fid = 1")
        after = connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'observations'")
        assert after.fetchone()[0] == count - 1
    finally:
        connection.close()
    assert len(triggers) == 2
