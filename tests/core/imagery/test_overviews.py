"""Overviews are built beside the image, and a cancelled build leaves nothing."""

from __future__ import annotations

import pytest
from osgeo import gdal

from sitewatch.core.imagery.overviews import build_overviews, needs_overviews
from sitewatch.tests.helpers.imagery_rasters import write_raster


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
