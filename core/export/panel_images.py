"""The report's before and after images checked before anything is written: QGIS draws a
truncated GeoTIFF or a VRT whose source is missing as a blank panel, and an image without a
CRS nowhere on the map, all without a word; the export refuses them instead, naming the file."""

from __future__ import annotations

from osgeo import gdal

from ..errors import SiteWatchError
from ..scoring.raster_pair import check_readable

gdal.UseExceptions()


def check_panel_image(path: str, label: str) -> None:
    """Refuse the ``label`` (before / after) panel's image at ``path`` when it cannot be read
    whole or placed on the map; a web or database source (``://``) is left to QGIS."""
    if "://" in path:
        return
    role = f"The report's {label}"
    try:
        dataset = gdal.Open(path, gdal.GA_ReadOnly)
    except RuntimeError as error:
        if "not recognized as" in str(error) and "supported file format" in str(error):
            raise SiteWatchError(
                f"{role} image {path} is not a raster image (GDAL does not recognise its format): give a "
                "GeoTIFF or another image file."
            ) from None
        detail = str(error).replace(path, "the file").strip().splitlines()[0]
        raise SiteWatchError(
            f"{role} image {path} cannot be opened ({detail}); check the file or give another image."
        ) from None
    if dataset is None or dataset.RasterCount == 0:
        raise SiteWatchError(f"{role} image {path} has no raster band; give another image.")
    check_readable(dataset, path, role)
    if not dataset.GetSpatialRef():
        raise SiteWatchError(
            f"{role} image {path} has no coordinate reference system, so the report cannot place it on "
            "the map: georeference it (Raster ▸ Projections ▸ Assign Projection) or give another image."
        )
