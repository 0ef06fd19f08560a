"""Registering, editing, relinking and removing images in an assessment, and their layers."""

from __future__ import annotations

import shutil

import numpy
import pytest
from osgeo import gdal
from qgis.core import QgsDateTimeRange, QgsGeometry, QgsRectangle
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.imagery.layers import IMAGE_ID_PROPERTY, load_image_layer
from sitewatch.core.imagery.overviews import build_overviews, needs_overviews
from sitewatch.core.imagery.registry import (
    available_path,
    check_pair,
    default_pair,
    footprints,
    list_images,
    register_image,
    relink_image,
    remove_image,
    resolve_uri,
    update_image,
)
from sitewatch.tests.imagery_rasters import SITE, write_raster

FAR_AWAY = (600_000.0, 3_800_000.0, 600_400.0, 3_800_300.0)


def test_register_reopen_relink_round_trip(assessment, tmp_path):
    before = write_raster(tmp_path / "site_2019-09-01.tif")
    after = write_raster(tmp_path / "site_2020-01-08.tif", (40, 40, 200))
    first = register_image(assessment, str(before), source="Maxar", sensor="WV3")
    second = register_image(assessment, str(after), source="Airbus", sensor="Pleiades")
    assert (first.image_id, first.acquired, first.uri) == ("IMG-0001", "2019-09-01", "site_2019-09-01.tif")
    assert second.acquired == "2020-01-08" and second.gsd_m == pytest.approx(5.0, rel=0.01)
    assert footprints(assessment)["IMG-0001"].boundingBox() == QgsRectangle(*SITE)

    reopened = GeoPackageStore.open(assessment.path)
    records = list_images(reopened)
    assert [(r.image_id, r.acquired, r.source, r.sensor) for r in records] == [
        ("IMG-0001", "2019-09-01", "Maxar", "WV3"), ("IMG-0002", "2020-01-08", "Airbus", "Pleiades")]
    assert default_pair(records) == (records[0], records[1])

    moved_dir = tmp_path / "moved"
    moved_dir.mkdir()
    moved = moved_dir / after.name
    shutil.move(after, moved)
    with pytest.raises(SiteWatchError, match="missing.*Relink"):
        available_path(reopened, records[1])
    relinked = relink_image(reopened, "IMG-0002", str(moved))
    assert relinked.uri == "moved/site_2020-01-08.tif"
    again = list_images(GeoPackageStore.open(assessment.path))
    assert available_path(assessment, again[1]) == str(moved)
    assert again[0] == records[0]


def test_sensor_is_read_from_the_imagery_metadata(assessment, tmp_path):
    image = write_raster(tmp_path / "scene.tif", metadata={"IMAGERY": {"SATELLITEID": "WV03",
                                                                      "ACQUISITIONDATETIME": "2020-01-08T07:00Z"}})
    record = register_image(assessment, str(image), source="Maxar")
    assert (record.acquired, record.source, record.sensor) == ("2020-01-08", "Maxar", "WV03")
    typed = register_image(assessment, str(write_raster(tmp_path / "other.tif", metadata={
        "IMD": {"IMAGE_1.satId": "WV02"}})), sensor="WorldView-2")
    assert typed.sensor == "WorldView-2"  # what the analyst gives wins


def test_uri_outside_the_assessment_folder_is_absolute(assessment, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    image = write_raster(elsewhere / "site_2019-09-01.tif")
    record = register_image(assessment, str(image))
    assert record.uri == str(image)
    assert resolve_uri(assessment, record) == str(image)


def test_reprojected_footprint_lands_in_the_assessment_crs(assessment, tmp_path):
    # the same place in geographic coordinates (approximately 39.0 E, 33.4 N)
    image = write_raster(tmp_path / "geo_2019-09-01.tif", extent=(38.999, 33.43, 39.004, 33.434), epsg=4326)
    record = register_image(assessment, str(image))
    box = footprints(assessment)[record.image_id].boundingBox()
    assert 499_000 < box.xMinimum() < 500_100 and 3_698_000 < box.yMinimum() < 3_701_000
    assert 3 < record.gsd_m < 10


def test_update_and_remove(assessment, tmp_path):
    image = register_image(assessment, str(write_raster(tmp_path / "scene.tif")))
    assert image.acquired is None
    updated = update_image(assessment, image.image_id, acquired="2020-01-08", source="Maxar", sensor="WV2")
    assert (updated.acquired, updated.source, updated.sensor) == ("2020-01-08", "Maxar", "WV2")
    with pytest.raises(SiteWatchError, match="in the future"):
        update_image(assessment, image.image_id, acquired="2999-01-01")
    assert list_images(assessment)[0].acquired == "2020-01-08"
    remove_image(assessment, image.image_id)
    assert list_images(assessment) == []


@pytest.mark.parametrize(("make", "words"), [
    (lambda d: d / "nothing.tif", "does not exist"),
    (lambda d: (d / "notes.txt").write_text("not an image") and d / "notes.txt", "not an image GDAL can read"),
    (lambda d: write_raster(d / "nocrs.tif", epsg=None), "no coordinate reference system"),
    (lambda d: write_raster(d / "far.tif", extent=FAR_AWAY), "does not overlap any registered image"),
    (lambda d: d / "site_2019-09-01.tif", "already registered as IMG-0001"),
])
def test_bad_files_give_clear_messages_and_lose_nothing(assessment, tmp_path, make, words):
    kept = register_image(assessment, str(write_raster(tmp_path / "site_2019-09-01.tif")))
    with pytest.raises(SiteWatchError, match=words):
        register_image(assessment, str(make(tmp_path)))
    assert list_images(assessment) == [kept]


def test_image_outside_the_site_is_refused(assessment, tmp_path):
    assessment.add_features("structures", [{"structure_id": "S-0001", "type": "bunker",
                                            "geometry": QgsGeometry.fromRect(QgsRectangle(500_100, 3_700_100,
                                                                                          500_120, 3_700_120))}])
    with pytest.raises(SiteWatchError, match="does not cover the site"):
        register_image(assessment, str(write_raster(tmp_path / "far.tif", extent=FAR_AWAY)))
    assert list_images(assessment) == []


def test_a_pair_needs_two_overlapping_images(assessment, tmp_path):
    only = register_image(assessment, str(write_raster(tmp_path / "a_2019-09-01.tif")))
    assert default_pair(list_images(assessment)) == (None, None)
    with pytest.raises(SiteWatchError, match="needs two images; 1 is registered"):
        check_pair(assessment, only, None)
    with pytest.raises(SiteWatchError, match="same image"):
        check_pair(assessment, only, only)


def test_image_layer_has_stretch_and_one_day_temporal_range(assessment, tmp_path):
    record = register_image(assessment, str(write_raster(tmp_path / "site_2019-09-01.tif")))
    layer = load_image_layer(available_path(assessment, record), record)
    assert layer.customProperty(IMAGE_ID_PROPERTY) == "IMG-0001"
    assert layer.renderer().type() == "multibandcolor"
    red = layer.renderer().redContrastEnhancement()
    assert (red.minimumValue(), red.maximumValue()) == (0, 255)  # the speckles are 6 % each: kept
    temporal = layer.temporalProperties()
    assert temporal.isActive()
    day = QDateTime(QDate(2019, 9, 1), QTime(0, 0), Qt.TimeSpec.UTC)
    assert temporal.fixedTemporalRange() == QgsDateTimeRange(day, day.addDays(1), True, False)
    assert temporal.isVisibleInTemporalRange(QgsDateTimeRange(day.addSecs(3600), day.addSecs(7200)))
    assert not temporal.isVisibleInTemporalRange(QgsDateTimeRange(day.addDays(1), day.addDays(2)))


def test_single_band_uint16_gets_a_grey_stretch_from_zero_to_the_99_percent_cut(assessment, tmp_path):
    path = tmp_path / "pan_2019-09-01.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 100, 100, 1, gdal.GDT_UInt16)
    dataset.SetGeoTransform((SITE[0], 4, 0, SITE[3], 0, -3))
    dataset.SetProjection(assessment.crs().toWkt())
    dataset.GetRasterBand(1).WriteArray(numpy.arange(10_000, dtype=numpy.uint16).reshape(100, 100))
    dataset = None
    record = register_image(assessment, str(path))
    layer = load_image_layer(available_path(assessment, record), record)
    stretch = layer.renderer().contrastEnhancement()
    assert layer.renderer().type() == "singlebandgray"
    assert stretch.minimumValue() == 0
    assert stretch.maximumValue() == pytest.approx(9900, abs=5)


def test_rgb_bands_share_one_gain_so_colours_keep_their_balance(assessment, tmp_path):
    path = tmp_path / "sand_2019-09-01.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 100, 100, 3, gdal.GDT_Byte)
    dataset.SetGeoTransform((SITE[0], 4, 0, SITE[3], 0, -3))
    dataset.SetProjection(assessment.crs().toWkt())
    ramp = numpy.arange(10_000).reshape(100, 100) / 10_000
    for band, (low, high) in enumerate(((150, 210), (130, 180), (100, 140)), start=1):
        dataset.GetRasterBand(band).WriteArray((low + ramp * (high - low)).astype(numpy.uint8))
    dataset = None
    record = register_image(assessment, str(path))
    layer = load_image_layer(available_path(assessment, record), record)
    renderer = layer.renderer()
    stretches = [renderer.redContrastEnhancement(), renderer.greenContrastEnhancement(),
                 renderer.blueContrastEnhancement()]
    assert {(s.minimumValue(), s.maximumValue()) for s in stretches} == {(stretches[0].minimumValue(),
                                                                         stretches[0].maximumValue())}
    assert stretches[0].minimumValue() == 0
    assert stretches[0].maximumValue() == pytest.approx(209, abs=2)


def test_overviews_are_built_aside_and_cancel_cleans_up(tmp_path):
    image = write_raster(tmp_path / "big.tif", size=(3000, 2100), bands=1)
    assert needs_overviews(str(image))
    assert build_overviews(str(image), canceled=lambda: True) is False
    assert not (tmp_path / "big.tif.ovr").exists()
    steps: list[float] = []
    assert build_overviews(str(image), steps.append)
    assert steps and steps[-1] == pytest.approx(100)
    assert not needs_overviews(str(image))
    assert gdal.Open(str(image)).GetRasterBand(1).GetOverviewCount() >= 3
