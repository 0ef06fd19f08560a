"""The before / after raster pair reads the same pixels serially and in a thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from osgeo import gdal

from sitewatch.core.scoring.raster_pair import RasterPair, Window
from sitewatch.tests.helpers.change_pair import ORIGIN, PIXEL, make_site, warp_to, write_tif


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
