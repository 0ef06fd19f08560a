"""The Image series menu action: enabled with an open assessment; its dialog is prefilled with
the assessment and the map's extent, and those parameters publish the series of what the map shows."""

from __future__ import annotations

import pytest
from osgeo import gdal
from qgis.core import QgsRectangle
from qgis.gui import QgsBrowserGuiModel

import processing
import sitewatch
from sitewatch.tests.helpers.plugin import flush_deletes

TEXT = "Image series (GIF and PNG frames)…"


@pytest.fixture
def plugin(qgis_iface, qgis_new_project, qgis_processing, monkeypatch):
    browser = QgsBrowserGuiModel()  # pytest-qgis's interface has none; the Processing dialog asks for it
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    yield plugin
    plugin.unload()
    flush_deletes()


def test_the_dialog_publishes_the_series_of_the_maps_extent(plugin, qgis_iface, sample_site, tmp_path):
    action = next(a for a in plugin.context.menu.actions() if a.text() == TEXT)
    assert not action.isEnabled() and "animated GIF" in action.toolTip()
    session = plugin.context.session
    session.open(str(sample_site.assessment_gpkg))
    assert action.isEnabled()
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(session.store.crs())
    canvas.resize(600, 300)
    canvas.setExtent(QgsRectangle(500000, 3000000, 500200, 3000100))
    action.trigger()
    part = next(p for p in plugin.parts if type(p).__name__ == "ImageSeriesAction")
    assert part.dialog is not None and part.dialog.isVisible()
    extent = canvas.extent()
    assert part.initial_parameters()["EXTENT"] == (
        f"{extent.xMinimum()},{extent.xMaximum()},{extent.yMinimum()},{extent.yMaximum()} "
        f"[{session.store.crs().authid()}]"
    )
    parameters = part.dialog.createProcessingParameters()  # what Run hands to the algorithm
    assert parameters["ASSESSMENT"] == str(sample_site.assessment_gpkg)
    parameters.update({"SIZE": 400, "OUTPUT": str(tmp_path / "series")})
    result = processing.run("sitewatch:imageseries", parameters)
    frame = gdal.Open(result["FRAME_FILES"].splitlines()[0])
    assert (frame.RasterXSize, frame.RasterYSize) == (400, round(400 * extent.height() / extent.width()))
    session.close()
    assert not action.isEnabled()
