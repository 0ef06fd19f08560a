"""Change scoring on small synthetic image pairs with known destroyed footprints."""

from __future__ import annotations

import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsFeedback

from sitewatch.core.errors import SiteWatchError
from sitewatch.core.scoring.change_score import ChangeScoringCanceled, score_changes
from sitewatch.tests.helpers.change_pair import ORIGIN, PIXEL, make_site, warp_to, write_tif


def top(run, count: int) -> set[int]:
    return {i for i, s in enumerate(run.scores) if s.rank is not None and s.rank <= count}


def test_destroyed_footprints_rank_first_and_are_suggested_destroyed(tmp_path):
    site = make_site(tmp_path)
    run = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    assert top(run, len(site.changed)) == site.changed
    for index, scored in enumerate(run.scores):
        assert 0.0 <= scored.score <= 1.0
        if index in site.changed:
            assert scored.suggested == "destroyed" and scored.frac > 0.8
        else:
            assert scored.suggested == "intact" and scored.frac < 0.05
    assert sorted(s.rank for s in run.scores) == list(range(1, 37))
    assert not run.warped


def test_one_impact_hole_in_an_unchanged_roof_is_suggested_moderate(tmp_path):
    # A sharp image (noise 3 DN): the spot is measured in pixel-noise thresholds, and at 8 DN a
    # 2 m hole is only 'possible'.
    site = make_site(tmp_path, holed=(10, 17, 33), noise=3.0)
    run = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    assert top(run, len(site.changed)) == site.changed  # destroyed roofs still come first
    assert top(run, len(site.changed) + len(site.holed)) == site.changed | site.holed
    for index in site.holed:
        scored = run.scores[index]
        assert scored.suggested == "moderate", scored
        assert scored.area_z < 4 <= scored.z  # the footprint mean alone would not call it moderate
    for index, scored in enumerate(run.scores):
        if index not in site.changed | site.holed:
            assert scored.suggested == "intact", (index, scored)
    assert "spot = (hottest 4×4-pixel cell" in run.thresholds_text()


def test_after_image_in_another_crs_and_resolution_is_warped(tmp_path):
    site = make_site(tmp_path)
    other = warp_to(site.after, tmp_path / "after_36n.tif", 32636, 0.7)
    run = score_changes(str(site.before), str(other), site.footprints, "EPSG:32637")
    assert run.warped
    assert top(run, len(site.changed)) == site.changed
    assert {run.scores[i].suggested for i in site.changed} <= {"severe", "destroyed"}


def test_footprints_in_another_crs_are_reprojected(tmp_path):
    site = make_site(tmp_path)
    utm, wgs84 = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32637)
    wgs84.ImportFromEPSG(4326)
    for srs in (utm, wgs84):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(utm, wgs84)
    lonlat = []
    for wkb in site.footprints:
        geometry = ogr.CreateGeometryFromWkb(wkb)
        geometry.Transform(transform)
        lonlat.append(bytes(geometry.ExportToWkb()))
    in_utm = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    in_degrees = score_changes(str(site.before), str(site.after), lonlat, wgs84.ExportToWkt())
    assert [s.rank for s in in_degrees.scores] == [s.rank for s in in_utm.scores]


def test_uint16_after_image_is_normalised(tmp_path):
    site = make_site(tmp_path, after_scale=180.0, after_dtype=gdal.GDT_UInt16)
    assert gdal.Open(str(site.after)).GetRasterBand(1).DataType == gdal.GDT_UInt16
    run = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    assert top(run, len(site.changed)) == site.changed
    assert run.counts() == {"destroyed": 5, "intact": 31}


def test_one_band_after_image_is_compared_by_brightness(tmp_path):
    site = make_site(tmp_path, bands_after=1)
    run = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    assert run.bands.startswith("brightness")
    assert top(run, len(site.changed)) == site.changed


def test_band_count_mismatch_uses_common_bands_or_explains(tmp_path):
    site = make_site(tmp_path, bands_after=2)
    run = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")
    assert run.bands == "band pairs [1, 2] (before) against [1, 2] (after)"
    assert top(run, len(site.changed)) == site.changed
    single = score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637", bands=[2])
    assert top(single, len(site.changed)) == site.changed
    with pytest.raises(SiteWatchError, match="Band 3 does not exist in AFTER"):
        score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637", bands=[3])


def test_nodata_footprints_are_unknown_never_intact(tmp_path):
    site = make_site(tmp_path)
    after = gdal.Open(str(site.after)).ReadAsArray()
    after[:, :, :120] = 0  # the left 60 m has no data
    holed = write_tif(tmp_path / "after_nodata.tif", after, ORIGIN, PIXEL, nodata=0)
    run = score_changes(str(site.before), str(holed), site.footprints, "EPSG:32637")
    left = [
        i for i, wkb in enumerate(site.footprints) if ogr.CreateGeometryFromWkb(wkb).GetEnvelope()[1] < ORIGIN[0] + 55
    ]
    assert left
    for index in left:
        assert run.scores[index].suggested == "unknown"
        assert run.scores[index].score is None and run.scores[index].rank is None
    known = [s for s in run.scores if s.rank is not None]
    assert sorted(s.rank for s in known) == list(range(1, len(known) + 1))
    changed_known = {i for i in site.changed if i not in left}
    assert top(run, len(changed_known)) == changed_known
    after[:] = 0
    empty = write_tif(tmp_path / "after_empty.tif", after, ORIGIN, PIXEL, nodata=0)
    with pytest.raises(SiteWatchError, match="almost no pixel with data"):
        score_changes(str(site.before), str(empty), site.footprints, "EPSG:32637")


def test_a_footprint_mostly_outside_the_before_image_is_unknown(tmp_path):
    site = make_site(tmp_path)
    west, south, north = ORIGIN[0] - 90, ORIGIN[1] - 50, ORIGIN[1] - 20  # 90 of its 100 m west of the image
    outside = ogr.CreateGeometryFromWkt(
        f"POLYGON(({west} {south},{west + 100} {south},{west + 100} {north},{west} {north},{west} {south}))"
    )
    run = score_changes(
        str(site.before), str(site.after), [*site.footprints, bytes(outside.ExportToWkb())], "EPSG:32637"
    )
    last = run.scores[-1]
    assert last.suggested == "unknown" and last.valid_share < 0.5
    assert top(run, len(site.changed)) == site.changed


def test_a_spot_alone_never_suggests_more_than_moderate():
    from sitewatch.core.scoring.change_score import suggest

    assert suggest(6.0, 0.9, area_z=2.0) == "moderate"  # lifted by its spot only
    assert suggest(6.0, 0.9, area_z=6.0) == "destroyed"
    assert suggest(6.0, 0.6, area_z=6.0) == "severe"
    assert suggest(3.5, 0.9, area_z=3.5) == "possible"


def test_an_almost_wholly_changed_structure_is_never_intact(tmp_path):
    site = make_site(tmp_path)
    half = [3, 8, 14, 0, 1, 2]  # three of six destroyed: a reference taken from the other footprints fails
    run = score_changes(str(site.before), str(site.after), [site.footprints[i] for i in half], "EPSG:32637")
    assert all(s.z >= 4 for s, i in zip(run.scores, half) if i in site.changed)  # the ground is the reference
    assert all(s.suggested != "intact" for s, i in zip(run.scores, half) if i in site.changed)
    assert all(s.suggested == "intact" for s, i in zip(run.scores, half) if i not in site.changed)


def test_images_that_miss_the_structures_are_an_error(tmp_path):
    site = make_site(tmp_path)
    data = gdal.Open(str(site.after)).ReadAsArray()
    far = write_tif(tmp_path / "far.tif", data, (ORIGIN[0] + 5000, ORIGIN[1]), PIXEL)
    with pytest.raises(SiteWatchError, match="None of the 36 structures lies where"):
        score_changes(str(site.before), str(far), site.footprints, "EPSG:32637")
    half = write_tif(tmp_path / "half.tif", data, (ORIGIN[0] + 100, ORIGIN[1]), PIXEL)
    run = score_changes(str(site.before), str(half), site.footprints, "EPSG:32637")
    assert 10 < run.counts()["unknown"] < 26


def test_image_without_crs_is_a_clear_error(tmp_path):
    site = make_site(tmp_path, after_epsg=None)
    with pytest.raises(SiteWatchError, match=r"AFTER image .*after.tif has no coordinate reference system"):
        score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637")


def test_cancel_stops_the_run(tmp_path):
    site = make_site(tmp_path)
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(ChangeScoringCanceled):
        score_changes(str(site.before), str(site.after), site.footprints, "EPSG:32637", feedback=feedback)
