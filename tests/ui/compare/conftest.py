"""Fixtures of the compare tests: two dated images of five structures compared in swipe mode."""

from __future__ import annotations

import pytest
from qgis.core import QgsRectangle

from sitewatch.core.assessment.observations import Observation
from sitewatch.core.imagery.registry import register_image
from sitewatch.tests.helpers.imagery_rasters import write_raster
from sitewatch.tests.helpers.plugin import part_of
from sitewatch.tests.helpers.review_site import AFTER, BEFORE, add_five_structures, square
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.imagery.part import ImageryPart

EXTENT = (500000.0, 2999950.0, 500400.0, 3000150.0)
"""What the map shows: the five structures with a margin."""
GREY = (110, 110, 110)


@pytest.fixture
def dated_swipe(load_plugin, assessment, tmp_path, qgis_iface):
    """Five structures; S-0002 under construction on the before image (2019-09-01) and destroyed
    on the after image (2020-01-08); both images registered, compared in swipe mode."""
    add_five_structures(assessment, {"compound_id": "C-0001", "name": "Yard", "geometry": square(500000, 3000000, 100)})
    assessment.record_observations([Observation("S-0002", AFTER.acquired, "destroyed", AFTER.image_id, "high", "ana")])
    for date in (BEFORE.acquired, AFTER.acquired):
        register_image(assessment, str(write_raster(tmp_path / f"site_{date}.tif", GREY, EXTENT)))
    plugin = load_plugin()
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(assessment.crs())
    canvas.setLayers([plugin.context.session.layer("structures")])
    canvas.setExtent(QgsRectangle(*EXTENT))
    part = part_of(plugin, ImageryPart)
    part.set_mode(CompareMode.SWIPE)
    assert (part.session.before.acquired, part.session.after.acquired) == (BEFORE.acquired, AFTER.acquired)
    return plugin
