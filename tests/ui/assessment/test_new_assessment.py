"""New assessment…: the CRS of the project's imagery."""

from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer, QgsVectorLayer

from sitewatch.tests.helpers.imagery_rasters import write_raster
from sitewatch.ui.assessment.actions import default_crs


def test_default_crs_is_the_imagery_s_then_the_project_s(qgis_new_project, tmp_path):
    project = QgsProject.instance()
    assert default_crs(project) is None, "an empty project leaves the algorithm's default"
    points = QgsVectorLayer("Point?crs=EPSG:3857", "points", "memory")
    project.addMapLayer(points)
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    assert default_crs(project).authid() == "EPSG:3857"
    raster = QgsRasterLayer(str(write_raster(tmp_path / "site_2019-09-01.tif")), "before")
    assert raster.isValid()
    project.addMapLayer(raster)
    assert default_crs(project) == raster.crs() and raster.crs().authid() != "EPSG:3857"
