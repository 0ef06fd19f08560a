"""Change pre-scoring on small synthetic image pairs with known destroyed footprints."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsFeedback, QgsProcessingException

import processing
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.scoring.change_score import ChangeScoringCanceled, score_changes
from sitewatch.core.scoring.raster_pair import RasterPair, Window

from .change_pair import ORIGIN, PIXEL, make_site, warp_to, write_tif


@pytest.fixture
def provider(sitewatch_provider):
    return sitewatch_provider


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
    left = [i for i, wkb in enumerate(site.footprints)
            if ogr.CreateGeometryFromWkb(wkb).GetEnvelope()[1] < ORIGIN[0] + 55]
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


def test_reading_the_two_images_at_once_gives_the_same_pixels(tmp_path):
    site = make_site(tmp_path)
    after = gdal.Open(str(site.after)).ReadAsArray()
    after[:, :, :120] = 0
    holed = write_tif(tmp_path / "after_nodata.tif", after, ORIGIN, PIXEL, nodata=0)
    warped = warp_to(site.after, tmp_path / "after_36n.tif", 32636, 0.7)
    with ThreadPoolExecutor(max_workers=1) as pool:
        for after_path in (holed, warped):
            pair = RasterPair(str(site.before), str(after_path))
            for window in pair.windows(0, 0, pair.width, pair.height):
                alone, at_once = pair.read(window), pair.read(window, pool)
                for serial, threaded in zip(alone, at_once):
                    assert serial.dtype == threaded.dtype
                    np.testing.assert_array_equal(serial, threaded)
        pair = RasterPair(str(site.before), str(holed))
        assert not pair.read(Window(0, 0, 100, 100), pool)[2].any()  # the hole is invalid either way


def test_a_footprint_mostly_outside_the_before_image_is_unknown(tmp_path):
    site = make_site(tmp_path)
    west, south, north = ORIGIN[0] - 90, ORIGIN[1] - 50, ORIGIN[1] - 20  # 90 of its 100 m west of the image
    outside = ogr.CreateGeometryFromWkt(f"POLYGON(({west} {south},{west + 100} {south},{west + 100} {north},"
                                        f"{west} {north},{west} {south}))")
    run = score_changes(str(site.before), str(site.after), [*site.footprints, bytes(outside.ExportToWkb())],
                        "EPSG:32637")
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
    half = [3, 8, 14, 0, 1, 2]  # three of six destroyed: the z-score's median sits among the changed
    run = score_changes(str(site.before), str(site.after), [site.footprints[i] for i in half], "EPSG:32637")
    assert all(s.z < 3 for s in run.scores)  # z alone would call all six intact
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


def write_structures(site, path) -> str:
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    layer = dataset.CreateLayer("structures", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("structure_id", ogr.OFTInteger))
    for index, wkb in enumerate(site.footprints):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("structure_id", index + 100)
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    dataset = None
    return f"{path}|layername=structures"


def read_scores(path) -> dict[int, tuple]:
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    return {f["structure_id"]: (round(f["chg_score"], 9) if f["chg_score"] is not None else None,
                                f["chg_frac"] is not None and round(f["chg_frac"], 9), f["chg_rank"], f["suggested"])
            for f in layer}


def test_processing_run_and_qgis_process_give_the_same_output(provider, qgis_process, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    parameters = {"BEFORE": str(site.before), "AFTER": str(site.after), "STRUCTURES": structures,
                  "RING_M": 10, "OUTPUT": str(tmp_path / "scored_run.gpkg")}
    result = processing.run("sitewatch:changescore", parameters)
    assert "robust z-score" in result["THRESHOLDS"]
    from_run = read_scores(tmp_path / "scored_run.gpkg")
    assert {sid - 100 for sid, values in from_run.items() if values[2] <= 5} == site.changed
    cli = qgis_process("run", "sitewatch:changescore", "--json", "--", f"BEFORE={site.before}",
                       f"AFTER={site.after}", f"STRUCTURES={structures}", "RING_M=10",
                       f"OUTPUT={tmp_path / 'scored_cli.gpkg'}")
    assert json.loads(cli.stdout)["results"]["THRESHOLDS"] == result["THRESHOLDS"]
    assert read_scores(tmp_path / "scored_cli.gpkg") == from_run
    dataset = ogr.Open(str(tmp_path / "scored_run.gpkg"))
    definition = dataset.GetLayer(0).GetLayerDefn()
    types = {definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i).GetType()
             for i in range(definition.GetFieldCount())}
    assert [types[n] for n in ("chg_score", "chg_frac", "chg_rank", "suggested")] == \
        [ogr.OFTReal, ogr.OFTReal, ogr.OFTInteger, ogr.OFTString]


def test_processing_reports_bad_input_as_processing_errors(provider, tmp_path):
    site = make_site(tmp_path, after_epsg=None)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    with pytest.raises(QgsProcessingException, match="no coordinate reference system"):
        processing.run("sitewatch:changescore", {"BEFORE": str(site.before), "AFTER": str(site.after),
                                                 "STRUCTURES": structures, "OUTPUT": "TEMPORARY_OUTPUT"})


def _write_layer(path, geometry_type, wkbs) -> str:
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    layer = dataset.CreateLayer("layer", srs, geometry_type)
    for wkb in wkbs:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    dataset = None
    return f"{path}|layername=layer"


def test_bad_structures_and_output_are_refused_before_scoring(provider, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    base = {"BEFORE": str(site.before), "AFTER": str(site.after), "OUTPUT": "TEMPORARY_OUTPUT"}
    empty = _write_layer(tmp_path / "empty.gpkg", ogr.wkbPolygon, [])
    with pytest.raises(QgsProcessingException, match="has no features: draw or import structures first"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": empty})
    centres = [bytes(ogr.CreateGeometryFromWkb(w).Centroid().ExportToWkb()) for w in site.footprints]
    points = _write_layer(tmp_path / "points.gpkg", ogr.wkbPoint, centres)
    with pytest.raises(QgsProcessingException, match="needs footprint polygons"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": points})
    missing = tmp_path / "no such folder" / "scored.gpkg"
    with pytest.raises(QgsProcessingException, match="does not exist"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": structures, "OUTPUT": str(missing)})
    far = [bytes(ogr.CreateGeometryFromWkt("POLYGON((0 0,20 0,20 20,0 20,0 0))").ExportToWkb())]
    with pytest.raises(QgsProcessingException, match="None of the 1 structures lies where"):
        processing.run("sitewatch:changescore", {**base, "STRUCTURES": _write_layer(tmp_path / "far.gpkg",
                                                                                     ogr.wkbPolygon, far)})


def test_bands_typed_for_qgis_process_are_read_or_explained(provider, qgis_process, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    common = ["run", "sitewatch:changescore", "--", f"BEFORE={site.before}", f"AFTER={site.after}",
              f"STRUCTURES={structures}"]
    done = qgis_process(*common, "BANDS=1,2", f"OUTPUT={tmp_path / 'two.gpkg'}")
    assert "band pairs [1, 2] (before) against [1, 2] (after)" in done.stdout + done.stderr
    refused = qgis_process(*common, "BANDS=abc", f"OUTPUT={tmp_path / 'bad.gpkg'}", check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert output.count("'abc' is not a list of band numbers") == 1  # refused once, before running
    assert not (tmp_path / "bad.gpkg").exists()


def test_rerun_on_scored_layer_replaces_the_score_fields(provider, tmp_path):
    site = make_site(tmp_path)
    structures = write_structures(site, tmp_path / "structures.gpkg")
    first = processing.run("sitewatch:changescore", {"BEFORE": str(site.before), "AFTER": str(site.after),
                                                     "STRUCTURES": structures, "OUTPUT": "TEMPORARY_OUTPUT"})
    second = processing.run("sitewatch:changescore", {"BEFORE": str(site.before), "AFTER": str(site.after),
                                                      "STRUCTURES": first["OUTPUT"], "OUTPUT": "TEMPORARY_OUTPUT"})
    names = second["OUTPUT"].fields().names()
    assert names.count("chg_score") == 1 and names.count("suggested") == 1
    ranks = np.array([f["chg_rank"] for f in second["OUTPUT"].getFeatures()])
    assert sorted(ranks) == list(range(1, 37))


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    """A small generated sample site (its truth is read only to check the outcome)."""
    generator = pytest.importorskip("sitewatch.sample.generate_site")
    return generator.generate_site(tmp_path_factory.mktemp("sample"), "desert", 800)


def truth_at_after_date(site) -> dict[str, str]:
    from sitewatch.sample.generate_site import truth_statuses

    return truth_statuses(site.assessment_gpkg, site.after_date)


def test_destroyed_structures_of_the_sample_site_rank_above_intact_ones(sample_site):
    dataset = ogr.Open(str(sample_site.assessment_gpkg))
    layer = dataset.GetLayerByName("structures")
    ids, shapes = [], []
    for feature in layer:
        ids.append(feature["structure_id"])
        shapes.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    run = score_changes(str(sample_site.before_tif), str(sample_site.after_tif), shapes,
                        layer.GetSpatialRef().ExportToWkt())
    truth = truth_at_after_date(sample_site)
    ranks = {sid: scored.rank for sid, scored in zip(ids, run.scores)}
    destroyed = [ranks[sid] for sid in ids if truth[sid] == "destroyed"]
    intact = [ranks[sid] for sid in ids if truth[sid] == "intact"]
    assert destroyed and intact
    assert np.median(destroyed) < np.percentile(intact, 10)
    suggested = {sid: scored.suggested for sid, scored in zip(ids, run.scores)}
    assert sum(suggested[sid] in ("moderate", "severe", "destroyed") for sid in ids if truth[sid] == "destroyed") \
        >= 0.8 * len(destroyed)


def test_prescore_action_runs_as_a_task_and_stores_scores_for_the_pair(provider, sample_site, qgis_iface):
    import time

    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication
    from qgis.PyQt.QtWidgets import QMenu, QToolBar

    from sitewatch.core.imagery.registry import list_images
    from sitewatch.ui.assessment.session import AssessmentSession
    from sitewatch.ui.context import PluginContext
    from sitewatch.ui.scoring.change_score_action import PreScoreAction

    session = AssessmentSession(QgsProject.instance())
    toolbar, menu = QToolBar(), QMenu()
    part = PreScoreAction(PluginContext(qgis_iface, session, toolbar, menu))
    try:
        assert not part.action.isEnabled()
        assert "Pre-score changes" in part.action.toolTip()
        store = session.open(str(sample_site.assessment_gpkg))
        before, after = list_images(store)
        session.set_pair(before, after)
        assert part.action.isEnabled()
        part.action.trigger()
        assert not part.action.isEnabled()  # one run at a time
        deadline = time.monotonic() + 120
        while part.task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        assert part.task is None and part.action.isEnabled()
        scores = store.change_scores(before.image_id, after.image_id)
        truth = truth_at_after_date(sample_site)
        assert set(scores) == set(truth)
        assert sorted(s.rank for s in scores.values() if s.rank is not None) == \
            list(range(1, 1 + sum(s.rank is not None for s in scores.values())))
        destroyed = [scores[sid].rank for sid, status in truth.items() if status == "destroyed"]
        intact = [scores[sid].rank for sid, status in truth.items() if status == "intact"]
        assert np.median(destroyed) < np.median(intact)
        assert store.change_scores(after.image_id, before.image_id) == {}
        part.action.trigger()  # a second run replaces the pair's rows
        while part.task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        assert store.change_scores(before.image_id, after.image_id) == scores
    finally:
        part.unload()
        session.close()
        session.unload()
    assert part.action not in toolbar.actions()
