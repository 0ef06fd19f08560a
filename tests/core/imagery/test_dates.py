"""Acquisition dates from GDAL metadata and file names: found, ambiguous, absent, rejected."""

from __future__ import annotations

import datetime as dt

import pytest

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.imagery.dates import check_acquired, read_acquisition_date
from sitewatch.core.imagery.registry import inspect_image
from sitewatch.tests.helpers.imagery_rasters import write_raster

TODAY = dt.date(2024, 6, 1)

CASES = [
    # (metadata, file name, expected date, expected origin prefix)
    ({"": {"TIFFTAG_DATETIME": "2019:09:01 10:32:00"}}, "scene.tif", "2019-09-01", "metadata TIFFTAG_DATETIME"),
    ({"IMAGERY": {"ACQUISITIONDATETIME": "2020-01-08T07:55:12Z"}}, "scene.tif", "2020-01-08", "metadata IMAGERY:"),
    ({"IMD": {"IMAGE_1.firstLineTime": "2018-11-30T08:01:02.123456Z"}}, "x.tif", "2018-11-30", "metadata IMD:"),
    ({"": {"SENSING_TIME": "2021-05-04T10:00:00"}}, "x.jp2", "2021-05-04", "metadata SENSING_TIME"),
    ({"": {"ACQUISITION_DATE": "04-MAY-2021"}}, "x.jp2", "2021-05-04", "metadata ACQUISITION_DATE"),
    # acquisition keys win over the file-writing time
    (
        {"": {"TIFFTAG_DATETIME": "2023:02:02 00:00:00"}, "IMAGERY": {"ACQUISITIONDATETIME": "2020-01-08T07:55:12Z"}},
        "x.tif",
        "2020-01-08",
        "metadata IMAGERY:",
    ),
    # the file-writing time agrees with the file name
    ({"": {"TIFFTAG_DATETIME": "2019:09:01 10:32:00"}}, "site_2019-09-01.tif", "2019-09-01", "metadata"),
    # an acquisition key wins over the file name
    (
        {"IMD": {"IMAGE_1.firstLineTime": "2020-01-08T07:55:12Z"}, "": {"TIFFTAG_DATETIME": "2023:02:02 00:00:00"}},
        "site_2020-03-15.tif",
        "2020-01-08",
        "metadata IMD:",
    ),
    (
        {"IMAGERY": {"ACQUISITIONDATETIME": "2020-01-08T07:55:12Z"}},
        "site_20190901_20200108.tif",
        "2020-01-08",
        "metadata IMAGERY:",
    ),
    # a file name's date wins over file-writing times that disagree among themselves
    (
        {"": {"TIFFTAG_DATETIME": "2019:09:01 10:32:00"}, "IMAGE_STRUCTURE": {"DATETIME": "2019:10:01 00:00:00"}},
        "site_2020-03-12.tif",
        "2020-03-12",
        "file name",
    ),
    ({}, "site_2020-03-12.tif", "2020-03-12", "file name"),
    ({}, "site_2020_03_12_pan.tif", "2020-03-12", "file name"),
    ({}, "site.2020.03.12.tif", "2020-03-12", "file name"),
    ({}, "S2A_MSIL2A_20200312T083011_N0214.tif", "2020-03-12", "file name"),
    ({}, "WV3_20200312.tif", "2020-03-12", "file name"),
    ({}, "kh9_12MAR20_mosaic.tif", "2020-03-12", "file name"),
    ({}, "recon_12MAR1975.tif", "1975-03-12", "file name"),
    ({}, "20MAR12083027-P1BS-058.tif", "2020-03-12", "file name"),
    ({}, "site_25-12-2019.tif", "2019-12-25", "file name"),
    ({}, "site_2020-03-12_and_2020-03-12.tif", "2020-03-12", "file name"),  # the same date twice is fine
]

UNDATED = [
    # (metadata, file name, words the reason must contain)
    ({}, "scene.tif", ["no acquisition date", "holds no date"]),
    ({}, "site_20190901_20200108.tif", ["several dates", "2019-09-01", "2020-01-08"]),
    ({}, "site_03-04-2020.tif", ["day-month or month-day"]),
    (
        {"IMAGERY": {"ACQUISITIONDATETIME": "2019-09-01T00:00:00Z"}, "IMD": {"IMAGE_1.firstLineTime": "2019-10-01T0"}},
        "x.tif",
        ["different acquisition dates", "2019-09-01", "2019-10-01"],
    ),
    ({}, "site_2031-01-01.tif", ["future"]),
    ({}, "site_1950-01-01.tif", ["before 1960"]),
    ({"": {"TIFFTAG_DATETIME": "2099:01:01 00:00:00"}}, "scene.tif", ["future"]),
    ({}, "site_12345678.tif", ["holds no date"]),
    # the file-writing time never overrides a different date in the file name
    (
        {"": {"TIFFTAG_DATETIME": "2020:01:08 10:32:00"}},
        "site_2020-03-15.tif",
        ["site_2020-03-15.tif", "2020-03-15", "TIFFTAG_DATETIME", "2020-01-08", "when the file was written"],
    ),
    (
        {"": {"TIFFTAG_DATETIME": "2020:01:08 10:32:00"}},
        "site_20190901_20200108.tif",
        ["2019-09-01 and 2020-01-08", "TIFFTAG_DATETIME", "when the file was written"],
    ),
    (
        {"": {"TIFFTAG_DATETIME": "2020:04:03 10:32:00"}},
        "site_03-04-2020.tif",
        ["day-month or month-day", "TIFFTAG_DATETIME", "2020-04-03"],
    ),
    ({"": {"TIFFTAG_DATETIME": "2019:09:01 10:32:00"}}, "site_2031-01-01.tif", ["2031-01-01", "2019-09-01"]),
]


@pytest.mark.parametrize(("metadata", "name", "expected", "origin"), CASES)
def test_date_is_read(metadata, name, expected, origin):
    reading = read_acquisition_date(metadata, name, TODAY)
    assert reading.date == expected
    assert reading.origin.startswith(origin)


@pytest.mark.parametrize(("metadata", "name", "words"), UNDATED)
def test_absent_or_ambiguous_date_gives_none_with_a_reason(metadata, name, words):
    reading = read_acquisition_date(metadata, name, TODAY)
    assert reading.date is None
    for word in words:
        assert word in reading.reason


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2031-01-01", "in the future"),
        ("1959-12-31", "before 1960"),
        ("12/03/2020", "YYYY-MM-DD"),
    ],
)
def test_implausible_dates_are_rejected(value, words):
    with pytest.raises(SiteWatchError, match=words):
        check_acquired(value, TODAY)


def test_dates_are_read_from_real_geotiff_metadata(tmp_path):
    tagged = write_raster(tmp_path / "pass.tif", metadata={"": {"TIFFTAG_DATETIME": "2019:09:01 10:32:00"}})
    assert inspect_image(str(tagged), TODAY).date.date == "2019-09-01"
    imagery = write_raster(tmp_path / "scene.tif", metadata={"IMAGERY": {"ACQUISITIONDATETIME": "2020-01-08T07:00Z"}})
    assert inspect_image(str(imagery), TODAY).date.date == "2020-01-08"
    named = write_raster(tmp_path / "site_12MAR20.tif")
    assert inspect_image(str(named), TODAY).date.date == "2020-03-12"


def test_a_renamed_copy_is_not_dated_by_its_original_file_time(tmp_path):
    """gdal_translate copies TIFFTAG_DATETIME: a copy named by another date is asked about."""
    from osgeo import gdal

    original = write_raster(tmp_path / "pass.tif", metadata={"": {"TIFFTAG_DATETIME": "2020:01:08 10:32:00"}})
    copy = tmp_path / "site_2020-03-15.tif"
    gdal.Translate(str(copy), str(original))
    assert gdal.Info(str(copy), format="json")["metadata"][""]["TIFFTAG_DATETIME"].startswith("2020:01:08")
    reading = inspect_image(str(copy), TODAY).date
    assert reading.date is None
    assert "2020-03-15" in reading.reason and "2020-01-08" in reading.reason
