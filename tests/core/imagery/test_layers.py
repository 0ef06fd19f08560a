"""Image layers: the stretch that keeps colours and the one-day temporal range."""

from __future__ import annotations

import numpy
import pytest
from osgeo import gdal
from qgis.core import QgsDateTimeRange
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from sitewatch.core.imagery.layers import IMAGE_ID_PROPERTY, load_image_layer
from sitewatch.core.imagery.registry import available_path, register_image
from sitewatch.tests.helpers.imagery_rasters import SITE, write_raster


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
    stretches = [
        renderer.redContrastEnhancement(),
        renderer.greenContrastEnhancement(),
        renderer.blueContrastEnhancement(),
    ]
    assert {(s.minimumValue(), s.maximumValue()) for s in stretches} == {
        (stretches[0].minimumValue(), stretches[0].maximumValue())
    }
    assert stretches[0].minimumValue() == 0
    assert stretches[0].maximumValue() == pytest.approx(209, abs=2)
