"""The synthetic sample site: deterministic, well-formed, and its truth matches its pixels."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from sitewatch.core.assessment import schema
from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.status_at import status_at
from sitewatch.sample.generate_site import generate_site

gdal.UseExceptions()
ogr.UseExceptions()

SIZE = 1000  # 500 m at 0.5 m: the whole layout, scaled down


@pytest.fixture(scope="module")
def desert(qgis_app, tmp_path_factory):
    return generate_site(tmp_path_factory.mktemp("desert_a"), "desert", SIZE)


@pytest.fixture(scope="module")
def desert_again(qgis_app, tmp_path_factory):
    return generate_site(tmp_path_factory.mktemp("desert_b"), "desert", SIZE)


@pytest.fixture(scope="module")
def green(qgis_app, tmp_path_factory):
    return generate_site(tmp_path_factory.mktemp("green"), "green", 800)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _content(gpkg) -> dict[str, list]:
    """Every feature of every contract layer: attributes and geometry (as WKT)."""
    ds = ogr.Open(str(gpkg))
    content = {}
    for layer_def in schema.LAYERS:
        layer = ds.GetLayerByName(layer_def.name)
        rows = []
        for feature in layer:
            geometry = feature.GetGeometryRef()
            rows.append(
                (
                    feature.GetFID(),
                    tuple(feature.GetField(name) for name in layer_def.field_names()),
                    None if geometry is None else geometry.ExportToWkt(),
                )
            )
        content[layer_def.name] = rows
    ds = None
    return content


def test_generation_is_deterministic(desert, desert_again):
    assert _sha(desert.before_tif) == _sha(desert_again.before_tif)
    assert _sha(desert.after_tif) == _sha(desert_again.after_tif)
    first, second = _content(desert.assessment_gpkg), _content(desert_again.assessment_gpkg)
    assert first["structures"], "no structures written"
    assert first == second


def test_rasters_are_tiled_compressed_utm_with_overviews(desert):
    for path, date in ((desert.before_tif, desert.before_date), (desert.after_tif, desert.after_date)):
        assert date in path.name
        ds = gdal.Open(str(path))
        assert ds.RasterCount == 3
        assert ds.RasterXSize == ds.RasterYSize == SIZE
        assert all(ds.GetRasterBand(b).DataType == gdal.GDT_Byte for b in (1, 2, 3))
        srs = osr.SpatialReference(wkt=ds.GetProjection())
        assert srs.GetAuthorityCode(None) == "32637"
        gt = ds.GetGeoTransform()
        assert gt[1] == 0.5 and gt[5] == -0.5
        assert gt[0] == round(gt[0]) and gt[3] == round(gt[3])
        assert ds.GetRasterBand(1).GetBlockSize() == [256, 256]
        assert ds.GetMetadata("IMAGE_STRUCTURE").get("COMPRESSION") == "DEFLATE"
        assert ds.GetRasterBand(1).GetOverviewCount() == 4
        assert ds.GetMetadataItem("TIFFTAG_DATETIME").startswith(date.replace("-", ":") + " ")
        ds = None


def test_truth_geopackage(desert):
    store = GeoPackageStore.open(desert.assessment_gpkg)
    compounds = list(store.layer("compounds").getFeatures())
    assert len(compounds) == 8
    assert len({c["compound_id"] for c in compounds}) == 8
    structures = list(store.layer("structures").getFeatures())
    assert 130 <= len(structures) <= 170
    assert all(s["compound_id"] for s in structures)
    imagery = {f["image_id"]: f for f in store.layer("imagery").getFeatures()}
    assert {f["uri"] for f in imagery.values()} == {desert.before_tif.name, desert.after_tif.name}
    observations = store.observations()
    before = status_at(observations, desert.before_date)
    after = status_at(observations, desert.after_date)
    ids = {s["structure_id"] for s in structures}
    assert set(before) == ids and set(after) == ids
    assert set(before.values()) == {"intact", "absent"}
    for status in ("destroyed", "severe", "moderate", "construction"):
        assert status in after.values(), status
    assert all(after[sid] == "construction" for sid, st in before.items() if st == "absent")
    counts = {s: list(after.values()).count(s) for s in set(after.values())}
    # A strike like the ones the site is modelled on: a minority of the base hit, about 15
    # structures badly damaged or destroyed, the rest standing.
    assert 12 <= counts["destroyed"] + counts["severe"] <= 20
    damaged = sum(counts.get(s, 0) for s in ("destroyed", "severe", "moderate"))
    assert 0.10 <= damaged / len(ids) <= 0.18
    assert 3 <= counts["construction"] <= 5
    tunnels = [s["structure_id"] for s in structures if s["type"] == "tunnel_entrance"]
    assert len(tunnels) == 1 and after[tunnels[0]] == "intact"
    craters = [f for f in store.layer("point_features").getFeatures() if f["type"] == "impact_crater"]
    assert craters
    assert {_iso(f["observed_on"]) for f in craters} == {desert.after_date}
    kinds = {f["type"] for f in store.layer("linear_features").getFeatures()}
    assert {"road", "fence", "berm"} <= kinds


def _iso(value) -> str:
    return value.toString("yyyy-MM-dd") if hasattr(value, "toString") else str(value)


def _labels(gpkg, raster_path) -> tuple[np.ndarray, list[str]]:
    """Structure footprints rasterised on the grid of ``raster_path`` (0 = none, i+1 = ids[i])."""
    src = ogr.Open(str(gpkg))
    layer = src.GetLayerByName("structures")
    ref = gdal.Open(str(raster_path))
    mem = ogr.GetDriverByName("Memory").CreateDataSource("")
    out = mem.CreateLayer("s", layer.GetSpatialRef(), ogr.wkbMultiPolygon)
    out.CreateField(ogr.FieldDefn("idx", ogr.OFTInteger))
    ids = []
    for feature in layer:
        ids.append(feature.GetField("structure_id"))
        row = ogr.Feature(out.GetLayerDefn())
        row.SetField("idx", len(ids))
        row.SetGeometry(feature.GetGeometryRef().Clone())
        out.CreateFeature(row)
    target = gdal.GetDriverByName("MEM").Create("", ref.RasterXSize, ref.RasterYSize, 1, gdal.GDT_Int32)
    target.SetGeoTransform(ref.GetGeoTransform())
    target.SetProjection(ref.GetProjection())
    gdal.RasterizeLayer(target, [1], out, options=["ATTRIBUTE=idx"])
    return target.ReadAsArray(), ids


def test_truth_matches_the_pixels(desert):
    before = gdal.Open(str(desert.before_tif)).ReadAsArray().astype(np.float64)
    after = gdal.Open(str(desert.after_tif)).ReadAsArray().astype(np.float64)
    # Remove the global colour shift between the passes (per band gain from the medians).
    corrected = np.empty_like(after)
    for b in range(3):
        corrected[b] = after[b] * (np.median(before[b]) / np.median(after[b]))
    diff = np.abs(corrected - before).mean(axis=0)
    labels, ids = _labels(desert.assessment_gpkg, desert.before_tif)
    after_status = status_at(GeoPackageStore.open(desert.assessment_gpkg).observations(), desert.after_date)
    change: dict[str, list[float]] = {}
    for number, sid in enumerate(ids, start=1):
        mask = labels == number
        assert mask.sum() > 10, f"{sid} covers almost no pixels"
        # Leave out the footprint's edge pixels (blurred with the shadows, which move with the sun).
        inner = mask.copy()
        inner[1:-1, 1:-1] &= mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
        mask = inner if inner.sum() >= 4 else mask
        change.setdefault(after_status[sid], []).append(float(diff[mask].mean()))
    intact = float(np.mean(change["intact"]))
    assert intact < 6, change["intact"]
    assert min(change["destroyed"]) > 3 * intact, (change["destroyed"], intact)
    assert min(change["construction"]) > 3 * intact, (change["construction"], intact)
    assert np.mean(change["severe"]) > 2 * intact


def test_green_after_image_has_another_crs_and_resolution(green):
    before = gdal.Open(str(green.before_tif))
    after = gdal.Open(str(green.after_tif))
    b_srs = osr.SpatialReference(wkt=before.GetProjection())
    a_srs = osr.SpatialReference(wkt=after.GetProjection())
    assert b_srs.GetAuthorityCode(None) == "32637"
    assert not a_srs.IsSame(b_srs)
    assert a_srs.GetAuthorityCode(None) == "4326"
    assert after.GetGeoTransform()[1] != before.GetGeoTransform()[1]
    assert after.RasterXSize != before.RasterXSize
    store = GeoPackageStore.open(green.assessment_gpkg)
    assert store.crs().authid() == "EPSG:32637"
    gsd = {f["image_id"]: f["gsd_m"] for f in store.layer("imagery").getFeatures()}
    assert gsd == {"IMG-0001": 0.5, "IMG-0002": 0.7}
    # Another scene: the green variant is not the desert with other colours.
    assert len(list(store.layer("compounds").getFeatures())) == 8
