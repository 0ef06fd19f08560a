"""Registering, editing, relinking and removing images in an assessment."""

from __future__ import annotations

import shutil

import pytest
from qgis.core import QgsGeometry, QgsRectangle

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.imagery.registry import (
    available_path,
    check_pair,
    default_pair,
    find_image,
    footprints,
    list_images,
    register_image,
    relink_image,
    remove_image,
    resolve_uri,
    update_image,
)
from sitewatch.tests.helpers.damage_site import add_structures
from sitewatch.tests.helpers.imagery_rasters import SITE, write_raster

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
        ("IMG-0001", "2019-09-01", "Maxar", "WV3"),
        ("IMG-0002", "2020-01-08", "Airbus", "Pleiades"),
    ]
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
    image = write_raster(
        tmp_path / "scene.tif",
        metadata={"IMAGERY": {"SATELLITEID": "WV03", "ACQUISITIONDATETIME": "2020-01-08T07:00Z"}},
    )
    record = register_image(assessment, str(image), source="Maxar")
    assert (record.acquired, record.source, record.sensor) == ("2020-01-08", "Maxar", "WV03")
    typed = register_image(
        assessment,
        str(write_raster(tmp_path / "other.tif", metadata={"IMD": {"IMAGE_1.satId": "WV02"}})),
        sensor="WorldView-2",
    )
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


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "nothing.tif", "does not exist"),
        (lambda d: (d / "notes.txt").write_text("not an image") and d / "notes.txt", "not an image GDAL can read"),
        (lambda d: write_raster(d / "nocrs.tif", epsg=None), "no coordinate reference system"),
        (lambda d: write_raster(d / "far.tif", extent=FAR_AWAY), "does not overlap any registered image"),
        (lambda d: d / "site_2019-09-01.tif", "already registered as IMG-0001"),
    ],
)
def test_bad_files_give_clear_messages_and_lose_nothing(assessment, tmp_path, make, words):
    kept = register_image(assessment, str(write_raster(tmp_path / "site_2019-09-01.tif")))
    with pytest.raises(SiteWatchError, match=words):
        register_image(assessment, str(make(tmp_path)))
    assert list_images(assessment) == [kept]


def test_image_outside_the_site_is_refused(assessment, tmp_path):
    assessment.add_features(
        "structures",
        [
            {
                "structure_id": "S-0001",
                "type": "bunker",
                "geometry": QgsGeometry.fromRect(QgsRectangle(500_100, 3_700_100, 500_120, 3_700_120)),
            }
        ],
    )
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


def test_an_image_date_cannot_change_under_recorded_states(assessment, tmp_path):
    first = register_image(assessment, str(write_raster(tmp_path / "a.tif")), acquired="2019-09-01")
    image = register_image(assessment, str(write_raster(tmp_path / "b.tif")), acquired="2020-01-08")
    add_structures(assessment, ["S-1", "S-2"])
    assessment.record_observations(
        [
            Observation("S-1", "2020-01-08", "destroyed", image_id=image.image_id),
            Observation("S-2", "2020-01-08", "intact", image_id=image.image_id),
            Observation("S-1", "2019-09-01", "intact", image_id=first.image_id),
        ]
    )
    expected = f"2 states were recorded on {image.image_id} at 2020-01-08; its date cannot change under them"
    with pytest.raises(SiteWatchError, match=expected):
        update_image(assessment, image.image_id, acquired="2020-01-09")
    with pytest.raises(SiteWatchError, match=expected):
        update_image(assessment, image.image_id, acquired=None)
    assert find_image(assessment, image.image_id).acquired == "2020-01-08"
    # the same date with a new source is fine
    assert update_image(assessment, image.image_id, acquired="2020-01-08", source="Maxar").source == "Maxar"
    assessment.remove_observation("S-1", "2020-01-08", "wrong date")
    assessment.remove_observation("S-2", "2020-01-08", "wrong date")
    assert update_image(assessment, image.image_id, acquired="2020-01-09").acquired == "2020-01-09"
