"""The window pipeline of change scoring: box index, per-window footprint numbering, sums on a pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from osgeo import gdal, ogr

from sitewatch.core.scoring.change_sums import FootprintSums, accumulate, window_change
from sitewatch.core.scoring.footprint_raster import FootprintRaster, PixelBoxes
from sitewatch.core.scoring.radiometry import fit_normalisation
from sitewatch.core.scoring.raster_pair import RasterPair, Window
from sitewatch.core.scoring.texture import fit_structure_scale
from sitewatch.tests.helpers.change_pair import PIXEL, make_site


def test_indexed_boxes_find_exactly_what_a_scan_of_every_box_finds():
    rng = np.random.default_rng(3)
    count = 5000
    col0, row0 = rng.uniform(-300, 5000, count), rng.uniform(-300, 5000, count)
    col1, row1 = col0 + rng.uniform(0, 400, count), row0 + rng.uniform(0, 400, count)
    for values in (col0, row0, col1, row1):
        values[::97] = np.nan  # no geometry
    boxes = PixelBoxes(col0, row0, col1, row1)
    indexed = boxes.indexed(256, 4800)
    for _ in range(500):
        x, y = rng.integers(-500, 5200, 2)
        width, height = rng.integers(1, 1500, 2)
        expected = boxes.intersecting(x, y, x + width, y + height)
        assert np.array_equal(indexed.intersecting(x, y, x + width, y + height), expected)


def _overlapping_site(tmp_path):
    site = make_site(tmp_path)
    # a footprint over two others: where they overlap, the one listed last owns the pixels
    first = ogr.CreateGeometryFromWkb(site.footprints[0]).GetEnvelope()
    second = ogr.CreateGeometryFromWkb(site.footprints[1]).GetEnvelope()
    span = ogr.CreateGeometryFromWkt(
        f"POLYGON(({first[0] + 3} {first[2] + 2},{second[1] - 3} {first[2] + 2},{second[1] - 3} {first[3] - 2},"
        f"{first[0] + 3} {first[3] - 2},{first[0] + 3} {first[2] + 2}))"
    )
    return site, [*site.footprints, bytes(span.ExportToWkb()), site.footprints[0]]


def test_window_labels_are_the_site_labels_renumbered(tmp_path):
    site, footprints = _overlapping_site(tmp_path)
    pair = RasterPair(str(site.before), str(site.after))
    shapes = FootprintRaster(pair, footprints, "EPSG:32637")
    memory = ogr.GetDriverByName("Memory").CreateDataSource("all")
    layer = memory.CreateLayer("all", srs=pair.srs, geom_type=ogr.wkbMultiPolygon)
    layer.CreateField(ogr.FieldDefn("burn", ogr.OFTInteger))
    for index, wkb in enumerate(footprints):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField(0, index + 1)
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    whole = gdal.GetDriverByName("MEM").Create("", pair.width, pair.height, 1, gdal.GDT_Int32)
    whole.SetGeoTransform(pair.geotransform)
    whole.SetSpatialRef(pair.srs)
    gdal.RasterizeLayer(whole, [1], layer, options=["ATTRIBUTE=burn", "ALL_TOUCHED=FALSE"])
    expected = whole.GetRasterBand(1).ReadAsArray()
    assert (expected == len(footprints)).any() and (expected == len(footprints) - 1).any()
    for window in (Window(0, 0, 400, 400), Window(37, 90, 150, 101)):
        labels, owners = shapes.labels(window)
        assert np.all(np.diff(owners) > 0)
        site_labels = np.concatenate(([0], owners + 1))[labels]
        rows, cols = slice(window.row, window.row + window.height), slice(window.col, window.col + window.width)
        assert np.array_equal(site_labels, expected[rows, cols])


def test_sums_taken_on_a_pool_equal_those_taken_in_turn(tmp_path):
    site, footprints = _overlapping_site(tmp_path)
    pair = RasterPair(str(site.before), str(site.after))
    shapes = FootprintRaster(pair, footprints, "EPSG:32637")
    rings = shapes.boxes.grown(10 / PIXEL, 10 / PIXEL).indexed(pair.block, pair.height)
    region = (0, 0, pair.width, pair.height)
    normalisation = fit_normalisation(pair, region)
    scale = fit_structure_scale(pair, region, normalisation)
    in_turn, pooled = FootprintSums(shapes.count), FootprintSums(shapes.count)
    with ThreadPoolExecutor(max_workers=1) as pool:
        for window in (Window(0, 0, 256, 256), Window(256, 0, 144, 256), Window(0, 256, 400, 144)):
            pixels = window_change(pair, normalisation, window, None)
            labels, owners = shapes.labels(window)
            accumulate(rings, normalisation, window, pixels, labels.ravel(), owners, in_turn, scale)
            accumulate(rings, normalisation, window, pixels, labels.ravel(), owners, pooled, scale, pool)
    assert in_turn.pixels[1:].sum() > 0 and in_turn.cells[1:].sum() > 0
    assert in_turn.shadow.cells[:, 1:].sum() > 0
    for name, values in [*vars(in_turn).items(), *(("shadow." + k, v) for k, v in vars(in_turn.shadow).items())]:
        other = vars(pooled.shadow)[name[7:]] if name.startswith("shadow.") else vars(pooled)[name]
        if name == "shadow":
            continue
        assert np.array_equal(values, other, equal_nan=True), name
