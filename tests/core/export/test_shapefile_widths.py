"""The shapefiles are written with their text and integer fields already at the width GDAL's
``RESIZE=YES`` shrinks them to (RESIZE rewrites the whole .dbf once per field: slow at country
scale): the files must be byte for byte those RESIZE writes from the same GeoPackage."""

from __future__ import annotations

from osgeo import gdal

from sitewatch.core.export import fields as ef
from sitewatch.core.export.formats import shapefile_width
from sitewatch.core.export.package import ExportRequest, export_assessment, file_prefix
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site

SITE = "Tall Ḥamdān site"


def _square(x: float, y: float) -> str:
    return f"POLYGON(({x} {y},{x + 10} {y},{x + 10} {y + 10},{x} {y + 10},{x} {y}))"


def test_the_shapefiles_equal_those_resize_writes(tmp_path):
    store = build_site(tmp_path / "site")
    names = ["  leading spaces", "trailing spaces   ", "ق" * 200, "x" * 100, "", "é" * 70]
    store.add_features(
        "structures",
        [
            {
                "structure_id": f"S-9{n:03d}",
                "type": "house",
                "name": name,
                "geometry": _square(500000 + 20 * n, 3600000),
            }
            for n, name in enumerate(names)
        ],
    )
    folder = tmp_path / "export"
    formats = ("GeoPackage", "ESRI Shapefile")
    export_assessment(store, ExportRequest(str(folder), AFTER, BEFORE, formats=formats, scheme="unosat"))
    prefix = file_prefix(SITE, AFTER)
    resized = tmp_path / "resized"
    resized.mkdir()
    for layer in ef.SPATIAL_LAYERS:
        result = gdal.VectorTranslate(
            str(resized / f"{prefix}_{layer.name}.shp"),
            str(folder / f"{prefix}.gpkg"),
            format="ESRI Shapefile",
            layers=[layer.name],
            layerName=f"{prefix}_{layer.name}",
            layerCreationOptions=["ENCODING=UTF-8", "RESIZE=YES"],
        )
        assert result is not None
        del result  # closed: written
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            ours = (folder / f"{prefix}_{layer.name}{suffix}").read_bytes()
            theirs = (resized / f"{prefix}_{layer.name}{suffix}").read_bytes()
            if suffix == ".dbf":  # bytes 1-3: the day it was written
                ours, theirs = ours[:1] + ours[4:], theirs[:1] + theirs[4:]
            assert ours == theirs, f"{layer.name}{suffix}"


def test_widths():
    assert shapefile_width([]) == 1
    assert shapefile_width([None, ""]) == 1
    assert shapefile_width(["abc  ", "  ab"]) == 3
    assert shapefile_width(["é" * 3, -1234]) == 6
    assert shapefile_width(["ق" * 200]) == 254
