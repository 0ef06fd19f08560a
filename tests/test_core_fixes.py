"""Fixes from the code review: each test failed before its fix."""

from __future__ import annotations

import sqlite3

import pytest
from osgeo import ogr

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export import ExportRequest, export_assessment
from sitewatch.core.export_data import change_flag
from sitewatch.core.image_dates import check_acquired
from sitewatch.core.observations import Observation, check_date

from .export_site import AFTER, BEFORE, build_site


@pytest.mark.parametrize("text", ["20200108", "2020-W02-3", "2020-008", "2020-1-8"])
def test_compact_and_week_dates_are_refused_and_nothing_is_written(assessment, text):
    with pytest.raises(SiteWatchError, match=f"'{text}' is not a date"):
        assessment.record_observation(Observation("S-1", text, "intact"))
    assert assessment.observations() == []
    rows = sqlite3.connect(assessment.path).execute("SELECT count(*) FROM observations").fetchone()[0]
    assert rows == 0
    with pytest.raises(SiteWatchError, match=f"acquisition date '{text}' is not a date"):
        check_acquired(text)


def test_a_valid_observation_is_stored_with_its_iso_date(assessment):
    assert check_date("2020-01-08") == "2020-01-08"
    assessment.record_observation(Observation("S-1", "2020-01-08", "intact"))
    stored = sqlite3.connect(assessment.path).execute("SELECT observed_on, typeof(observed_on) FROM observations")
    assert stored.fetchall() == [("2020-01-08", "text")]


@pytest.mark.parametrize(("before", "after", "flag"), [
    ("unknown", "destroyed", "not comparable"),
    ("intact", "unknown", "not comparable"),
    ("intact", None, "not comparable"),
    (None, "unknown", "not comparable"),
    ("destroyed", "absent", "removed"),
    ("intact", "absent", "removed"),
    ("absent", "absent", "unchanged"),
    (None, "absent", "unchanged"),
    ("severe", "intact", "rebuilt"),
    ("destroyed", "construction", "rebuilt"),
    (None, "destroyed", "new"),
    ("absent", "construction", "new"),
    ("intact", "moderate", "increased"),
    ("moderate", "moderate", "unchanged"),
    ("severe", "moderate", "unchanged"),
])
def test_change_flag_of_every_kind_of_pair(before, after, flag):
    assert change_flag(before, after) == flag


def test_not_comparable_reads_back_whole_from_the_shapefile(tmp_path):
    site = build_site(tmp_path / "site")
    folder = tmp_path / "out"
    export_assessment(site, ExportRequest(str(folder), AFTER, BEFORE, formats=("ESRI Shapefile",)))
    shapefile = next(folder.glob("*structures*.shp"))
    dataset = ogr.Open(str(shapefile))
    flags = {f.GetField("struct_id"): f.GetField("change") for f in dataset.GetLayer(0)}
    assert flags["S-0009"] == "not comparable"  # intact → unknown
    assert flags["S-0011"] == "new" and flags["S-0008"] == "rebuilt"
